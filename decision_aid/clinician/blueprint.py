"""The clinician blueprint object, shared by the route modules."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("clinician", __name__, url_prefix="/clinician")
