"""No clinician input gives a 500: Hypothesis sends hostile values to every clinician form, query
string and JSON endpoint, and to the FHIR API's search (with a valid token).

FUZZ_CLINICIAN_SUBMISSIONS sets how many requests one run sends across all the targets (default
200 on a developer machine, 3,000 in CI). Run the module with TEST_DATABASE_URL pointing at
PostgreSQL for the PostgreSQL pass (the Makefile's PostgreSQL run covers the web suites). Each
target gets a client in the state it needs: anonymous (sign-in), half signed in (the second
factor, with TOTP, recovery codes and a passkey on the account), or signed in as an admin.
Every response must be below 500, carry no traceback, and have the security headers.
"""

from __future__ import annotations

import itertools
import json
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from decision_aid.clinician import mfa
from decision_aid.fhir import tokens
from decision_aid.security.passwords import hash_password
from decision_aid.storage.db import get_session
from decision_aid.storage.models import Clinician, ClinicianFactor, PatientRecord, utcnow
from tests.conftest import IN_CI
from tests.support.auth import ADMIN_EMAIL, PASSWORD, make_clinician, sign_in
from tests.support.clinicians import CSRF_RE, add_response, add_totp, totp_code
from tests.support.fuzz import check_response, hostile, text_values

SUBMISSIONS = int(os.environ.get("FUZZ_CLINICIAN_SUBMISSIONS") or (3_000 if IN_CI else 200))
MFA_EMAIL = "mfa.user@clinic.example"
PASSKEY_ID = "AAECAwQFBgcICQ"
ANON, PENDING, SIGNED_IN, TOKEN = "anon", "pending", "signed_in", "token"


@dataclass(frozen=True)
class Target:
    method: str
    url: str  # may hold "{id}": a record id, a fuzzed path segment, or a real one
    fields: tuple[str, ...]
    state: str
    choices: tuple[str, ...] = ()
    json: bool = False
    before: str | None = None  # a call that sets up state first (a passkey challenge)


@dataclass
class World:
    """The accounts, records and token the targets work on, and clients in each state."""

    app: Flask
    record_ids: tuple[str, ...]
    codes: tuple[str, ...]
    recovery: tuple[str, ...]
    totp_secret: str
    token: str
    mfa_id: int
    _signed_in: FlaskClient | None = None
    _uses: int = 0
    _addresses: Iterator[int] = field(default_factory=itertools.count)
    sent: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)

    def _fresh(self) -> FlaskClient:
        client = self.app.test_client()
        # Lockout counts per account and address: a new address per client keeps the fuzz
        # reaching the checks behind it (the locked path is reached too, often enough).
        # (A counter, not `random`: Hypothesis seeds `random` the same for every example.)
        n = next(self._addresses)
        client.environ_base["REMOTE_ADDR"] = f"10.{n // 256 % 256}.{n % 256}.7"
        return client

    def _sign_in(self, client: FlaskClient, email: str) -> TestResponse:
        extra = {}
        if self.app.config["WTF_CSRF_ENABLED"]:
            found = CSRF_RE.search(client.get("/clinician/login").get_data(as_text=True))
            assert found
            extra["csrf_token"] = found.group(1)
        resp = sign_in(client, email, PASSWORD, **extra)
        assert resp.status_code == 303, resp.status_code
        return resp

    def client(self, state: str) -> FlaskClient:
        if state in (ANON, TOKEN):
            return self._fresh()
        if state == PENDING:
            client = self._fresh()
            resp = self._sign_in(client, MFA_EMAIL)
            assert resp.headers["Location"].endswith("/clinician/mfa")
            return client
        self._uses += 1
        if self._signed_in is None or self._uses % 50 == 0:
            self._signed_in = self._fresh()
            self._sign_in(self._signed_in, ADMIN_EMAIL)
        return self._signed_in

    def after(self, target: Target, status: int) -> None:
        """Put back what a lucky submission changed, so later ones still reach deep code."""
        if target.url == "/clinician/account/password" and status == 303:
            with self.app.app_context():
                get_session().execute(update(Clinician).where(Clinician.email == ADMIN_EMAIL)
                                      .values(password_hash=hash_password(PASSWORD, "fast")))
                get_session().commit()
            self._signed_in = None


def _targets() -> list[Target]:
    yes_no = ("true", "false")
    return [
        Target("POST", "/clinician/login", ("email", "password", "next"), ANON,
               (ADMIN_EMAIL, MFA_EMAIL, PASSWORD, "/clinician/", "//evil.example")),
        Target("GET", "/clinician/login", ("next",), ANON, ("/clinician/audit", "/\t/x")),
        Target("POST", "/clinician/mfa", ("code",), PENDING, ("123456", "000000")),
        Target("POST", "/clinician/mfa/passkey/options", (), PENDING, json=True),
        Target("POST", "/clinician/mfa/passkey/verify", (), PENDING, json=True,
               before="/clinician/mfa/passkey/options"),
        Target("POST", "/clinician/account/passkeys/options", (), SIGNED_IN, json=True),
        Target("POST", "/clinician/account/passkeys/verify", (), SIGNED_IN, json=True,
               before="/clinician/account/passkeys/options"),
        Target("GET", "/clinician/mfa/setup", (), SIGNED_IN),
        Target("POST", "/clinician/mfa/setup", ("code", "label"), SIGNED_IN,
               ("123456", " 123 456 ", "Phone")),
        Target("POST", "/clinician/account/password", ("current", "new", "confirm"), SIGNED_IN,
               (PASSWORD, "a much longer brand new passphrase 42")),
        Target("POST", "/clinician/open", ("code",), SIGNED_IN),
        Target("POST", "/clinician/summaries/{id}/reviewed", (), SIGNED_IN),
        Target("GET", "/clinician/summaries/{id}", (), SIGNED_IN),
        Target("GET", "/clinician/summaries/{id}/print", (), SIGNED_IN),
        Target("GET", "/clinician/summaries/{id}/fhir", (), SIGNED_IN),
        Target("GET", "/clinician/", ("filter", "after"), SIGNED_IN,
               ("all", "flagged", "unreviewed", "MjAyNi0xMS0wMVQwMDowMDowMCswMDowMHx4")),
        Target("GET", "/clinician/audit", ("before",), SIGNED_IN, ("1", "50", "2147483647")),
        Target("GET", "/clinician/export/summaries.csv", ("free_text", "include_free_text"),
               SIGNED_IN, yes_no),
        Target("GET", "/clinician/account", ("added", "removed"), SIGNED_IN, ("totp", "passkey")),
        Target("GET", "/clinician/account/setup-done", ("next",), SIGNED_IN, ("/clinician/",)),
        Target("POST", "/clinician/account/factors/{id}/remove", (), SIGNED_IN),
        Target("POST", "/clinician/keep-alive", (), SIGNED_IN),
        Target("GET", "/fhir/QuestionnaireResponse",
               ("shared", "flagged", "_count", "_cursor", "_format"), TOKEN,
               ("ge2026-01-01", "lt2030-01-01", "true", "false", "50", "200", "json")),
        Target("GET", "/fhir/QuestionnaireResponse/{id}", (), TOKEN),
        Target("GET", "/fhir/Bundle/{id}", ("_format",), TOKEN),
        Target("GET", "/fhir/Observation/{id}", (), TOKEN),
        Target("GET", "/fhir/DocumentReference/{id}", (), TOKEN),
        Target("GET", "/fhir/Questionnaire", ("url", "version", "_count"), TOKEN),
    ]


def _seed(app: Flask) -> World:
    make_clinician(app, ADMIN_EMAIL, admin=True)
    mfa_id = make_clinician(app, MFA_EMAIL)
    secret = add_totp(app, mfa_id)
    label = "\x00<script>alert(1)</script>" + "\u202e" * 5  # read back on the review page
    records = [add_response(app)[0], add_response(app, shared=False)[0],
               add_response(app, sure_score=1)[0]]
    codes = [add_response(app, shared=False)[1]]
    with app.app_context():
        db = get_session()
        db.get(PatientRecord, records[0]).share_label = label  # type: ignore[union-attr]
        db.add(ClinicianFactor(clinician_id=mfa_id, kind=mfa.PASSKEY, label="Key",
                               credential_id=PASSKEY_ID, public_key="pQECAyYgASFYIA",
                               sign_count=0, confirmed_at=utcnow()))
        recovery = mfa.new_recovery_codes(mfa_id)
        db.commit()
        token = tokens.create("fuzz").secret
        db.commit()
    return World(app, tuple(records), tuple(codes), tuple(recovery), secret, token, mfa_id)


@pytest.fixture
def world(app: Flask) -> Iterator[World]:
    yield _seed(app)


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(10**30),
                         max_value=10**30), st.floats(allow_nan=False), text_values,
                         st.sampled_from([PASSKEY_ID, "public-key", "", "\x00"]))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.sampled_from(["id", "rawId", "type", "response", "clientDataJSON",
                                     "authenticatorData", "signature", "userHandle",
                                     "attestationObject", "transports", "label"]) | text_values,
                    inner, max_size=6)), max_leaves=20)
credential_like = st.fixed_dictionaries({
    "id": st.just(PASSKEY_ID) | text_values, "rawId": st.just(PASSKEY_ID) | text_values,
    "type": st.just("public-key") | text_values,
    "response": st.dictionaries(st.sampled_from(["clientDataJSON", "authenticatorData",
                                                 "signature", "attestationObject",
                                                 "userHandle"]), json_scalars, max_size=5),
}, optional={"label": json_scalars, "clientExtensionResults": json_values})
raw_bodies = st.one_of(st.binary(max_size=300), st.sampled_from([
    b"", b"{", b"[", b"null", b'{"rawId": ', b"\x00" * 100, b'"\\ud800"', b"1e999999",
    b'{"a":' * 200 + b"1" + b"}" * 200, "{\"rawId\": \"\u00e9\"}".encode("latin-1")]))


@st.composite
def submissions(draw: st.DrawFn, target: Target, world: World) -> dict[str, object]:
    choices = target.choices
    if target.url == "/clinician/mfa":
        choices += (*world.recovery, world.recovery[0].replace("-", " ").lower())
    if target.url == "/clinician/open":
        choices += (*world.codes, world.codes[0].lower().replace("-", " "))
    segment = ""
    if "{id}" in target.url:
        ids = st.sampled_from(world.record_ids)
        tails = st.sampled_from(["-phq9", "-gad7", "-pdf", "-sure", ""]) | hostile()
        with_tail = st.tuples(ids, tails).map("".join)  # a real id with a tail (FHIR parts)
        segment = draw(st.one_of(ids, ids, with_tail, hostile(("1", "99"))))
    case: dict[str, object] = {"target": target, "segment": segment}
    if target.json:
        kind = draw(st.sampled_from(["credential", "json", "raw"]))
        if kind == "raw":
            case["body"] = draw(raw_bodies)
        else:
            case["body"] = json.dumps(draw(credential_like if kind == "credential"
                                           else json_values)).encode()
        case["content_type"] = draw(st.sampled_from(
            ["application/json", "application/json; charset=utf-16", "text/plain", ""]))
        return case
    names = [*target.fields, "csrf_token", "\x00", "ä" * 40]
    most = 8
    if target.state == TOKEN:  # an unknown parameter is refused first: mostly known ones
        names, most = [*target.fields * 4, "\x00", "_sort"], 4
    pairs = []
    for name in draw(st.lists(st.sampled_from(names), max_size=most)):
        for _ in range(draw(st.integers(min_value=1, max_value=3))):  # repeated keys
            pairs.append((name, draw(hostile(choices))))
    if target.url == "/clinician/mfa" and draw(st.integers(0, 9)) == 0:
        pairs = [("code", totp_code(world.totp_secret))]
    case["pairs"] = pairs
    return case


def send(world: World, case: dict[str, object]) -> None:
    target = case["target"]
    assert isinstance(target, Target)
    client = world.client(target.state)
    url = target.url.replace("{id}", quote(str(case["segment"]), safe="") or "%20")
    headers = {"Authorization": f"Bearer {world.token}"} if target.state == TOKEN else {}
    if target.before:
        check_response(client.post(target.before), target.before)
    if target.json:
        resp = client.open(url, method=target.method, data=case["body"],
                           content_type=str(case["content_type"]) or None, headers=headers)
    elif target.method == "GET":
        pairs = case["pairs"]
        assert isinstance(pairs, list)
        query = urlencode([(k, v.encode("utf-8", "surrogatepass")) for k, v in pairs])
        resp = client.get(f"{url}?{query}" if query else url, headers=headers)
    else:
        resp = client.post(url, data=MultiDict(case["pairs"]), headers=headers)  # type: ignore[arg-type]
    world.sent[f"{target.method} {target.url}"] += 1
    world.statuses[f"{target.method} {target.url} {resp.status_code}"] += 1
    where = f"{target.method} {url} {case.get('pairs') or case.get('body')!r:.300}"
    check_response(resp, where, busy_ok=url.endswith("/pdf"))
    world.after(target, resp.status_code)


def _fuzz(world: World, count: int) -> Counter[str]:
    targets = _targets()
    each = -(-count // len(targets))  # the same share for every target, Hypothesis the values

    for target in targets:
        @settings(max_examples=each, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=submissions(target, world))
        def run(case: dict[str, object]) -> None:
            send(world, case)

        run()
    total = sum(world.sent.values())
    print(f"clinician fuzz: {total} requests to {len(world.sent)} of {len(targets)} targets; "
          f"statuses {dict(sorted(world.statuses.items()))}")
    assert total >= count * 0.95, total
    if len(targets) <= count:
        wanted = {f"{t.method} {t.url}" for t in targets}
        assert set(world.sent) == wanted, wanted - set(world.sent)
    return world.sent


def test_every_clinician_form_and_query_survives_fuzzing(world: World) -> None:
    _fuzz(world, SUBMISSIONS)


def test_with_csrf_on_every_clinician_post_fails_cleanly(app: Flask, world: World) -> None:
    """As served: the CSRF check fails first, with a clear page and the security headers."""
    app.config["WTF_CSRF_ENABLED"] = True
    _fuzz(world, max(SUBMISSIONS // 10, 30))


SIGNED_IN_PDF = "/clinician/summaries/{id}/pdf"


def test_the_pdf_route_with_odd_ids_is_not_500(world: World) -> None:
    client = world.client(SIGNED_IN)
    for rid in (world.record_ids[0], "²", "\x00", "9" * 400, "../../etc/passwd", "%00"):
        url = SIGNED_IN_PDF.format(id=quote(rid, safe=""))
        check_response(client.get(url), url, busy_ok=True)


@pytest.mark.parametrize("size", [16 * 1024 + 1, 63 * 1024, 64 * 1024, 64 * 1024 + 1, 1 << 20])
@pytest.mark.parametrize("url", ["/clinician/mfa/passkey/verify",
                                 "/clinician/account/passkeys/verify"])
def test_huge_passkey_bodies_up_to_max_content_length(world: World, url: str,
                                                      size: int) -> None:
    state = PENDING if url.startswith("/clinician/mfa") else SIGNED_IN
    client = world.client(state)
    check_response(client.post(url.replace("verify", "options")), url)
    body = json.dumps({"rawId": PASSKEY_ID, "id": "x" * size}).encode()[:size]
    resp = client.post(url, data=body, content_type="application/json")
    check_response(resp, f"{url} {size} bytes")
    assert resp.status_code in (400, 413), resp.status_code


@pytest.mark.parametrize("email", ["a\x00@clinic.example", "\x00" * 300, "x" * 100_000,
                                   ADMIN_EMAIL + "\x00", "dr.rivera@clinic.example\r\nBcc: x"])
def test_sign_in_with_nul_control_and_huge_strings(world: World, email: str) -> None:
    for password in (PASSWORD, "\x00", "p" * 60_000, PASSWORD + "\x00"):
        resp = sign_in(world.client(ANON), email, password)
        check_response(resp, f"login {email!r:.40} {password!r:.20}")
        assert resp.status_code in (200, 413), resp.status_code  # 413: over MAX_CONTENT_LENGTH


@pytest.mark.parametrize("params", [
    {"_count": "²"}, {"_count": "１２"}, {"_count": "9" * 400}, {"shared": "9999-12-31"},
    {"shared": "gt9999-12-31"}, {"shared": "le9999-12-31T23:59:59.999999+00:00"},
    {"shared": "lt0001-01-01"}, {"shared": "0001-01-01T00:00:00+01:00"},
    {"_cursor": "\x00"}, {"_cursor": "MjAyNi0xMS0wMVQwMDowMDowMHx4AA"},
    {"_cursor": "OTk5OS0xMi0zMVQyMzo1OTo1OS05OTo5OXx4"}, {"flagged": "\x00"},
])
def test_fhir_search_odd_params_are_400_not_500(world: World, params: dict[str, str]) -> None:
    resp = world.client(TOKEN).get("/fhir/QuestionnaireResponse?" + urlencode(params),
                                   headers={"Authorization": f"Bearer {world.token}"})
    check_response(resp, repr(params))
    assert resp.status_code in (200, 400), (params, resp.status_code)




@pytest.mark.parametrize("factor_id", ["9223372036854775808", "2147483648", "0", "9" * 30])
def test_removing_a_factor_with_a_huge_id_is_not_500(world: World, factor_id: str) -> None:
    """Found by the fuzz: an id past int64 made SQLite (and PostgreSQL) overflow, a 500."""
    url = f"/clinician/account/factors/{factor_id}/remove"
    resp = world.client(SIGNED_IN).post(url)
    check_response(resp, url)
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/clinician/account")


@pytest.mark.parametrize("segment", ["\x00", "a\x00b", "٣", "9" * 400, "%00", "\U0001f600"])
def test_odd_record_ids_in_every_url_are_not_500(world: World, segment: str) -> None:
    """A NUL cannot be bound by PostgreSQL: every record URL must refuse it before the query."""
    for target in _targets():
        if "{id}" not in target.url:
            continue
        url = target.url.replace("{id}", quote(segment, safe=""))
        client = world.client(target.state)
        headers = {"Authorization": f"Bearer {world.token}"} if target.state == TOKEN else {}
        resp = client.open(url, method=target.method, headers=headers)
        check_response(resp, url)
        assert resp.status_code in (303, 404), (url, resp.status_code)
