"""One regression test per defect of issue 11 (each fails on the REST layer the issue
describes, and passes now). Requests go through functions-framework's own app for
``functions/main.py`` (in process: the same routing Cloud Run and the emulator run), with
real Auth-emulator tokens and the Firestore emulator, whose data each test reads back."""

from __future__ import annotations

import io
from pathlib import Path

import functions_framework
import pytest

from flask_boiler import fields, schema
from flask_boiler.rest import RestOptions, create_api
from flask_boiler.testing import wait_for
from flask_boiler.testing.rules import id_token_claims, unsigned_jwt
from flask_boiler.views import ViewModel, source
from shared_models import Meeting, MeetingSession, Ticket, User

pytestmark = pytest.mark.emulators

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def api(emulators):
    app = functions_framework.create_app(
        target="api", source=str(ROOT / "functions" / "main.py"), signature_type="http"
    )
    return app.test_client()


@pytest.fixture
def world(accounts):
    organizer = accounts.create("organizer", claims={"organizer": True})
    ann, bob = accounts.create("ann"), accounts.create("bob")
    User.new(ann.uid, first_name="Ann", last_name="Lee").save()
    User.new(bob.uid, first_name="Bob", last_name="Ray").save()
    meeting = Meeting.new("standup", title="Standup", attendees=[User.get(ann.uid)])
    meeting.save()
    Ticket.new("standup", uid=ann.uid, meeting=meeting, user=User.get(ann.uid)).save()
    return {"organizer": organizer, "ann": ann, "bob": bob}


def attendee_ids():
    return [ref.doc_id for ref in Meeting.get("standup").attendees]


def is_json_error(response, status):
    body = response.get_json(silent=True)
    return response.status_code == status and body is not None and set(body["error"]) == {"code", "message", "fields"}


# -- HEAD wrote --------------------------------------------------------------------------------


def test_head_on_an_attendance_does_not_remove_the_attendee(api, world):
    ann = world["ann"]
    response = api.head(f"/meetings/standup/attendees/{ann.uid}", headers=ann.headers)
    assert response.status_code == 200 and response.get_data() == b""
    assert attendee_ids() == [ann.uid] and Ticket.get("standup", uid=ann.uid) is not None


def test_head_on_a_card_does_not_delete_the_meeting(api, world):
    response = api.head("/meetingCards/standup", headers=world["organizer"].headers)
    assert response.status_code == 200
    assert Meeting.get("standup") is not None


def test_head_on_a_public_get_needs_no_token(api, world):
    assert api.head("/meetingCards/standup").status_code == 200


def test_head_on_a_stored_view_is_not_a_500(api, world):
    ann = world["ann"]
    wait_for(lambda: MeetingSession.get(uid=ann.uid, meeting_id="standup"), timeout=60, message="stored session")
    assert api.head(f"/users/{ann.uid}/meetingSessions/standup", headers=ann.headers).status_code == 200


# -- the body limit ----------------------------------------------------------------------------


def test_a_chunked_body_cannot_pass_the_size_limit(api, world):
    padded = b'{"title": "x"}' + b" " * 100_000
    response = api.post(
        "/meetingCards",
        headers={**world["organizer"].headers, "Transfer-Encoding": "chunked", "Content-Type": "application/json"},
        # what gunicorn hands over for a chunked body: de-chunked, no Content-Length, stream terminated
        environ_overrides={"wsgi.input": io.BytesIO(padded), "wsgi.input_terminated": True},
    )
    assert is_json_error(response, 413)
    assert [m.doc_id for m in Meeting.query()] == ["standup"]


# -- 500s on client input -------------------------------------------------------------------------


def test_a_lone_surrogate_is_a_400(api, world):
    response = api.post(
        "/meetingCards",
        data=b'{"title": "\\ud800"}',
        content_type="application/json",
        headers=world["organizer"].headers,
    )
    assert is_json_error(response, 400)
    assert [m.doc_id for m in Meeting.query()] == ["standup"]


def test_deeply_nested_arrays_are_a_400(api, world):
    body = b'{"title": ' + b"[" * 30_000 + b"]" * 30_000 + b"}"
    response = api.post("/meetingCards", data=body, content_type="application/json", headers=world["organizer"].headers)
    assert is_json_error(response, 400)


@pytest.mark.parametrize("limit", ["²", "①"])
def test_non_ascii_digits_in_limit_are_a_400(api, world, limit):
    assert is_json_error(api.get("/meetingCards", query_string={"limit": limit}), 400)


def test_a_token_without_iat_is_a_401(api, world, emulators):
    ann = world["ann"]
    claims = id_token_claims(emulators.project_id, ann.uid)
    del claims["iat"], claims["firebase"]
    token = unsigned_jwt(claims)
    response = api.get(f"/meetings/standup/attendees/{ann.uid}", headers={"Authorization": f"Bearer {token}"})
    assert is_json_error(response, 401)


# -- routing ------------------------------------------------------------------------------------


def test_a_path_with_a_newline_gets_the_json_error_shape(api, world):
    response = api.get("/meetingCards/a%0Ab")
    assert is_json_error(response, 404) and response.mimetype == "application/json"


def test_405_names_the_allowed_methods(api, world):
    response = api.put("/meetingCards/standup", json={})
    assert is_json_error(response, 405)
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "PATCH", "DELETE"}


# -- lost updates --------------------------------------------------------------------------------


def test_a_write_from_a_stale_read_cannot_silently_overwrite(api, world):
    organizer = world["organizer"]
    etag = api.get("/meetingCards/standup").headers.get("ETag")
    assert etag, "GET answers an ETag"
    Meeting.get("standup").update(title="Renamed by someone else")
    stale = api.patch("/meetingCards/standup", json={"title": "Mine"}, headers={**organizer.headers, "If-Match": etag})
    assert is_json_error(stale, 412)
    blind = api.patch("/meetingCards/standup", json={"title": "Mine"}, headers=organizer.headers)
    assert is_json_error(blind, 428)
    assert Meeting.get("standup").title == "Renamed by someone else"


# -- insecure defaults ---------------------------------------------------------------------------


class RegressionCardSchema(schema.Schema):
    title = fields.String()


class UndeclaredAccessCard(ViewModel):
    """A view that says nothing about who may read it, nor about lists."""

    class Meta:
        schema_cls = RegressionCardSchema
        path = "regressionCards/{meeting_id}"
        rest = RestOptions(mode="computed")

    meeting = source(Meeting, "meetings/{meeting_id}")

    def compute(self):
        return {"title": self.meeting.title}


def test_a_view_without_declared_access_is_closed(world):
    client = create_api([UndeclaredAccessCard]).test_client()
    assert is_json_error(client.get("/regressionCards/standup", headers=world["ann"].headers), 403)


def test_a_list_exists_only_when_declared(world):
    client = create_api([UndeclaredAccessCard]).test_client()
    response = client.get("/regressionCards", headers=world["ann"].headers)
    assert response.status_code in (404, 405) and is_json_error(response, response.status_code)


# -- loose types -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["no", "false", 1, 0])
def test_booleans_in_bodies_are_json_booleans(api, world, value):
    ann = world["ann"]
    response = api.patch(
        f"/meetings/standup/attendees/{ann.uid}", json={"hearingAidRequested": value}, headers=ann.headers
    )
    assert is_json_error(response, 400)
    assert User.get(ann.uid).hearing_aid_requested is False


# -- the OpenAPI document and the docs page ----------------------------------------------------------


def test_the_openapi_document_is_strict(api, world):
    spec = api.get("/openapi.json").get_json()
    card = spec["components"]["schemas"]["MeetingCard"]
    assert set(card["required"]) == set(card["properties"])  # every field is always sent
    assert "nullable" not in card["properties"]["title"]
    assert card["properties"]["status"]["enum"] == ["open", "closed"]
    assert spec["servers"]
    get_card = spec["paths"]["/meetingCards/{meeting_id}"]["get"]
    assert get_card["responses"]["200"]["content"]["application/json"]["example"]
    not_found = spec["components"]["responses"]["NOT_FOUND"]["content"]["application/json"]["schema"]
    error = not_found["properties"]["error"]["properties"]
    assert error["code"]["enum"] == ["not_found"] and error["fields"]["additionalProperties"]["type"] == "array"
    path_params = spec["paths"]["/meetingCards/{meeting_id}"]["parameters"]
    assert path_params[0]["schema"]["maxLength"] == 1500
    assert any(tag.get("description") for tag in spec["tags"])  # from the views' docstrings


def test_the_docs_page_is_swagger_ui(api, world):
    page = api.get("/docs").get_data(as_text=True)
    assert "swagger-ui-bundle.js" in page
    assert api.get("/docs/swagger-ui-bundle.js").status_code == 200
