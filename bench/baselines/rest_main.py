"""Baseline for the REST and cold-start benchmarks: bare functions-framework HTTP handlers.

What you would write by hand with functions-framework, the Firestore client and marshmallow
(the imports the cold-start baseline is defined by): the same documents read, the same JSON
returned, the same authorization (for the stored view, firebase-admin verifies the ID token
with ``check_revoked=True``, as the framework does; imported on first use).

* ``baseline_api``: ``GET /meetingCards/{meeting_id}`` (reads the meeting and its room) and
  ``GET /users/{uid}/meetingSessions/{meeting_id}`` (owner only; reads the stored view).
* ``baseline_trivial``: answers ``ok`` (the cold-start baseline's trivial first request).

Served with ``functions-framework --source bench/baselines/rest_main.py --target ...``.
"""

import functions_framework
import marshmallow
from google.cloud import firestore

_db = None
_auth = None


def _client():
    global _db
    if _db is None:
        _db = firestore.Client()
    return _db


class CardSchema(marshmallow.Schema):
    title = marshmallow.fields.String(data_key="title")
    status = marshmallow.fields.String(data_key="status")
    location_name = marshmallow.fields.String(allow_none=True, data_key="locationName")
    num_attendees = marshmallow.fields.Integer(data_key="numAttendees")


CARD = CardSchema()


def _uid(request):
    global _auth
    if _auth is None:
        import os

        import firebase_admin
        import google.auth.credentials
        from firebase_admin import auth, credentials

        class EmulatorCredential(credentials.Base):  # the emulators accept anonymous calls
            def get_credential(self):
                return google.auth.credentials.AnonymousCredentials()

        firebase_admin.initialize_app(EmulatorCredential(), {"projectId": os.environ["GOOGLE_CLOUD_PROJECT"]})
        _auth = auth
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    try:
        return _auth.verify_id_token(header[len("Bearer ") :], check_revoked=True)["uid"]
    except Exception:  # noqa: BLE001 - any verification failure is a 401, like ours
        return None


@functions_framework.http
def baseline_api(request):
    parts = request.path.strip("/").split("/")
    db = _client()
    if len(parts) == 2 and parts[0] == "meetingCards":
        meeting = db.document(f"meetings/{parts[1]}").get()
        if not meeting.exists:
            return {"error": "not found"}, 404
        data = meeting.to_dict()
        location = data.get("location").get() if data.get("location") is not None else None
        return {
            "meetingId": parts[1],
            **CARD.dump(
                {
                    "title": data["title"],
                    "status": data.get("status", "open"),
                    "location_name": location.to_dict().get("name")
                    if location is not None and location.exists
                    else None,
                    "num_attendees": len(data.get("attendees", [])),
                }
            ),
        }
    if len(parts) == 4 and parts[0] == "users" and parts[2] == "meetingSessions":
        if _uid(request) != parts[1]:
            return {"error": "forbidden"}, 403
        view = db.document(request.path.strip("/")).get()
        if not view.exists:
            return {"error": "not found"}, 404
        return {"uid": parts[1], "meetingId": parts[3], **view.to_dict()}
    return {"error": "not found"}, 404


@functions_framework.http
def baseline_trivial(request):
    return "ok"
