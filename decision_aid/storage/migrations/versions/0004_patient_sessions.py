"""Server-side patient sessions

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "patient_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("response_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.Text(), nullable=True),
        sa.Column("code_shown", sa.Boolean(), nullable=False),
        sa.Column("successor", sa.Text(), nullable=True),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["response_id"], ["responses.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_patient_sessions_response_id", "patient_sessions", ["response_id"])


def downgrade() -> None:
    op.drop_index("ix_patient_sessions_response_id", table_name="patient_sessions")
    op.drop_table("patient_sessions")
