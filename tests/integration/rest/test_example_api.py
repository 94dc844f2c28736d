"""The example app's API (functions/main.py ``api``), end to end, through functions-framework's
test client and over real HTTP through the Functions emulator: cards (computed, public,
organizer writes), attendance (computed, owner, join/patch/leave) and the stored
MeetingSession views that the triggers refresh after each write."""

from __future__ import annotations

import pytest

from flask_boiler.testing import wait_for
from flask_boiler.testing.logs import EmulatorLog
from shared_models import Meeting, Ticket, User

from .transports import EmulatorTransport, FunctionsFrameworkTransport

pytestmark = pytest.mark.emulators


@pytest.fixture(params=["functions-framework", "functions-emulator"])
def api(request, ff_client, emulators):
    if request.param == "functions-framework":
        return FunctionsFrameworkTransport(ff_client)
    return EmulatorTransport(emulators)


def check_error(reply, status, code=None):
    assert reply.status == status, reply.text
    assert set(reply.body["error"]) == {"code", "message", "fields"}
    if code:
        assert reply.body["error"]["code"] == code
    return reply.body["error"]


def test_meeting_lifecycle_through_the_api(api, accounts):
    organizer = accounts.create("org", claims={"organizer": True})
    ann, bob = accounts.create("ann"), accounts.create("bob")
    for account, first in ((ann, "Ann"), (bob, "Bob")):
        User.new(account.uid, first_name=first, last_name="Lee").save()

    # cards: public reads, organizer writes
    check_error(api.request("POST", "/meetingCards", json={"title": "Standup"}), 401, "unauthenticated")
    check_error(api.request("POST", "/meetingCards", json={"title": "Standup"}, headers=ann.headers), 403, "forbidden")
    created = api.request("POST", "/meetingCards", json={"title": "Standup"}, headers=organizer.headers)
    assert created.status == 201, created.text
    meeting_id = created.body["meetingId"]
    assert created.body == {
        "meetingId": meeting_id,
        "title": "Standup",
        "status": "open",
        "locationName": None,
        "numAttendees": 0,
    }
    assert created.headers["Location"] == f"meetingCards/{meeting_id}"
    assert api.request("GET", f"/meetingCards/{meeting_id}").body["title"] == "Standup"
    bad = check_error(
        api.request("POST", "/meetingCards", json={"title": "", "status": "maybe", "x": 1}, headers=organizer.headers),
        400,
    )
    assert set(bad["fields"]) == {"title", "status", "x"}

    # attendance: owner-only join, conflicts, missing meeting
    join = {"uid": ann.uid, "hearingAidRequested": True}
    check_error(api.request("POST", f"/meetings/{meeting_id}/attendees", json=join, headers=bob.headers), 403)
    joined = api.request("POST", f"/meetings/{meeting_id}/attendees", json=join, headers=ann.headers)
    assert joined.status == 201, joined.text
    assert joined.body == {
        "meetingId": meeting_id,
        "uid": ann.uid,
        "name": "Ann Lee",
        "meetingTitle": "Standup",
        "hearingAidRequested": True,
        "checkedIn": False,
    }
    assert Ticket.get(meeting_id, uid=ann.uid).user.doc_id == ann.uid  # the join issued a ticket
    check_error(
        api.request("POST", f"/meetings/{meeting_id}/attendees", json=join, headers=ann.headers), 409, "conflict"
    )
    check_error(api.request("POST", "/meetings/nope/attendees", json=join, headers=ann.headers), 404)
    assert (
        api.request("POST", f"/meetings/{meeting_id}/attendees", json={"uid": bob.uid}, headers=bob.headers).status
        == 201
    )
    assert api.request("GET", f"/meetingCards/{meeting_id}").body["numAttendees"] == 2

    # the stored MeetingSession (Document-As-View) follows through the triggers
    session_url = f"/users/{ann.uid}/meetingSessions/{meeting_id}"
    check_error(api.request("GET", session_url, headers=bob.headers), 403)

    def session(predicate):
        reply = api.request("GET", session_url, headers=ann.headers)
        return reply.status == 200 and predicate(reply.body) and reply.body

    assert wait_for(lambda: session(lambda s: s["numAttendees"] == 2), timeout=60)["numHearingAids"] == 1

    patched = api.request(
        "PATCH", f"/meetings/{meeting_id}/attendees/{ann.uid}", json={"hearingAidRequested": False}, headers=ann.headers
    )
    assert patched.status == 200 and patched.body["hearingAidRequested"] is False
    checked = api.request(
        "PATCH", f"/meetings/{meeting_id}/attendees/{ann.uid}", json={"checkedIn": True}, headers=ann.headers
    )
    assert (
        checked.status == 200 and checked.body["checkedIn"] is True and Ticket.get(meeting_id, uid=ann.uid).checked_in
    )
    wait_for(
        lambda: session(lambda s: s["numHearingAids"] == 0), timeout=60, message="hearing aid change reaches the view"
    )

    card_url = f"/meetingCards/{meeting_id}"
    check_error(api.request("PATCH", card_url, json={"status": "closed"}, headers=organizer.headers), 428)
    if_match = {**organizer.headers, "If-Match": api.request("GET", card_url).headers["ETag"]}
    closed = api.request("PATCH", card_url, json={"status": "closed"}, headers=if_match)
    assert closed.status == 200 and closed.body["status"] == "closed"
    check_error(api.request("PATCH", card_url, json={"title": "Stale"}, headers=if_match), 412, "precondition_failed")
    listing = lambda status: (
        api.request("GET", f"/users/{ann.uid}/meetingSessions?status={status}", headers=ann.headers).body
    )
    wait_for(lambda: [item["meetingId"] for item in listing("closed")["items"]] == [meeting_id], timeout=60)
    assert listing("open") == {"items": [], "next": None}

    assert api.request("DELETE", f"/meetings/{meeting_id}/attendees/{ann.uid}", headers=ann.headers).status == 204
    check_error(api.request("GET", f"/meetings/{meeting_id}/attendees/{ann.uid}", headers=ann.headers), 404)
    wait_for(lambda: api.request("GET", session_url, headers=ann.headers).status == 404, timeout=60)
    assert [ref.doc_id for ref in Meeting.get(meeting_id).attendees] == [bob.uid]
    assert Ticket.get(meeting_id, uid=ann.uid) is None  # leaving took the ticket back, in the same transaction

    if_match = {**organizer.headers, "If-Match": api.request("GET", card_url).headers["ETag"]}
    assert api.request("DELETE", card_url, headers=if_match).status == 204
    check_error(api.request("GET", f"/meetingCards/{meeting_id}"), 404, "not_found")


def test_lists_page_with_cursors(api, accounts):
    ann = accounts.create("ann")
    User.new(ann.uid, first_name="Ann", last_name="Lee").save()
    for index in range(3):
        Meeting.new(f"m{index}", title=f"Meeting {index}", attendees=[User.get(ann.uid)]).save()

    cards = api.request("GET", "/meetingCards?limit=2").body
    assert [c["meetingId"] for c in cards["items"]] == ["m0", "m1"] and cards["next"]
    rest = api.request("GET", f"/meetingCards?limit=2&cursor={cards['next']}").body
    assert [c["meetingId"] for c in rest["items"]] == ["m2"] and rest["next"] is None

    url = f"/users/{ann.uid}/meetingSessions"
    first = wait_for(
        lambda: (page := api.request("GET", f"{url}?limit=2", headers=ann.headers).body) and page["next"] and page,
        timeout=60,
        message="stored sessions appear",
    )
    assert [s["meetingId"] for s in first["items"]] == ["m0", "m1"]
    second = wait_for(
        lambda: (
            (page := api.request("GET", f"{url}?limit=2&cursor={first['next']}", headers=ann.headers).body)
            and page["items"]
            and page
        ),
        timeout=60,
    )
    assert [s["meetingId"] for s in second["items"]] == ["m2"] and second["next"] is None
    check_error(api.request("GET", f"{url}?cursor={cards['next']}", headers=ann.headers), 400, "invalid_cursor")


def test_errors_are_json_everywhere(api, accounts):
    organizer = accounts.create("org", claims={"organizer": True})
    Meeting.new("m1", title="T").save()
    check_error(api.request("GET", "/no/such/route"), 404, "not_found")
    check_error(api.request("PUT", "/meetingCards/m1", json={}), 405, "method_not_allowed")
    check_error(
        api.request("POST", "/meetingCards", data="{oops", content_type="application/json", headers=organizer.headers),
        400,
        "malformed_json",
    )
    check_error(
        api.request("POST", "/meetingCards", data="title=x", content_type="text/plain", headers=organizer.headers), 415
    )
    check_error(
        api.request(
            "POST",
            "/meetingCards",
            data="[" + "1," * 40000 + "1]",
            content_type="application/json",
            headers=organizer.headers,
        ),
        413,
    )
    check_error(api.request("GET", "/meetingCards?limit=1000"), 400, "validation_failed")
    check_error(api.request("GET", "/users/u/meetingSessions"), 401)
    check_error(api.request("GET", "/users/u/meetingSessions", headers={"Authorization": "Bearer x.y.z"}), 401)
    assert Meeting.get("m1").title == "T" and len(list(Meeting.query())) == 1


def test_openapi_and_docs_are_served(api):
    spec = api.request("GET", "/openapi.json").body
    assert spec["openapi"].startswith("3.")
    assert {
        "/meetingCards",
        "/meetingCards/{meeting_id}",
        "/meetings/{meeting_id}/attendees",
        "/meetings/{meeting_id}/attendees/{uid}",
        "/users/{uid}/meetingSessions",
        "/users/{uid}/meetingSessions/{meeting_id}",
    } == set(spec["paths"])
    assert all(op.get("operationId") for path in spec["paths"].values() for op in path.values() if "responses" in op)
    docs = api.request("GET", "/docs")
    assert docs.status == 200 and docs.headers["Content-Type"].startswith("text/html")
    assert 'src="docs/swagger-ui-bundle.js"' in docs.text  # Swagger UI, from the package, relative URLs
    bundle = api.request("GET", "/docs/swagger-ui-bundle.js")
    assert bundle.status == 200 and "SwaggerUIBundle" in bundle.text


def test_the_deployed_function_writes_refused_tokens_as_cloud_logging_records(emulators):
    """The ``api`` function's own records reach its output as Cloud Logging JSON lines, with
    their fields (they once went to Python's last-resort handler: WARNING and up, as text)."""
    log = EmulatorLog(emulators.log_path)
    api = EmulatorTransport(emulators)
    reply = api.request("GET", "/users/u/meetingSessions", headers={"Authorization": "Bearer x.y.z"})
    check_error(reply, 401, "unauthenticated")
    seen: list[dict] = []

    def refused() -> dict | None:
        seen.extend(log.new_records())
        return next((record for record in seen if record.get("message") == "ID token refused"), None)

    record = wait_for(refused, timeout=30, message="the api function's 'ID token refused' record")
    assert record["severity"] == "INFO"
    assert record["logger"].startswith("flask_boiler.rest")
    assert record["reason"] == "InvalidIdTokenError"
