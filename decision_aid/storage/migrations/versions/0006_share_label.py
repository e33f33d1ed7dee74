"""Responses: an optional label the person adds when sharing (initials, appointment date)

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Encrypted at rest like the answers (EncryptedJSON stores text).
    with op.batch_alter_table("responses") as batch:
        batch.add_column(sa.Column("share_label", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("responses") as batch:
        batch.drop_column("share_label")
