"""Every access policy with real Auth-emulator tokens, both read modes, pagination, writes,
ETags and their failure modes, through the Flask test client of a REST app on the
Firestore emulator."""

from __future__ import annotations

import threading

import pytest
from firebase_admin import auth

from flask_boiler.context import Context
from flask_boiler.errors import ContentionError
from flask_boiler.testing import wait_for

from .rest_app import Note, NoteWrites, Shelf, StoredNote, make_app

pytestmark = pytest.mark.emulators


@pytest.fixture
def client(accounts):
    return make_app().test_client()


def error_of(response, status, code=None):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    if code is not None:
        assert body["error"]["code"] == code
    return body["error"]


def seed(owner_uid="someone", count=1, **values):
    notes = [Note.new(f"n{i}", owner=owner_uid, text=f"note {i}", **values) for i in range(count)]
    for note in notes:
        note.save()
    return notes


def audit_is_empty():
    return not list(Context.db.collection("restNoteAudit").stream())


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


def test_a_view_without_declared_access_is_closed_to_everyone(client, accounts):
    seed()
    staff = accounts.create("staff", claims={"staff": True, "admin": True})
    error_of(client.get("/restSecretNotes/n0"), 401, "unauthenticated")
    error_of(client.get("/restSecretNotes/n0", headers=staff.headers), 403, "forbidden")


def test_revoked_disabled_and_deleted_users_are_refused(client, accounts):
    seed()
    ann = accounts.create("ann", claims={"staff": True})
    bob = accounts.create("bob", claims={"staff": True})
    cy = accounts.create("cy", claims={"staff": True})
    for account in (ann, bob, cy):
        assert client.get("/restStaffNotes/n0", headers=account.headers).status_code == 200

    def revoked():  # revocation has one-second granularity: repeat until it covers the token
        auth.revoke_refresh_tokens(ann.uid, app=Context.firebase_app)
        return client.get("/restStaffNotes/n0", headers=ann.headers).status_code == 401

    wait_for(revoked, timeout=10, interval=0.5, message="revoked token refused")
    auth.update_user(bob.uid, disabled=True, app=Context.firebase_app)
    error_of(client.get("/restStaffNotes/n0", headers=bob.headers), 401, "unauthenticated")
    auth.delete_user(cy.uid, app=Context.firebase_app)
    error_of(client.get("/restStaffNotes/n0", headers=cy.headers), 401, "unauthenticated")


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
    assert "textLength" in error_of(client.get("/restStoredNotes?textLength=٣", headers=ann.headers), 400)["fields"]


def test_owner_scoped_lists_show_only_the_caller_s_own(client, accounts):
    ann, bob = accounts.create("ann"), accounts.create("bob")
    Shelf.new("a1", uid=ann.uid, text="ann's", color="red", text_length=5).save()
    Shelf.new("b1", uid=bob.uid, text="bob's", color="red", text_length=5).save()
    mine = client.get(f"/restShelves/{ann.uid}/notes", headers=ann.headers).get_json()
    assert [item["noteId"] for item in mine["items"]] == ["a1"]
    error_of(client.get(f"/restShelves/{bob.uid}/notes", headers=ann.headers), 403, "forbidden")
    error_of(client.get(f"/restShelves/{bob.uid}/notes"), 401)


def test_lists_exist_only_when_declared(client, accounts):
    seed()
    staff = accounts.create("staff", claims={"staff": True})
    error_of(client.get("/restStaffNotes", headers=staff.headers), 404, "not_found")
    error_of(client.get("/restSecretNotes", headers=staff.headers), 404, "not_found")


def test_missing_views_are_404_and_bad_ids_400(client, accounts):
    assert error_of(client.get("/restPublicNotes/none"), 404)
    assert error_of(client.get("/restStoredNotes/none", headers=accounts.create("ann").headers), 404)
    assert "note_id" in error_of(client.get("/restPublicNotes/" + "x" * 1600), 400, "validation_failed")["fields"]
    assert error_of(client.get("/restPublicNotes/__reserved__"), 404)


def test_head_reads_and_never_writes(client, accounts):
    ann = accounts.create("ann")
    seed()
    response = client.head("/restPublicNotes/n0", headers=ann.headers)
    assert response.status_code == 200 and response.get_data() == b"" and response.headers["ETag"]
    assert client.head("/restPublicNotes/none").status_code == 404
    assert Note.get("n0").text == "note 0" and audit_is_empty()


# -- writes -----------------------------------------------------------------------------------


def test_create_update_delete_with_etags(client, accounts):
    ann = accounts.create("ann")
    created = client.post("/restPublicNotes", json={"text": "hello", "color": "red"}, headers=ann.headers)
    assert created.status_code == 201, created.get_data(as_text=True)
    note_id = created.get_json()["noteId"]
    assert created.headers["Location"] == f"restPublicNotes/{note_id}" and created.headers["ETag"]
    assert Note.get(note_id).owner == ann.uid
    read = client.get(f"/restPublicNotes/{note_id}")
    assert read.headers["ETag"] == created.headers["ETag"]
    patched = client.patch(
        f"/restPublicNotes/{note_id}", json={"text": "bye"}, headers={**ann.headers, "If-Match": read.headers["ETag"]}
    )
    assert patched.get_json() == {"noteId": note_id, "text": "bye", "color": "red", "textLength": 3}
    assert patched.headers["ETag"] != read.headers["ETag"]
    assert patched.headers["ETag"] == client.get(f"/restPublicNotes/{note_id}").headers["ETag"]
    deleted = client.delete(f"/restPublicNotes/{note_id}", headers={**ann.headers, "If-Match": patched.headers["ETag"]})
    assert deleted.status_code == 204
    assert Note.get(note_id) is None
    assert error_of(client.delete(f"/restPublicNotes/{note_id}", headers={**ann.headers, "If-Match": "*"}), 404)


def test_conditional_get_answers_304(client):
    seed()
    etag = client.get("/restPublicNotes/n0").headers["ETag"]
    not_modified = client.get("/restPublicNotes/n0", headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.get_data() == b"" and not_modified.headers["ETag"] == etag
    Note.get("n0").update(text="changed")
    assert client.get("/restPublicNotes/n0", headers={"If-None-Match": etag}).status_code == 200


def test_writes_need_a_current_if_match(client, accounts):
    ann = accounts.create("ann")
    seed()
    stale = client.get("/restPublicNotes/n0").headers["ETag"]
    error_of(client.patch("/restPublicNotes/n0", json={"text": "x"}, headers=ann.headers), 428, "precondition_required")
    error_of(client.delete("/restPublicNotes/n0", headers=ann.headers), 428, "precondition_required")
    Note.get("n0").update(color="blue")  # someone else's change
    error_of(client.patch("/restPublicNotes/n0", json={"text": "x"}, headers={**ann.headers, "If-Match": " "}), 428)
    for if_match in (stale, 'W/"' + stale.strip('"') + '"', '"garbage"', "not even quoted", '"a", "b"'):
        headers = {**ann.headers, "If-Match": if_match}
        error_of(client.patch("/restPublicNotes/n0", json={"text": "x"}, headers=headers), 412, "precondition_failed")
        error_of(client.delete("/restPublicNotes/n0", headers=headers), 412, "precondition_failed")
    assert Note.get("n0").text == "note 0" and audit_is_empty()  # nothing written, not even the audit


def test_two_writers_with_the_same_etag_cannot_both_win(accounts):
    """The If-Match check runs in the write's transaction: of two concurrent PATCHes made
    from the same read, exactly one lands, and the other gets a 412."""
    ann = accounts.create("ann")
    seed()
    app = make_app()
    etag = app.test_client().get("/restPublicNotes/n0").headers["ETag"]
    barrier = threading.Barrier(2)
    results: dict[str, int] = {}

    def write(text: str) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.patch("/restPublicNotes/n0", json={"text": text}, headers={**ann.headers, "If-Match": etag})
        results[text] = response.status_code

    threads = [threading.Thread(target=write, args=(text,)) for text in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(results.values()) == [200, 412], results
    winner = next(text for text, status in results.items() if status == 200)
    assert Note.get("n0").text == winner


def test_writes_accept_only_declared_fields(client, accounts):
    ann = accounts.create("ann")
    seed()
    etag = {"If-Match": client.get("/restPublicNotes/n0").headers["ETag"]}
    bad = error_of(
        client.patch(
            "/restPublicNotes/n0", json={"textLength": 9, "owner": "me", "text": 5}, headers={**ann.headers, **etag}
        ),
        400,
    )
    assert bad["code"] == "validation_failed"
    assert set(bad["fields"]) == {"textLength", "owner", "text"}
    missing = error_of(client.post("/restPublicNotes", json={"color": "red"}, headers=ann.headers), 400)
    assert set(missing["fields"]) == {"text"}
    assert Note.get("n0").text == "note 0"
    assert audit_is_empty()


def test_orm_validation_rolls_back_the_whole_transaction(client, accounts):
    ann = accounts.create("ann")
    seed()
    etag = {"If-Match": client.get("/restPublicNotes/n0").headers["ETag"]}
    response = client.patch(
        "/restPublicNotes/n0", json={"text": "y" * 30, "color": "red"}, headers={**ann.headers, **etag}
    )
    assert error_of(response, 400)["fields"] == {"text": ["Longer than maximum length 20."]}
    assert Note.get("n0").color == "grey"  # nothing of the change landed...
    assert not Context.db.document("restNoteAudit/n0").get().exists  # ...not even the earlier write


def test_contention_is_a_503_with_retry_after(client, accounts, monkeypatch):
    ann = accounts.create("ann")

    def contended(self, transaction, change):
        raise ContentionError("5 attempts aborted", attempts=5)

    monkeypatch.setattr(NoteWrites, "create", contended)
    response = client.post("/restPublicNotes", json={"text": "hi"}, headers=ann.headers)
    error_of(response, 503, "unavailable")
    assert response.headers["Retry-After"] == "1"
    assert not list(Note.query())


def test_a_bug_is_a_logged_500_that_tells_the_client_nothing(client, accounts, monkeypatch, caplog):
    ann = accounts.create("ann")

    def broken(self, transaction, change):
        raise KeyError("internal detail")

    monkeypatch.setattr(NoteWrites, "create", broken)
    response = client.post("/restPublicNotes", json={"text": "hi"}, headers=ann.headers)
    error = error_of(response, 500, "internal")
    assert "internal detail" not in response.get_data(as_text=True) and error["fields"] == {}
    record = next(r for r in caplog.records if r.name == "flask_boiler.rest" and r.levelname == "ERROR")
    assert record.exc_info and record.exc_info[0] is KeyError
    assert not list(Note.query())


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
    put = client.put("/restPublicNotes/n0", json={})
    assert error_of(put, 405) and set(put.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "PATCH", "DELETE"}
    assert error_of(client.post("/restOwners/u/notes", json={}), 404)  # no list, no create: not routed
    assert audit_is_empty()


def test_cors_preflight_and_headers_let_browsers_call_the_api(clean_firestore):
    from flask_boiler.rest import create_api
    from shared_models import REST_VIEWS

    client = create_api(REST_VIEWS).test_client()
    preflight = client.options(
        "/meetings/m1/attendees/ann",
        headers={
            "Origin": "http://127.0.0.1:5000",
            "Access-Control-Request-Method": "DELETE",
            "Access-Control-Request-Headers": "authorization, if-match",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "DELETE" in preflight.headers["Access-Control-Allow-Methods"]
    assert {"authorization", "if-match"} <= set(preflight.headers["Access-Control-Allow-Headers"].lower().split(", "))
    unauthenticated = client.delete("/meetings/m1/attendees/ann", headers={"Origin": "http://127.0.0.1:5000"})
    assert unauthenticated.status_code == 401 and unauthenticated.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in unauthenticated.headers["Access-Control-Expose-Headers"]

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
