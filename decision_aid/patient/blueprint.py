"""The patient blueprint object, shared by the view modules."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("patient", __name__)
