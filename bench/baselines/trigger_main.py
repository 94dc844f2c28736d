"""Baseline for the trigger-latency benchmark: a hand-written Firestore-triggered function.

It does what ``MeetingSession`` does for a meeting, with functions-framework, google-events
and the Firestore client only: decode the protobuf event, read the location and the
attendees with one ``get_all``, and write one session document per attendee, unconditionally,
in one batch. It watches ``benchBaselineMeetings/{meeting_id}`` and writes
``benchBaselineUsers/{uid}/sessions/{meeting_id}``.

Benchmark only: ``bench/stack.py`` copies this file as ``main.py`` of a second functions
codebase in a generated ``firebase.json`` used by the benchmark stack. It is never deployed.
"""

import functions_framework
from google.cloud import firestore
from google.events.cloud.firestore import DocumentEventData

_db = None


def _client():
    global _db
    if _db is None:
        _db = firestore.Client()
    return _db


def _path(reference_value):
    return reference_value.split("/documents/", 1)[1]


@functions_framework.cloud_event
def bench_baseline_session(cloud_event):
    payload = DocumentEventData.deserialize(cloud_event.data)
    if "value" not in payload:
        return
    meeting_id = cloud_event["document"].rsplit("/", 1)[1]
    fields = payload.value.fields
    db = _client()
    location_path = (
        _path(fields["location"].reference_value)
        if "location" in fields and fields["location"].reference_value
        else None
    )
    attendee_paths = (
        [_path(v.reference_value) for v in fields["attendees"].array_value.values] if "attendees" in fields else []
    )
    refs = [db.document(p) for p in ([location_path] if location_path else []) + attendee_paths]
    docs = {s.reference.path: s.to_dict() for s in db.get_all(refs) if s.exists}
    attendees = [docs[p] for p in attendee_paths if p in docs]
    session = {
        "title": fields["title"].string_value,
        "status": fields["status"].string_value if "status" in fields else "open",
        "locationName": docs.get(location_path, {}).get("name") if location_path else None,
        "attendeeNames": [f"{a['firstName']} {a['lastName']}" for a in attendees],
        "numAttendees": len(attendees),
        "numHearingAids": sum(1 for a in attendees if a.get("hearingAidRequested")),
    }
    batch = db.batch()
    for path in attendee_paths:
        batch.set(db.document(f"benchBaselineUsers/{path.rsplit('/', 1)[1]}/sessions/{meeting_id}"), session)
    batch.commit()
