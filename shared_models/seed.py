"""Example data for `make dev`, the demo and the end-to-end tests: users who can sign in, rooms, meetings.

Idempotent: running it twice leaves the same state (documents are set, accounts re-created).
"""

from __future__ import annotations

import contextlib
import datetime
from dataclasses import dataclass

from flask_boiler.context import Context

from .domain import Location, Meeting, Ticket, User


@dataclass(frozen=True)
class DemoUser:
    uid: str
    email: str
    password: str
    first_name: str
    last_name: str
    hearing_aid: bool = False


DEMO_USERS = (
    DemoUser("ann", "ann@example.com", "password-ann", "Ann", "Lee"),
    DemoUser("bob", "bob@example.com", "password-bob", "Bob", "Ray", hearing_aid=True),
    DemoUser("cy", "cy@example.com", "password-cy", "Cy", "Park"),
)


def create_accounts() -> None:
    """Create the demo users in Firebase Auth (the Auth emulator in local runs)."""
    from firebase_admin import auth

    app = Context.firebase_app
    for user in DEMO_USERS:
        with contextlib.suppress(auth.UserNotFoundError):
            auth.delete_user(user.uid, app=app)
        auth.create_user(
            uid=user.uid,
            email=user.email,
            password=user.password,
            display_name=f"{user.first_name} {user.last_name}",
            app=app,
        )


def seed_domain() -> dict[str, Meeting]:
    """Write the example's domain documents; the triggers then build the views."""
    users = {
        u.uid: User.new(u.uid, first_name=u.first_name, last_name=u.last_name, hearing_aid_requested=u.hearing_aid)
        for u in DEMO_USERS
    }
    rooms = {
        "blue": Location.new("blue", name="Blue room", address="1st floor"),
        "red": Location.new("red", name="Red room", address="2nd floor"),
    }
    with User.batch() as batch:
        for obj in (*users.values(), *rooms.values()):
            batch.save(obj)
    today = datetime.datetime.now(datetime.UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    day = datetime.timedelta(days=1)
    meetings = {
        "standup": Meeting.new(
            "standup",
            title="Daily standup",
            starts_at=today + day,
            location=rooms["blue"],
            attendees=[users["ann"], users["bob"]],
        ),
        "retro": Meeting.new(
            "retro",
            title="Retrospective",
            starts_at=today + 3 * day,
            location=rooms["red"],
            attendees=[users["ann"], users["cy"]],
        ),
        "planning": Meeting.new(
            "planning", title="Planning", starts_at=today + 2 * day, location=rooms["red"], attendees=[users["bob"]]
        ),
    }
    with Meeting.batch() as batch:
        for meeting in meetings.values():
            batch.save(meeting)
            for attendee in meeting.attendees:
                batch.save(Ticket.new(meeting.doc_id, uid=attendee.doc_id, meeting=meeting, user=attendee))
    return meetings


def seed() -> dict[str, Meeting]:
    create_accounts()
    return seed_domain()
