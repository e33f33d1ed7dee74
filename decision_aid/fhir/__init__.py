"""Health-record interoperability: FHIR R4 resources, a read-only FHIR API and downloads.

init_fhir(app) must run before the patient and clinician blueprints are registered, because
the download routes (and the clinician CSV export) are added to those blueprints.
"""

from __future__ import annotations

from flask import Flask

from decision_aid.security import audit

AUDIT_ACTIONS = frozenset({
    "fhir_read",        # a clinic system read (or was refused) a summary through the API
    "fhir_search",      # a clinic system searched the shared summaries
    "fhir_bundle",      # a clinician downloaded the FHIR Bundle from the review page
    "patient_fhir",     # a person downloaded their own answers as FHIR JSON
    "summary_export",   # an admin exported the saved summaries as CSV
    "token_created",
    "token_revoked",
})


def init_fhir(app: Flask) -> None:
    audit.ACTIONS.update(AUDIT_ACTIONS)
    from ..clinician import exports
    from . import downloads
    from .api import init_api
    from .cli import register_commands

    del downloads, exports  # imported for their routes
    init_api(app)
    register_commands(app)
