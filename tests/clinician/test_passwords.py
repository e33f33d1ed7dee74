"""Password rules (ASVS 2.1) and argon2id hashing for clinician accounts."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from decision_aid.security.passwords import (
    MSG_LIKE_EMAIL,
    MSG_TOO_COMMON,
    MSG_TOO_LONG,
    MSG_TOO_SHORT,
    check_password,
    hash_password,
    hasher,
    needs_rehash,
    verify_password,
)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("", MSG_TOO_SHORT),
        ("a" * 11, MSG_TOO_SHORT),
        ("x" * 129, MSG_TOO_LONG),
        ("Password123!", MSG_TOO_COMMON),
        ("password1234", MSG_TOO_COMMON),
        ("P@ssw0rd2024!!", MSG_TOO_COMMON),
        ("correcthorsebatterystaple", MSG_TOO_COMMON),
        ("qwerty123456", MSG_TOO_COMMON),
        ("abababababab", MSG_TOO_COMMON),
        ("Welcome2025!", MSG_TOO_COMMON),
        # Before: accepted, as "summer" was not on the small built-in list.
        ("Summer2024!!", MSG_TOO_COMMON),
        ("Winter2025??", MSG_TOO_COMMON),
        ("Dragon!!2024", MSG_TOO_COMMON),
        ("Tr0ub4dor&3", MSG_TOO_SHORT),
        ("ΩΩΩΩΩΩkettle", MSG_TOO_COMMON),  # a repeat plus a common word
        ("jennifer1985!", MSG_TOO_COMMON),
        ("mustang12345", MSG_TOO_COMMON),
    ],
)
def test_rejected_passwords(password: str, message: str) -> None:
    assert check_password(password) == message


@pytest.mark.parametrize(
    "password",
    [
        "fifteen lowercase",  # no composition rules
        "b" + "x7" * 5 + "q",  # 12 characters
        ("orbit lantern plum " * 4)[:64],  # 64 characters
        "Ωμέγα κεφτές λάμπα",  # non-ASCII counts characters, not bytes
        ("orbit lantern plum " * 7)[:128],  # 128 characters
    ],
)
def test_accepted_passwords(password: str) -> None:
    assert check_password(password) is None


def test_password_must_not_contain_the_email() -> None:
    assert check_password("dr.rivera@clinic.example", email="dr.rivera@clinic.example") == (
        MSG_LIKE_EMAIL
    )
    assert check_password("my name is dr.rivera ok", email="dr.rivera@clinic.example") == (
        MSG_LIKE_EMAIL
    )


def test_hashes_are_argon2id_and_verify() -> None:
    stored = hash_password("plum orbit lantern seventy", "fast")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "plum orbit lantern seventy", "fast")
    assert not verify_password(stored, "plum orbit lantern seventy!", "fast")
    assert not verify_password("not a hash", "anything at all", "fast")
    assert not needs_rehash(stored, "fast")
    assert needs_rehash(stored, "default")  # a fast test hash is upgraded on next sign-in


def test_same_password_typed_differently_normalises() -> None:
    stored = hash_password("caf\u00e9 au lait at noon", "fast")
    assert verify_password(stored, "cafe\u0301 au lait at noon", "fast")


def test_production_parameters_meet_the_owasp_minimum() -> None:
    ph = hasher("default")
    assert ph.time_cost >= 2 and ph.memory_cost >= 19456 and ph.parallelism >= 1
    assert ph.type.name == "ID"


def test_the_breached_list_is_the_maintained_offline_one() -> None:
    from decision_aid.security.passwords import breached_passwords

    listed = breached_passwords()
    assert len(listed) >= 30_000  # zxcvbn's copy of the Xato 10-million-password list
    assert {"summer", "password", "dragon", "mustang"} <= listed


def test_passwords_containing_the_email_are_refused_by_the_estimate_too() -> None:
    assert check_password("rivera.clinic.2024", email="rivera@clinic.example") == MSG_LIKE_EMAIL


# --- changing the password while signed in ----------------------------------------------


def _signed_in(app: Flask, client: FlaskClient) -> None:
    from tests.support.clinicians import make_clinician, sign_in

    make_clinician(app)
    assert sign_in(client).status_code == 303


def _change(client: FlaskClient, current: str, new: str, confirm: str | None = None) -> Any:
    return client.post("/clinician/account/password",
                       data={"current": current, "new": new,
                             "confirm": new if confirm is None else confirm})


def test_password_change_ends_every_session_and_the_new_password_works(
        app: Flask, client: FlaskClient) -> None:
    from tests.support.clinicians import PASSWORD, audit_rows, sign_in

    _signed_in(app, client)
    other = app.test_client()
    assert sign_in(other).status_code == 303
    page = client.get("/clinician/account/password").get_data(as_text=True)
    assert 'autocomplete="new-password"' in page and 'autocomplete="current-password"' in page
    resp = _change(client, PASSWORD, "quiet heron paddles upstream")
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/clinician/login")
    assert audit_rows(app)[-1].action == "password_changed"
    assert "Your password has changed" in client.get("/clinician/login").get_data(as_text=True)
    assert client.get("/clinician/").status_code == 302
    assert other.get("/clinician/").status_code == 302  # the other browser is signed out too
    assert sign_in(client).status_code == 200  # the old password no longer works
    assert sign_in(client, password="quiet heron paddles upstream").status_code == 303


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("wrong current password", "quiet heron paddles upstream", None,
         "Enter your current password correctly"),
        (None, "Summer2024!!", None, MSG_TOO_COMMON),
        (None, "short one", None, MSG_TOO_SHORT),
        (None, "quiet heron paddles upstream", "quiet heron paddles",
         "Enter the same new password twice"),
        (None, "plum orbit lantern seventy", None, "different from the current one"),
        ("", "", "", "Enter your current password"),
    ],
)
def test_password_change_refusals_keep_the_session(
        app: Flask, client: FlaskClient, current: str | None, new: str, confirm: str | None,
        message: str) -> None:
    from tests.support.clinicians import PASSWORD

    _signed_in(app, client)
    resp = _change(client, PASSWORD if current is None else current, new, confirm)
    assert resp.status_code == 200
    assert message in resp.get_data(as_text=True)
    assert client.get("/clinician/").status_code == 200


def test_password_change_needs_a_signed_in_clinician(client: FlaskClient) -> None:
    resp = _change(client, "x", "quiet heron paddles upstream")
    assert resp.status_code == 302 and "/clinician/login" in resp.headers["Location"]
