"""Clinician accounts and sign-in for tests, behind the `auth` fixture (flaskr style)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from decision_aid.security.passwords import hash_password
from decision_aid.storage.db import get_session
from decision_aid.storage.models import Clinician

EMAIL = "dr.rivera@clinic.example"
ADMIN_EMAIL = "it.admin@clinic.example"
PASSWORD = "plum orbit lantern seventy"


def make_clinician(
    app: Flask, email: str = EMAIL, password: str = PASSWORD, *, admin: bool = False
) -> int:
    with app.app_context():
        clinician = Clinician(
            email=email, password_hash=hash_password(password, "fast"), is_admin=admin,
            active=True, session_generation=0, failed_logins=0,
        )
        db = get_session()
        db.add(clinician)
        db.commit()
        return clinician.id


def sign_in(
    client: FlaskClient, email: str = EMAIL, password: str = PASSWORD, **extra: str
) -> TestResponse:
    return client.post("/clinician/login", data={"email": email, "password": password, **extra})


class AuthActions:
    """`auth.login()` signs the test client in as a clinician, creating the account first."""

    def __init__(self, app: Flask, client: FlaskClient) -> None:
        self._app = app
        self._client = client
        self._made: set[str] = set()

    def create(self, email: str = EMAIL, password: str = PASSWORD, *,
               admin: bool = False) -> int:
        self._made.add(email)
        return make_clinician(self._app, email, password, admin=admin)

    def login(self, email: str = EMAIL, password: str = PASSWORD, *,
              admin: bool = False) -> TestResponse:
        if email not in self._made:
            self.create(email, password, admin=admin)
        return sign_in(self._client, email, password)

    def logout(self) -> TestResponse:
        return self._client.post("/clinician/sign-out")
