"""Through the real chain: a client writes domain documents, the Firestore emulator delivers
events to our Python functions in the Functions emulator, and view documents follow."""

from __future__ import annotations

import pytest

from flask_boiler.testing import wait_for
from flask_boiler.views.stamp import view_content
from shared_models import Location, Meeting, User

pytestmark = pytest.mark.emulators


def view(db, uid, meeting_id):
    snapshot = db.document(f"users/{uid}/meetingSessions/{meeting_id}").get()
    return view_content(snapshot)


def test_meeting_sessions_follow_domain_changes(clean_firestore):
    db = clean_firestore.db
    ann = User.new("ann", first_name="Ann", last_name="Lee")
    bob = User.new("bob", first_name="Bob", last_name="Ray", hearing_aid_requested=True)
    room = Location.new("blue", name="Blue room")
    for obj in (ann, bob, room):
        obj.save()
    meeting = Meeting.new("m1", title="Standup", location=room, attendees=[ann, bob])
    meeting.save()

    first = wait_for(lambda: view(db, "bob", "m1"), timeout=60, message="bob's session")
    assert first["attendeeNames"] == ["Ann Lee", "Bob Ray"]
    assert first["numHearingAids"] == 1 and first["locationName"] == "Blue room"

    User.get(doc_id="ann").update(first_name="Annie")
    wait_for(
        lambda: (v := view(db, "bob", "m1")) and v["attendeeNames"][0] == "Annie Lee",
        timeout=60,
        message="rename reaches bob's session",
    )

    meeting.attendees = [User.get(doc_id="ann")]
    meeting.save()
    wait_for(lambda: view(db, "bob", "m1") is None, timeout=60, message="bob's session deleted")
    assert wait_for(lambda: (v := view(db, "ann", "m1")) and v["numAttendees"] == 1 and v, timeout=60)

    meeting.delete()
    wait_for(lambda: view(db, "ann", "m1") is None, timeout=60, message="ann's session deleted")


def test_user_view_follows_meetings_that_point_at_the_user(clean_firestore):
    import datetime

    db = clean_firestore.db
    ann = User.new("ann", first_name="Ann", last_name="Lee")
    ann.save()
    soon = datetime.datetime(2030, 1, 1, 9, tzinfo=datetime.UTC)
    Meeting.new("late", title="Late", starts_at=soon + datetime.timedelta(days=2), attendees=[ann]).save()
    Meeting.new("early", title="Early", starts_at=soon, attendees=[ann]).save()

    def upcoming():
        snapshot = db.document("userViews/ann").get()
        return [item["title"] for item in snapshot.to_dict()["upcoming"]] if snapshot.exists else None

    wait_for(
        lambda: upcoming() == ["Early", "Late"], timeout=60, message="ann's agenda lists both meetings, soonest first"
    )
    assert db.document("userViews/ann").get().to_dict()["name"] == "Ann Lee"

    Meeting.get(doc_id="early").update(status="closed")
    wait_for(lambda: upcoming() == ["Late"], timeout=60, message="a closed meeting leaves the agenda")
    Meeting.get(doc_id="late").update(attendees=[])
    wait_for(lambda: upcoming() == [], timeout=60, message="leaving a meeting empties the agenda")
