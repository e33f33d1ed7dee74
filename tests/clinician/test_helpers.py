"""The shared clinician helpers build records the way the patient side does."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from decision_aid.security.crypto import keyed_hash
from decision_aid.storage.db import get_session
from decision_aid.storage.models import PatientRecord
from tests.support.clinicians import add_response, snapshot


def test_helper_snapshot_follows_the_contract_shape(app: Flask) -> None:
    snap = snapshot(app)
    for key in ("content_version", "generated_on", "flags", "scores", "trial_counts", "trials",
                "other_treatments", "health", "practical", "priorities", "own_questions"):
        assert key in snap, key
    assert snap["flags"]["item9_positive"] is True
    assert snap["scores"]["phq9"] == {"total": 17, "band": "moderately severe", "item9": 1}
    # 3 medicines plus lithium added to venlafaxine, which the engine assesses as its own trial.
    assert snap["trial_counts"] == {"tried": 4, "possibly_adequate_unsuccessful": 2,
                                    "not_tolerated": 1}


def test_helper_response_is_found_by_its_code_hash(app: Flask) -> None:
    rid, code = add_response(app, shared=False)
    with app.app_context():
        found = get_session().scalar(
            select(PatientRecord.id).where(
                PatientRecord.code_hash == keyed_hash(str(app.config["CODE_PEPPER"]), code)
            )
        )
    assert found == rid
