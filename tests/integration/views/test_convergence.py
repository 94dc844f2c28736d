"""Randomized convergence under at-least-once, unordered, interrupted delivery.

Random domain writes and deletes are made; their events are then delivered shuffled, some
twice, some first interrupted midway (the handler crashes after part of its work, and the
platform redelivers later). Afterwards every view must equal a from-scratch recompute and
no view may exist that should not.
"""

from __future__ import annotations

import random

import pytest

from flask_boiler.testing.events import document_event
from flask_boiler.triggers.view_triggers import handle_document_event
from flask_boiler.views.compute import computed_views
from flask_boiler.views.stamp import view_content

from .fast_app import Agenda, Gathering, Person, Room, Session, TitleView

pytestmark = pytest.mark.emulators
VIEWS = (Session, TitleView, Agenda)
PATTERN_OF = {
    "fastGatherings": "fastGatherings/{doc_id}",
    "fastPeople": "fastPeople/{doc_id}",
    "fastRooms": "fastRooms/{doc_id}",
}
PEOPLE = [f"p{i}" for i in range(5)]
ROOMS = ["r1", "r2"]
GATHERINGS = ["g1", "g2", "g3"]


class Crash(RuntimeError):
    """Stands for a function instance dying midway."""


class CrashingClient:
    """The real client, except that it dies at its n-th read or transaction (a partial refresh)."""

    # ``_prep_get_all``: every batched read prepares its request there, the client's
    # ``get_all`` and the framework's own (``_private.document_reads``) alike.
    COUNTED = {"transaction", "get_all", "_prep_get_all", "collection", "collection_group"}

    def __init__(self, db, crash_at: int) -> None:
        self._db, self._crash_at, self._count = db, crash_at, 0

    def __getattr__(self, name):
        attribute = getattr(self._db, name)
        if name not in self.COUNTED:
            return attribute

        def counted(*args, **kwargs):
            self._count += 1
            if self._count >= self._crash_at:
                raise Crash()
            return attribute(*args, **kwargs)

        return counted


def random_operation(rng: random.Random, db) -> str:
    kind = rng.choice(["gathering", "gathering", "gathering", "person", "room", "delete"])
    if kind == "gathering":
        gathering_id = rng.choice(GATHERINGS)
        room = rng.choice([*ROOMS, None])
        people = rng.sample(PEOPLE, rng.randint(0, 3))
        Gathering.new(
            gathering_id,
            title=rng.choice(["Standup", "Retro", "Planning"]),
            notes=rng.choice(["", "coffee"]),
            room=Room.ref_for(room) if room else None,
            people=[Person.ref_for(p) for p in people],
        ).save()
        return f"fastGatherings/{gathering_id}"
    if kind == "person":
        person_id = rng.choice(PEOPLE)
        Person.new(person_id, name=rng.choice(["Ann", "Bob", "Cy"]), hearing_aid=rng.random() < 0.5).save()
        return f"fastPeople/{person_id}"
    if kind == "room":
        room_id = rng.choice(ROOMS)
        Room.new(room_id, name=rng.choice(["Blue", "Red"])).save()
        return f"fastRooms/{room_id}"
    path = rng.choice([f"fastGatherings/{g}" for g in GATHERINGS] + [f"fastPeople/{p}" for p in PEOPLE])
    db.document(path).delete()
    return path


def expected_views(db) -> dict[str, dict]:
    expected = {}
    for view_cls in VIEWS:
        roots = list(view_cls.declaration().root.model.query().stream())
        expected.update({view.doc_path: view.stored() for view in computed_views(db, view_cls, roots)})
    return expected


def actual_views(db) -> dict[str, dict]:
    found = {s.reference.path: view_content(s) for s in db.collection_group("sessions").stream()}
    for collection in ("fastTitles", "fastAgendas"):
        found.update({s.reference.path: view_content(s) for s in db.collection(collection).stream()})
    return found


@pytest.mark.parametrize("seed", list(range(1, 13)))
def test_views_converge_whatever_the_delivery_order(clean_firestore, seed):
    db = clean_firestore.db
    rng = random.Random(seed)
    for person in PEOPLE:
        Person.new(person, name="Init").save()
    for room in ROOMS:
        Room.new(room, name="Init").save()

    stored: dict[str, dict | None] = {}
    pending = []  # events emitted, not yet delivered (Eventarc's backlog)
    crashes = 0

    def emit(path):
        snapshot = db.document(path).get()
        after = snapshot.to_dict() if snapshot.exists else None
        before = stored.get(path)
        if before is None and after is None:
            return  # deleting a missing document emits no event
        pending.append(
            (
                path,
                document_event(
                    path, before=before, after=after, after_time=snapshot.update_time if snapshot.exists else None
                ),
            )
        )
        stored[path] = after

    def deliver(index):
        nonlocal crashes
        path, event = pending[index]
        pattern = PATTERN_OF[path.split("/")[0]]
        duplicate = rng.random() < 0.3
        if not duplicate:
            pending.pop(index)
        if rng.random() < 0.25:
            try:
                handle_document_event(pattern, event, VIEWS, CrashingClient(db, crash_at=rng.randint(1, 4)))
            except Crash:
                crashes += 1
                if duplicate:
                    return
                pending.append((path, event))  # the platform retries a failed delivery later
                return
        else:
            handle_document_event(pattern, event, VIEWS, db)

    for path in [f"fastPeople/{p}" for p in PEOPLE] + [f"fastRooms/{r}" for r in ROOMS]:
        emit(path)
    for _ in range(80):
        # Writes and deliveries interleave; deliveries pick any pending event (no order).
        if pending and rng.random() < 0.5:
            deliver(rng.randrange(len(pending)))
        else:
            emit(random_operation(rng, db))
    while pending:
        deliver(rng.randrange(len(pending)))

    assert crashes > 0, "the scenario should include interrupted deliveries"
    assert actual_views(db) == expected_views(db)
