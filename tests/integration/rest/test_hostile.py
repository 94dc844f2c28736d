"""Hostile requests against the real ``api`` function in the Functions emulator (real HTTP).

Every case asserts its exact status, the answer's shape (the JSON error shape with a code
of that status; empty bodies for HEAD, 204 and 304), and that the domain documents are
exactly as they were, update times included: read back through the Firestore emulator
after each case. Cases:

* every method (GET, HEAD, OPTIONS, TRACE, PUT, PROPFIND) on every route, as anonymous,
  as the owner, as another user and as an organizer; writes without a token, with the wrong
  user's, without and with a stale ``If-Match``;
* bodies: chunked and oversized, lone surrogates, deep nesting, huge and non-finite numbers,
  NUL bytes, non-strict booleans, unknown fields, wrong content types and charsets;
* query strings: non-ASCII digits, repeated and unknown parameters, junk cursors;
* path ids: past Firestore's 1,500 bytes, reserved, newlines, encoded surrogates;
* tokens: missing, garbage, too long, non-ASCII, expired, revoked, disabled, deleted user,
  another project, wrong issuer, missing or mistyped claims (``iat``, ``exp``, ``sub``),
  payloads that are not objects.
"""

from __future__ import annotations

import io
import json
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from firebase_admin import auth

from flask_boiler.config import Config
from flask_boiler.context import Context
from flask_boiler.rest.errors import ERROR_CODES
from flask_boiler.testing import clear_auth, clear_firestore, wait_for
from flask_boiler.testing.rules import id_token_claims, unsigned_jwt
from shared_models import Meeting, Ticket, User

from .auth_emulator import AuthEmulator

pytestmark = pytest.mark.emulators


@dataclass
class World:
    base: str
    project_id: str
    tokens: dict[str, str]
    uids: dict[str, str]
    baseline: dict[str, Any] = field(default_factory=dict)
    session: requests.Session = field(default_factory=requests.Session)


def domain_snapshot() -> dict[str, Any]:
    """Every domain document (path -> data and update time), read through the emulator."""
    db = Context.db
    snapshots = [*db.collection("meetings").stream(), *db.collection("users").stream()]
    snapshots += list(db.collection_group("tickets").stream())
    return {s.reference.path: (s.to_dict(), s.update_time) for s in snapshots}


@pytest.fixture(scope="module")
def world(emulators) -> World:
    clear_firestore(emulators)
    clear_auth(emulators)
    Context.read(Config(app_name="flask-boiler-tests", debug=True, testing=True, project_id=emulators.project_id))
    accounts = AuthEmulator(emulators)
    people = {name: accounts.create(name) for name in ("ann", "bob", "revoked", "disabled", "deleted")}
    people["organizer"] = accounts.create("organizer", claims={"organizer": True})
    ann = people["ann"]
    User.new(ann.uid, first_name="Ann", last_name="Lee").save()
    User.new(people["bob"].uid, first_name="Bob", last_name="Ray").save()
    meeting = Meeting.new("standup", title="Standup", attendees=[User.get(ann.uid)])
    meeting.save()
    Ticket.new("standup", uid=ann.uid, meeting=meeting, user=User.get(ann.uid)).save()
    base = emulators.function_url("api")
    world = World(
        base, emulators.project_id, {n: a.token for n, a in people.items()}, {n: a.uid for n, a in people.items()}
    )

    def refused(name: str) -> bool:
        reply = world.session.get(f"{base}/meetingCards", timeout=30)  # keep the worker warm
        assert reply.status_code == 200
        auth.revoke_refresh_tokens(world.uids[name], app=Context.firebase_app)
        headers = {"Authorization": f"Bearer {world.tokens[name]}"}
        return world.session.get(f"{base}/users/{world.uids[name]}/meetingSessions", headers=headers).status_code == 401

    wait_for(lambda: refused("revoked"), timeout=20, interval=0.5, message="revoked token refused")
    auth.update_user(world.uids["disabled"], disabled=True, app=Context.firebase_app)
    auth.delete_user(world.uids["deleted"], app=Context.firebase_app)
    session_url = f"{base}/users/{ann.uid}/meetingSessions/standup"
    wait_for(
        lambda: world.session.get(session_url, headers={"Authorization": f"Bearer {ann.token}"}).status_code == 200,
        timeout=60,
        message="the trigger wrote ann's stored session",
    )
    world.baseline = domain_snapshot()
    return world


def forged(project_id: str, uid: str | None, *, drop: tuple[str, ...] = (), payload: Any = None, **claims: Any) -> str:
    """An unsigned ID token (what the emulator path of firebase-admin decodes), claims as given."""
    body = id_token_claims(project_id, uid, {"firebase": {"identities": {}, "sign_in_provider": "password"}, **claims})
    for name in drop:
        body.pop(name, None)
    return unsigned_jwt(payload if payload is not None else body)


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str  # may hold {ann} / {bob}
    status: int
    who: str | None = None  # a World token name
    headers: tuple[tuple[str, str], ...] = ()
    body: Any = None  # bytes (raw), a callable (chunked generator), or None
    content_type: str | None = "application/json"
    code: str | None = None
    allow: frozenset[str] | None = None

    def __str__(self) -> str:
        return self.name


def _check(world: World, case: Case) -> None:
    path = case.path.format(ann=world.uids["ann"], bob=world.uids["bob"])
    headers = dict(case.headers)
    if case.who:
        headers["Authorization"] = f"Bearer {world.tokens[case.who]}"
    if case.body is not None and case.content_type:
        headers["Content-Type"] = case.content_type
    data = case.body() if callable(case.body) else case.body
    if isinstance(data, bytes):
        data = data.replace(b"{ann}", world.uids["ann"].encode())
    reply = world.session.request(case.method, world.base + path, data=data, headers=headers, timeout=60)
    assert reply.status_code == case.status, f"{case}: {reply.status_code} {reply.text[:300]}"
    if case.method == "HEAD" or case.status in (204, 304):
        assert reply.content == b"", case
    elif case.status >= 400:
        assert reply.headers["Content-Type"].startswith("application/json"), case
        error = reply.json()["error"]
        assert set(error) == {"code", "message", "fields"} and error["code"] in ERROR_CODES[case.status], error
        assert all(isinstance(m, list) and all(isinstance(x, str) for x in m) for m in error["fields"].values())
        if case.code:
            assert error["code"] == case.code, error
    elif reply.headers["Content-Type"].startswith("application/json"):
        reply.json()  # parses
    if case.allow is not None:
        assert set(reply.headers["Allow"].split(", ")) == case.allow, reply.headers.get("Allow")
    if case.status == 401 and case.method != "HEAD":
        assert reply.headers["WWW-Authenticate"].startswith("Bearer")
    assert domain_snapshot() == world.baseline, f"{case} changed domain documents"


# -- every method on every route ------------------------------------------------------------------

ITEM_CARD = frozenset({"GET", "HEAD", "OPTIONS", "PATCH", "DELETE"})
CARDS = frozenset({"GET", "HEAD", "OPTIONS", "POST"})
ATTENDANCE = frozenset({"GET", "HEAD", "OPTIONS", "PATCH", "DELETE"})
ATTENDEES = frozenset({"OPTIONS", "POST"})
READ_ONLY = frozenset({"GET", "HEAD", "OPTIONS"})

#: route -> (allowed methods, GET status per caller: anonymous, ann, bob, organizer)
ROUTES = {
    "/meetingCards": (CARDS, (200, 200, 200, 200)),
    "/meetingCards/standup": (ITEM_CARD, (200, 200, 200, 200)),
    "/meetings/standup/attendees": (ATTENDEES, (405, 405, 405, 405)),
    "/meetings/standup/attendees/{ann}": (ATTENDANCE, (401, 200, 403, 403)),
    "/users/{ann}/meetingSessions": (READ_ONLY, (401, 200, 403, 403)),
    "/users/{ann}/meetingSessions/standup": (READ_ONLY, (401, 200, 403, 403)),
    "/openapi.json": (READ_ONLY, (200, 200, 200, 200)),
    "/docs": (READ_ONLY, (200, 200, 200, 200)),
    "/docs/swagger-ui.css": (READ_ONLY, (200, 200, 200, 200)),
    "/nowhere": (None, (404, 404, 404, 404)),
}
CALLERS = (None, "ann", "bob", "organizer")


def _method_cases() -> list[Case]:
    cases = []
    for path, (allowed, statuses) in ROUTES.items():
        for who, get_status in zip(CALLERS, statuses):
            label = f"{path} as {who or 'anonymous'}"
            cases.append(Case(f"GET {label}", "GET", path, get_status, who, content_type=None))
            cases.append(Case(f"HEAD {label}", "HEAD", path, get_status, who, content_type=None))
            options = 204 if allowed is not None else 404
            cases.append(Case(f"OPTIONS {label}", "OPTIONS", path, options, who, content_type=None, allow=allowed))
            for method in ("TRACE", "PUT", "PROPFIND"):  # the emulator's Node server refuses unknown verbs itself
                status = 405 if allowed is not None else 404
                allow = allowed if allowed is not None else None
                cases.append(Case(f"{method} {label}", method, path, status, who, content_type=None, allow=allow))
    return cases


STALE = (("If-Match", '"0000000000000000000000000000000000000000"'),)
JOIN = b'{"uid": "{ann}"}'

WRITE_CASES = [
    Case("POST card anonymous", "POST", "/meetingCards", 401, body=b'{"title": "x"}'),
    Case("POST card as a non-organizer", "POST", "/meetingCards", 403, "ann", body=b'{"title": "x"}'),
    Case("PATCH card anonymous", "PATCH", "/meetingCards/standup", 401, body=b'{"title": "x"}'),
    Case("PATCH card as a non-organizer", "PATCH", "/meetingCards/standup", 403, "ann", body=b'{"title": "x"}'),
    Case("PATCH card without If-Match", "PATCH", "/meetingCards/standup", 428, "organizer", body=b'{"title": "x"}'),
    Case("PATCH card, stale If-Match", "PATCH", "/meetingCards/standup", 412, "organizer", STALE, b'{"title": "x"}'),
    Case(
        "PATCH card, weak If-Match", "PATCH", "/meetingCards/standup", 412, "organizer", (("If-Match", 'W/"x"'),), b"{}"
    ),
    Case(
        "PATCH card, junk If-Match", "PATCH", "/meetingCards/standup", 412, "organizer", (("If-Match", "junk"),), b"{}"
    ),
    Case("DELETE card anonymous", "DELETE", "/meetingCards/standup", 401, content_type=None),
    Case("DELETE card as a non-organizer", "DELETE", "/meetingCards/standup", 403, "ann", content_type=None),
    Case("DELETE card without If-Match", "DELETE", "/meetingCards/standup", 428, "organizer", content_type=None),
    Case("DELETE card, stale If-Match", "DELETE", "/meetingCards/standup", 412, "organizer", STALE, content_type=None),
    Case("DELETE missing card", "DELETE", "/meetingCards/nope", 404, "organizer", STALE, content_type=None),
    Case("join anonymous", "POST", "/meetings/standup/attendees", 401, body=b'{"uid": "x"}'),
    Case("join as someone else", "POST", "/meetings/standup/attendees", 403, "bob", body=b'{"uid": "zz-ann"}'),
    Case("join twice (409, rolled back)", "POST", "/meetings/standup/attendees", 409, "ann", body=JOIN),
    Case("join a missing meeting", "POST", "/meetings/nope/attendees", 404, "ann", body=JOIN),
    Case("PATCH attendance anonymous", "PATCH", "/meetings/standup/attendees/{ann}", 401, body=b"{}"),
    Case("PATCH attendance as bob", "PATCH", "/meetings/standup/attendees/{ann}", 403, "bob", body=b"{}"),
    Case(
        "PATCH attendance stale",
        "PATCH",
        "/meetings/standup/attendees/{ann}",
        412,
        "ann",
        STALE,
        b'{"checkedIn": true}',
    ),
    Case("DELETE attendance anonymous", "DELETE", "/meetings/standup/attendees/{ann}", 401, content_type=None),
    Case("DELETE attendance as bob", "DELETE", "/meetings/standup/attendees/{ann}", 403, "bob", content_type=None),
    Case(
        "DELETE attendance stale", "DELETE", "/meetings/standup/attendees/{ann}", 412, "ann", STALE, content_type=None
    ),
    Case(
        "DELETE bob's absent attendance", "DELETE", "/meetings/standup/attendees/{bob}", 404, "bob", content_type=None
    ),
    Case("PATCH a stored view", "PATCH", "/users/{ann}/meetingSessions/standup", 405, "ann", body=b"{}"),
]

# -- bodies --------------------------------------------------------------------------------------

PADDED = b'{"title": "x"}' + b" " * 100_000


def _chunked():
    for start in range(0, len(PADDED), 8192):
        yield PADDED[start : start + 8192]


def _body_cases() -> list[Case]:
    raw = {
        "lone surrogate": (b'{"title": "\\ud800"}', 400, "malformed_json"),
        "lone surrogate key": (b'{"\\udc00": 1}', 400, "malformed_json"),
        "deep nesting": (b'{"title": ' + b"[" * 30000 + b"]" * 30000 + b"}", 400, "malformed_json"),
        "huge number": (b'{"title": 1e999}', 400, "malformed_json"),
        "NaN": (b'{"title": NaN}', 400, "malformed_json"),
        "-Infinity": (b'{"title": -Infinity}', 400, "malformed_json"),
        "int past 64 bits": (b'{"title": 18446744073709551616}', 400, "malformed_json"),
        "4301 digits": (b'{"title": ' + b"7" * 4301 + b"}", 400, "malformed_json"),
        "NUL in a key": (b'{"ti\\u0000tle": "x"}', 400, "validation_failed"),
        "invalid UTF-8": (b'{"title": "\xc3\x28"}', 400, "malformed_json"),
        "empty": (b"", 400, "malformed_json"),
        "array": (b'["title"]', 400, "malformed_json"),
        "unknown field": (b'{"title": "x", "attendees": []}', 400, "validation_failed"),
        "title too long": (json.dumps({"title": "x" * 201}).encode(), 400, "validation_failed"),
        "status not an enum value": (b'{"title": "x", "status": "maybe"}', 400, "validation_failed"),
        "title not a string": (b'{"title": 5}', 400, "validation_failed"),
        "null title": (b'{"title": null}', 400, "validation_failed"),
        "oversized with Content-Length": (PADDED, 413, "payload_too_large"),
    }
    cases = [
        Case(f"POST card: {name}", "POST", "/meetingCards", s, "organizer", body=b, code=c)
        for name, (b, s, c) in raw.items()
    ]
    cases.append(Case("POST card: chunked and oversized", "POST", "/meetingCards", 413, "organizer", body=_chunked))
    cases.append(
        Case(
            "POST card: form data",
            "POST",
            "/meetingCards",
            415,
            "organizer",
            body=b"title=x",
            content_type="application/x-www-form-urlencoded",
        )
    )
    cases.append(
        Case(
            "POST card: latin-1",
            "POST",
            "/meetingCards",
            415,
            "organizer",
            body=b"{}",
            content_type="application/json; charset=latin-1",
        )
    )
    cases.append(
        Case("POST card: no content type", "POST", "/meetingCards", 415, "organizer", body=b"{}", content_type=None)
    )
    strict = {
        '"no"': b'{"hearingAidRequested": "no"}',
        '"false"': b'{"hearingAidRequested": "false"}',
        "1": b'{"hearingAidRequested": 1}',
        "0": b'{"checkedIn": 0}',
        "null": b'{"checkedIn": null}',
        "uid is not writable": b'{"uid": "x"}',
    }
    cases += [
        Case(
            f"PATCH attendance: {name}",
            "PATCH",
            "/meetings/standup/attendees/{ann}",
            400,
            "ann",
            body=b,
            code="validation_failed",
        )
        for name, b in strict.items()
    ]
    return cases


# -- query strings, path ids, tokens ----------------------------------------------------------------

QUERY_CASES = [
    Case(f"list cards ?{query}", "GET", f"/meetingCards?{query}", status, content_type=None)
    for query, status in (
        ("limit=%C2%B2", 400),  # ²
        ("limit=%E2%91%A0", 400),  # ①
        ("limit=%D9%A3", 400),  # ٣ (int() would take it)
        ("limit=0", 400),
        ("limit=101", 400),
        ("limit=1&limit=2", 400),
        ("limit=99999999999999999999999", 400),
        ("cursor=", 400),
        ("cursor=junk", 400),
        ("cursor=" + "x" * 5000, 400),
        ("cursor=%00", 400),
        ("nope=1", 400),
        ("limit=2", 200),
    )
] + [
    Case(f"list sessions ?{query}", "GET", f"/users/{{ann}}/meetingSessions?{query}", status, "ann", content_type=None)
    for query, status in (("status=%00", 200), ("status=" + "x" * 2000, 400), ("status=open&status=closed", 400))
]

ID_CASES = [
    Case("id past 1,500 bytes", "GET", "/meetingCards/" + "x" * 1501, 400, content_type=None, code="validation_failed"),
    Case("multibyte id past 1,500 bytes", "GET", "/meetingCards/" + "%C3%A9" * 751, 400, content_type=None),
    Case("long id, write, anonymous", "DELETE", "/meetingCards/" + "x" * 3000, 400, content_type=None),
    Case("reserved id", "GET", "/meetingCards/__name__", 404, content_type=None),
    Case("dot-dot id", "GET", "/meetingCards/%2E%2E", 404, content_type=None),
    Case("newline in an id", "GET", "/meetingCards/a%0Ab", 404, content_type=None, code="not_found"),
    Case("newline id alone", "GET", "/meetingCards/%0A", 404, content_type=None, code="not_found"),
    Case("NUL in an id", "GET", "/meetingCards/a%00b", 404, content_type=None),
    Case("encoded slash", "GET", "/meetingCards/a%2Fb", 404, content_type=None),
    Case("robots.txt", "GET", "/robots.txt", 404, content_type=None, code="not_found"),
]

SESSION = "/users/{ann}/meetingSessions/standup"


def _token_cases(project_id: str, ann_uid: str) -> list[Case]:
    now = int(time.time())
    tokens = {
        "no scheme": "x",
        "Bearer alone": "Bearer",
        "Basic": "Basic YW5uOnB3",
        "garbage": "Bearer not-a-jwt",
        "three dots": "Bearer a.b.c",
        "too long": "Bearer " + "a" * 6000,
        "non-ASCII": "Bearer \xfcnic\xf6de",
        "expired": "Bearer " + forged(project_id, ann_uid, exp=now - 60),
        "no iat": "Bearer " + forged(project_id, ann_uid, drop=("iat",)),
        "no exp": "Bearer " + forged(project_id, ann_uid, drop=("exp",)),
        "iat a string": "Bearer " + forged(project_id, ann_uid, iat="yesterday"),
        "iat in the future": "Bearer " + forged(project_id, ann_uid, iat=now + 86400, auth_time=now + 86400),
        "no sub": "Bearer " + forged(project_id, None),
        "sub too long": "Bearer " + forged(project_id, "u" * 200),
        "another project": "Bearer " + forged("some-other-project", ann_uid),
        "wrong issuer": "Bearer " + forged(project_id, ann_uid, iss="https://evil.example.com/x"),
        "unknown user": "Bearer " + forged(project_id, "nobody-at-all"),
        "payload an array": "Bearer " + forged(project_id, ann_uid, payload=[1, 2]),
        "payload a string": "Bearer " + forged(project_id, ann_uid, payload="ann"),
    }
    cases = [
        Case(f"token: {name}", "GET", SESSION, 401, headers=(("Authorization", value),), content_type=None)
        for name, value in tokens.items()
    ]
    cases += [
        Case(f"token: {name} user", "GET", SESSION, 401, name, content_type=None, code="unauthenticated")
        for name in ("revoked", "disabled", "deleted")
    ]
    cases.append(
        Case(
            "token: garbage on a write",
            "PATCH",
            "/meetingCards/standup",
            401,
            headers=(("Authorization", "Bearer x.y.z"),),
            body=b"{}",
        )
    )
    return cases


#: What the emulator's own front (Node's HTTP parser, express, gunicorn's header limit) refuses
#: before functions-framework sees it, so these go through functions-framework in-process: the
#: same app, routing and hosting adaptation as Cloud Run runs, minus the emulator's proxy.
IN_PROCESS_CASES = [
    Case("encoded surrogate in an id", "GET", "/meetingCards/%ED%A0%80", 404, content_type=None),
    Case("invalid UTF-8 in an id", "GET", "/meetingCards/%FF%FE", 404, content_type=None),
    Case("unknown method", "FROB", "/meetingCards/standup", 405, content_type=None, allow=ITEM_CARD),
    Case("CONNECT", "CONNECT", "/meetingCards/standup", 405, content_type=None, allow=ITEM_CARD),
    Case(
        "token past 8 KB", "GET", SESSION, 401, headers=(("Authorization", "Bearer " + "a" * 9000),), content_type=None
    ),
    Case("chunked body, no length", "POST", "/meetingCards", 413, "organizer", body=_chunked),
]


def _all_cases() -> list[Case]:
    return _method_cases() + WRITE_CASES + _body_cases() + QUERY_CASES + ID_CASES


@pytest.mark.parametrize("case", _all_cases(), ids=str)
def test_hostile_request(world, case):
    _check(world, case)


@pytest.fixture(scope="module")
def in_process(world):
    import functions_framework

    from .conftest import ROOT

    app = functions_framework.create_app(
        target="api", source=str(ROOT / "functions" / "main.py"), signature_type="http"
    )
    return app.test_client()


@pytest.mark.parametrize("case", IN_PROCESS_CASES, ids=str)
def test_hostile_request_in_process(world, in_process, case):
    path = case.path.format(ann=world.uids["ann"], bob=world.uids["bob"])
    headers = dict(case.headers)
    if case.who:
        headers["Authorization"] = f"Bearer {world.tokens[case.who]}"
    environ = {}
    data = b""
    if callable(case.body):
        # as gunicorn hands a chunked body over: de-chunked, no Content-Length, the stream terminated
        environ = {"wsgi.input": io.BytesIO(b"".join(case.body())), "wsgi.input_terminated": True}
        headers["Transfer-Encoding"] = "chunked"
        headers["Content-Type"] = case.content_type
    reply = in_process.open(path, method=case.method, headers=headers, data=data, environ_overrides=environ)
    assert reply.status_code == case.status, reply.get_data(as_text=True)
    error = reply.get_json()["error"]
    assert error["code"] in ERROR_CODES[case.status]
    if case.allow is not None:
        assert set(reply.headers["Allow"].split(", ")) == case.allow
    assert domain_snapshot() == world.baseline


def test_hostile_tokens(world):
    for case in _token_cases(world.project_id, world.uids["ann"]):
        _check(world, case)
