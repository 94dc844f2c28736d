"""`make demo`: domain writes, one at a time, with the view documents each changed and its cost.

Run it with ``make demo`` (starts its own stack) or, beside ``make dev``, with the printed
``export`` lines and ``.venv/bin/python -m flask_boiler demo``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_boiler.context import Context
from flask_boiler.testing import EmulatorStack, wait_for
from flask_boiler.testing.costs import count_operations
from flask_boiler.testing.logs import EmulatorLog, TriggerRun, wait_for_trigger_runs
from flask_boiler.testing.watch import ViewWatcher

from .domain import Location, Meeting, Ticket, User
from .seed import seed

VIEW_GROUPS = ("meetingSessions", "userViews")


def _summary(data: dict[str, Any] | None) -> str:
    if data is None:
        return ""
    if "upcoming" in data:
        items = [item["title"] + (" (checked in)" if item.get("checkedIn") else "") for item in data["upcoming"]]
        return f"{data['name']}: " + (", ".join(items) or "no upcoming meetings")
    return f"{data['title']} @ {data.get('locationName')} — {', '.join(data['attendeeNames'])}"


def _join(meeting_id: str, uid: str) -> None:
    Meeting.get_or_raise(meeting_id).join(User.get_or_raise(uid))


def _leave(meeting_id: str, uid: str) -> None:
    Meeting.get_or_raise(meeting_id).leave(uid)


STEPS: list[tuple[str, str, Callable[[], Any]]] = [
    ("Bob renames himself to Robert", "users/bob", lambda: User.get_or_raise("bob").update(first_name="Robert")),
    (
        "The Blue room gets a new address (no view shows addresses: expect 0 writes)",
        "locations/blue",
        lambda: Location.get_or_raise("blue").update(address="3rd floor"),
    ),
    ("The Red room is renamed", "locations/red", lambda: Location.get_or_raise("red").update(name="Red lounge")),
    ("Cy joins the daily standup", "meetings/standup", lambda: _join("standup", "cy")),
    ("Ann leaves the retrospective", "meetings/retro", lambda: _leave("retro", "ann")),
    ("Planning is closed", "meetings/planning", lambda: Meeting.get_or_raise("planning").update(status="closed")),
    (
        "Ann checks in to the daily standup (her ticket, under users/ann/tickets)",
        "users/ann/tickets/standup",
        lambda: Ticket.get_or_raise("standup", uid="ann").update(checked_in=True),
    ),
]


def run(stack: EmulatorStack) -> None:
    db = Context.db
    if stack.log_path is None:
        raise SystemExit("The demo reads the triggers' reports from the emulator log; start it with `make demo`.")
    log = EmulatorLog(stack.log_path)
    print("Seeding users, rooms and meetings; the triggers build the views...", flush=True)
    seeded = {
        "users/ann",
        "users/bob",
        "users/cy",
        "locations/blue",
        "locations/red",
        "meetings/standup",
        "meetings/retro",
        "meetings/planning",
        "users/ann/tickets/standup",
        "users/bob/tickets/standup",
        "users/ann/tickets/retro",
        "users/cy/tickets/retro",
        "users/bob/tickets/planning",
    }
    seed()
    reported: set[str] = set()

    def every_seeded_document_reported() -> bool:
        reported.update(run.document for run in TriggerRun.all_in(log.new_records()))
        return seeded <= reported

    wait_for(
        every_seeded_document_reported,
        timeout=120,
        message="the triggers for every seeded document",
    )
    watcher = ViewWatcher(db, VIEW_GROUPS)
    try:
        for number, (title, document, action) in enumerate(STEPS, 1):
            print(f"\nStep {number}: {title}")
            with count_operations() as client:
                action()
            print(f"  domain write  {document}   (the client: {client.reads} reads, {client.billed_writes} write)")
            runs = wait_for_trigger_runs(log, document)
            changes = watcher.drain(expected=sum(run.writes + run.deletes for run in runs))
            for kind, path, data in sorted(changes, key=lambda change: change[1]):
                print(f"  view {kind:<8} {path}   {_summary(data)}")
            if not changes:
                print("  no view document changed")
            reads = sum(run.reads for run in runs)
            writes = sum(run.writes + run.deletes for run in runs)
            unchanged = sum(run.unchanged for run in runs)
            print(f"  trigger cost  {reads} reads, {writes} writes ({unchanged} views compared and left as they were)")
    finally:
        watcher.close()
    print("\nDone: every view above was recomputed by a Firestore-triggered Cloud Function.")
