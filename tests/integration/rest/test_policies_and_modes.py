"""Every access policy with real Auth-emulator tokens, both read modes, pagination, writes and
their failure modes, through the Flask test client of a REST app on the Firestore emulator."""

from __future__ import annotations

import pytest
from firebase_admin import auth

from flask_boiler.context import Context
from flask_boiler.testing import wait_for

from .rest_app import Note, StoredNote, make_app

pytestmark = pytest.mark.emulators


@pytest.fixture
def client(accounts):
    return make_app().test_client()


def error_of(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def seed(owner_uid="someone", count=1, **values):
    notes = [Note.new(f"n{i}", owner=owner_uid, text=f"note {i}", **values) for i in range(count)]
    for note in notes:
        note.save()
    return notes


# -- policies ------------------------------------------------------------------------------


def test_public_needs_no_token_and_ignores_a_bad_one(client):
    seed()
    assert client.get("/restPublicNotes/n0").get_json() == {
        "noteId": "n0",
        "text": "note 0",
        "color": "grey",
        "textLength": 6,
    }
    assert client.get("/restPublicNotes/n0", headers={"Authorization": "Bearer garbage"}).status_code == 200


def test_signed_in_policy(client, accounts):
    StoredNote.new("n0", text="hi", color="red", text_length=2).save()
    assert error_of(client.get("/restStoredNotes/n0"), 401)["code"] == "unauthenticated"
    assert error_of(client.get("/restStoredNotes/n0", headers={"Authorization": "Bearer not-a-jwt"}), 401)
    assert error_of(client.get("/restStoredNotes/n0", headers={"Authorization": "Basic abc"}), 401)
    ann = accounts.create("ann")
    assert client.get("/restStoredNotes/n0", headers=ann.headers).get_json()["text"] == "hi"


def test_owner_policy(client, accounts):
    ann, bob = accounts.create("ann"), accounts.create("bob")
    seed(owner_uid=ann.uid)
    url = f"/restOwners/{ann.uid}/notes/n0"
    assert error_of(client.get(url), 401)
    assert error_of(client.get(url, headers=bob.headers), 403)["code"] == "forbidden"
    assert client.get(url, headers=ann.headers).get_json()["uid"] == ann.uid
    # bob asking for his own key of ann's note: allowed by policy, but no such view
    assert error_of(client.get(f"/restOwners/{bob.uid}/notes/n0", headers=bob.headers), 404)["code"] == "not_found"


def test_role_policy_uses_custom_claims(client, accounts):
    seed()
    plain = accounts.create("plain")
    staff = accounts.create("staff", claims={"staff": True})
    assert error_of(client.get("/restStaffNotes/n0", headers=plain.headers), 403)
    assert client.get("/restStaffNotes/n0", headers=staff.headers).get_json()["text"] == "note 0"


def test_revoked_tokens_are_refused(client, accounts):
    seed()
    ann = accounts.create("ann", claims={"staff": True})
    assert client.get("/restStaffNotes/n0", headers=ann.headers).status_code == 200

    def revoked():  # revocation has one-second granularity: repeat until it covers the token
        auth.revoke_refresh_tokens(ann.uid, app=Context.firebase_app)
        return client.get("/restStaffNotes/n0", headers=ann.headers).status_code == 401

    wait_for(revoked, timeout=10, interval=0.5, message="revoked token refused")


# -- reads -----------------------------------------------------------------------------------


def test_computed_list_pages_over_roots(client):
    seed(count=5)
    seen, cursor, pages = [], None, 0
    while True:
        response = client.get("/restPublicNotes", query_string={"cursor": cursor} if cursor else {})
        assert response.status_code == 200
        body = response.get_json()
        assert len(body["items"]) <= 2
        seen += [item["noteId"] for item in body["items"]]
        pages += 1
        cursor = body["next"]
        if cursor is None:
            break
    assert seen == ["n0", "n1", "n2", "n3", "n4"] and pages == 3


def test_stored_list_filters_and_paginates(client, accounts):
    ann = accounts.create("ann")
    for i in range(5):
        StoredNote.new(f"s{i}", text="x" * i, color="red" if i % 2 == 0 else "blue", text_length=i).save()
    first = client.get("/restStoredNotes?color=red&limit=2", headers=ann.headers).get_json()
    assert [item["noteId"] for item in first["items"]] == ["s0", "s2"] and first["next"]
    second = client.get(f"/restStoredNotes?color=red&limit=2&cursor={first['next']}", headers=ann.headers).get_json()
    assert [item["noteId"] for item in second["items"]] == ["s4"] and second["next"] is None
    typed = client.get("/restStoredNotes?textLength=3", headers=ann.headers).get_json()
    assert [item["noteId"] for item in typed["items"]] == ["s3"]
    # a cursor issued by another list, and junk
    assert error_of(client.get(f"/restPublicNotes?cursor={first['next']}"), 400)["code"] == "invalid_cursor"
    assert "cursor" in error_of(client.get("/restStoredNotes?cursor=%%%", headers=ann.headers), 400)["fields"]
    bad = error_of(client.get("/restStoredNotes?limit=0&textLength=abc&colour=red", headers=ann.headers), 400)
    assert set(bad["fields"]) == {"limit", "textLength", "colour"}


def test_missing_views_are_404(client, accounts):
    assert error_of(client.get("/restPublicNotes/none"), 404)
    assert error_of(client.get("/restStoredNotes/none", headers=accounts.create("ann").headers), 404)
    assert error_of(client.get("/restPublicNotes/" + "x" * 1600), 404)
    assert error_of(client.get("/restPublicNotes/__reserved__"), 404)


# -- writes -----------------------------------------------------------------------------------


def test_create_update_delete(client, accounts):
    ann = accounts.create("ann")
    created = client.post("/restPublicNotes", json={"text": "hello", "color": "red"}, headers=ann.headers)
    assert created.status_code == 201, created.get_data(as_text=True)
    note_id = created.get_json()["noteId"]
    assert created.headers["Location"] == f"restPublicNotes/{note_id}"
    assert Note.get(note_id).owner == ann.uid
    patched = client.patch(f"/restPublicNotes/{note_id}", json={"text": "bye"}, headers=ann.headers)
    assert patched.get_json() == {"noteId": note_id, "text": "bye", "color": "red", "textLength": 3}
    assert client.delete(f"/restPublicNotes/{note_id}", headers=ann.headers).status_code == 204
    assert Note.get(note_id) is None
    assert error_of(client.delete(f"/restPublicNotes/{note_id}", headers=ann.headers), 404)


def test_writes_accept_only_declared_fields(client, accounts):
    ann = accounts.create("ann")
    seed()
    bad = error_of(
        client.patch("/restPublicNotes/n0", json={"textLength": 9, "owner": "me", "text": 5}, headers=ann.headers), 400
    )
    assert bad["code"] == "validation_failed"
    assert set(bad["fields"]) == {"textLength", "owner", "text"}
    missing = error_of(client.post("/restPublicNotes", json={"color": "red"}, headers=ann.headers), 400)
    assert set(missing["fields"]) == {"text"}
    assert Note.get("n0").text == "note 0"
    assert not list(Context.db.collection("restNoteAudit").stream())


def test_orm_validation_rolls_back_the_whole_transaction(client, accounts):
    ann = accounts.create("ann")
    seed()
    response = client.patch("/restPublicNotes/n0", json={"text": "y" * 30, "color": "red"}, headers=ann.headers)
    assert error_of(response, 400)["fields"] == {"text": ["Longer than maximum length 20."]}
    assert Note.get("n0").color == "grey"  # nothing of the change landed...
    assert not Context.db.document("restNoteAudit/n0").get().exists  # ...not even the earlier write


def test_body_errors(client, accounts):
    ann = accounts.create("ann")
    seed()
    assert (
        error_of(client.post("/restPublicNotes", data="{", content_type="application/json", headers=ann.headers), 400)[
            "code"
        ]
        == "malformed_json"
    )
    assert error_of(client.post("/restPublicNotes", json=[1], headers=ann.headers), 400)["code"] == "malformed_json"
    assert error_of(
        client.post(
            "/restPublicNotes", data="text=x", content_type="application/x-www-form-urlencoded", headers=ann.headers
        ),
        415,
    )
    assert error_of(client.post("/restPublicNotes", json={"text": "x" * 5000}, headers=ann.headers), 413)
    assert error_of(client.post("/restPublicNotes", json={"text": "hi"}), 401)
    assert error_of(client.put("/restPublicNotes/n0", json={}), 405)
    assert error_of(client.post("/restOwners/u/notes", json={}), 404)  # no list, no create: not routed
    assert not list(Context.db.collection("restNoteAudit").stream())


def test_cors_preflight_and_headers_let_browsers_call_the_api(clean_firestore):
    from flask_boiler.rest import create_api
    from shared_models import REST_VIEWS

    client = create_api(REST_VIEWS).test_client()
    preflight = client.options(
        "/meetings/m1/attendees/ann",
        headers={
            "Origin": "http://127.0.0.1:5000",
            "Access-Control-Request-Method": "DELETE",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "DELETE" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    unauthenticated = client.delete("/meetings/m1/attendees/ann", headers={"Origin": "http://127.0.0.1:5000"})
    assert unauthenticated.status_code == 401 and unauthenticated.headers["Access-Control-Allow-Origin"] == "*"

    narrow = create_api(REST_VIEWS, cors_origins=("https://app.example.com",)).test_client()
    other = narrow.get("/meetingCards/m1", headers={"Origin": "https://evil.example.com"})
    assert "Access-Control-Allow-Origin" not in other.headers
    mine = narrow.get("/meetingCards/m1", headers={"Origin": "https://app.example.com"})
    assert mine.headers["Access-Control-Allow-Origin"] == "https://app.example.com"


def test_unread_request_bodies_never_break_the_next_request(emulators, clean_firestore):
    """A body the route does not read (here: on GET) must not be left on the connection the
    Functions emulator reuses for the next request (it answered 500 'socket hang up')."""
    import requests

    from shared_models import Meeting

    Meeting.new("m1", title="Planning").save()
    url = emulators.function_url("api", "/meetingCards/m1")
    with requests.Session() as session:
        for _ in range(6):
            sent_a_body = session.request("GET", url, data=b"x" * 4096, headers={"Content-Type": "application/json"})
            assert sent_a_body.status_code == 200, sent_a_body.text
            plain = session.get(url)
            assert plain.status_code == 200 and plain.json()["title"] == "Planning", plain.text
