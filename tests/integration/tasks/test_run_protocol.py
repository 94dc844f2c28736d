"""The protocols behind remote rebuilds and fan-out slices, driven in-process against the
Firestore emulator with a recording queue: pages delivered twice, out of turn, or by a task that
died between its commit and its successor's enqueueing; runs resumed, attached to, restarted;
fan-out slices run in any order, any number of times. (The same code runs in ``viewTasks`` on
the Cloud Tasks emulator in the other tests of this package.)"""

from __future__ import annotations

import datetime
import random

import pytest

from flask_boiler.tasks.payloads import PageTask, parse_task, slice_payload
from flask_boiler.tasks.runs import RUNS, request_run, run_page, start_run
from flask_boiler.tasks.slices import run_slice
from flask_boiler.testing.events import document_event
from flask_boiler.triggers.events import decode_document_event
from flask_boiler.views.compute import computed_views
from flask_boiler.views.fanout import FanoutPolicy
from flask_boiler.views.refresh import refresh
from tests.integration.views.fast_app import Agenda, Badge, Gathering, Person, Room, Session

from .stack_tools import expected_views, stored_views

pytestmark = pytest.mark.emulators

VIEWS = (Session, Badge, Agenda)


class RecordingQueue:
    """Cloud Tasks as far as these protocols care: named tasks, a name used once."""

    def __init__(self) -> None:
        self.tasks: dict[str, dict] = {}
        self.pending: list[dict] = []
        self.fail_next = False

    def enqueue(self, data, *, name, delay_seconds=0.0):
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("the instance died before the next page was enqueued")
        if name in self.tasks:
            return False
        self.tasks[name] = dict(data)
        self.pending.append(dict(data))
        return True


@pytest.fixture
def domain(clean_firestore):
    people = [Person.new(f"p{i:02d}", name=f"P{i}") for i in range(12)]
    with Person.batch() as batch:
        for person in people:
            batch.save(person)
    room = Room.new("r1", name="Blue")
    room.save()
    with Gathering.batch() as batch:
        for i in range(23):
            batch.save(Gathering.new(f"g{i:02d}", title=f"G{i}", room=room, people=people[i % 5 : i % 5 + 4]))
    return clean_firestore.db


def deliver(db, queue, task: dict, **kwargs):
    work = parse_task({"data": task}, VIEWS)
    assert isinstance(work, PageTask)
    return run_page(db, queue, VIEWS, work, **kwargs)


def test_pages_delivered_twice_out_of_turn_or_after_a_crash_are_counted_once(domain):
    db, queue = domain, RecordingQueue()
    db.document("fastPeople/p00/sessions/ghost").set({"title": "orphan", "_fb": {"root": "fastGatherings/ghost"}})
    run_id, attached = request_run(db, Session, page_size=4)
    assert not attached and start_run(db, queue, run_id) and not start_run(db, queue, run_id)  # the name is taken
    delivered: list[dict] = []
    rng = random.Random(7)
    while queue.pending:
        task = queue.pending.pop(0)
        if task["step"] == 2:  # dies after counting page 2, before enqueueing page 3; Cloud Tasks retries
            queue.fail_next = True
            with pytest.raises(ConnectionError):
                deliver(db, queue, task)
            assert not queue.pending
            assert deliver(db, queue, task, retried=True).reason == "duplicate"  # re-enqueues page 3
        else:
            assert deliver(db, queue, task).done
        delivered.append(task)
        for old in rng.sample(delivered, k=min(2, len(delivered))):  # duplicates of earlier pages
            outcome = deliver(db, queue, old)
            assert not outcome.done
    ahead = deliver(db, queue, {"kind": "page", "run": run_id, "step": 99})
    assert not ahead.done

    run = db.collection(RUNS).document(run_id).get().to_dict()
    assert run["state"] == "done" and run["roots"] == 23 and run["total"] == 23
    assert run["step"] == 23 // 4 + 1 + 1  # six pages of roots, one of views
    assert run["written"] == 23 * 4 and run["orphans"] == 1 and run["redelivered"] == 1
    assert run["duplicates"] >= len(delivered)
    assert stored_views(db, Session) == expected_views(db, Session)


def test_a_stalled_run_is_resumed_from_its_cursor_a_live_one_attached_to(domain):
    db, queue = domain, RecordingQueue()
    run_id, _ = request_run(db, Session, page_size=5, delete_orphans=False)
    start_run(db, queue, run_id)
    deliver(db, queue, queue.pending.pop(0))  # one page done, then the chain stops
    assert request_run(db, Session, page_size=5) == (run_id, True)  # recent: attach

    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
    resumed, attached = request_run(db, Session, page_size=5, now=later)
    assert not attached and resumed != run_id
    old = db.collection(RUNS).document(run_id).get().to_dict()
    new = db.collection(RUNS).document(resumed).get().to_dict()
    assert old["state"] == "superseded" and old["supersededBy"] == resumed
    assert new["resumedFrom"] == run_id and new["step"] == 1 and new["roots"] == 5 and new["after"] == old["after"]
    assert deliver(db, queue, queue.pending.pop(0)).reason == "run superseded"  # the old chain stops
    start_run(db, queue, resumed)
    while queue.pending:
        deliver(db, queue, queue.pending.pop(0))
    assert db.collection(RUNS).document(resumed).get().get("roots") == 23  # nothing skipped or counted twice

    fresh, attached = request_run(db, Session, page_size=5, restart=True)
    assert not attached and db.collection(RUNS).document(fresh).get().get("step") == 0


def _gathering_event(db, gathering_id: str, **changes):
    before = db.document(f"fastGatherings/{gathering_id}").get()
    Gathering.get_or_raise(gathering_id).update(**changes)
    after = db.document(f"fastGatherings/{gathering_id}").get()
    return document_event(
        f"fastGatherings/{gathering_id}",
        before=before.to_dict() if before.exists else None,
        after=after.to_dict(),
        before_time=before.update_time,
        after_time=after.update_time,
    )


def test_fanout_slices_converge_in_any_order_any_number_of_times(domain):
    db = domain
    everyone = [Person.get_or_raise(f"p{i:02d}") for i in range(12)]
    policy = FanoutPolicy(threshold=6, slice_size=5)
    first = decode_document_event(_gathering_event(db, "g00", people=everyone, title="All"), db, "fastGatherings/{id}")
    report = refresh(db, first, [Badge, Agenda], fanout=policy)
    assert report.writes == 0
    badges = [s for s in report.deferred if s.view is Badge]
    assert [s.size for s in badges] == [5, 5, 2] and all(len(s.roots) == 1 for s in badges)
    assert [s.size for s in report.deferred if s.view is Agenda] == [5, 5, 2]  # 12 people, a view each
    second = decode_document_event(
        _gathering_event(db, "g00", people=everyone[3:], title="Most"), db, "fastGatherings/{id}"
    )
    later = refresh(db, second, [Badge, Agenda], fanout=policy)
    assert sum(s.size for s in later.deferred if s.view is Badge) == 12  # before and after

    work = report.deferred + later.deferred
    rng = random.Random(11)
    for _ in range(2):  # every slice twice, shuffled: the older change's slices may come last
        for piece in rng.sample(work, len(work)):
            run_slice(db, parse_task({"data": slice_payload(piece)}, VIEWS))
    badges = {p: v for p, v in stored_views(db, Badge).items() if p.endswith("/g00")}
    assert badges == {v.doc_path: v.stored() for v in computed_views(db, Badge, [Gathering.get_or_raise("g00")])}
    assert len(badges) == 9  # three attendees left: their badges were deleted
    assert stored_views(db, Agenda) == expected_views(db, Agenda)


def test_a_rebuild_page_hands_a_huge_root_to_slices_and_counts_it(domain):
    db, queue = domain, RecordingQueue()
    everyone = [Person.get_or_raise(f"p{i:02d}") for i in range(12)]
    Gathering.get_or_raise("g05").update(people=everyone)  # 12 badges; the others have 4
    run_id, _ = request_run(db, Badge, page_size=10, delete_orphans=False)
    start_run(db, queue, run_id)
    slices = []
    while queue.pending:
        task = queue.pending.pop(0)
        if task["kind"] == "slice":
            slices.append(task)
            continue
        assert deliver(db, queue, task, fanout=FanoutPolicy(threshold=6, slice_size=5)).done
    run = db.collection(RUNS).document(run_id).get().to_dict()
    assert run["roots"] == 23 and run["deferred"] == 12 and run["written"] == 22 * 4
    assert [len(s["paths"]) for s in slices] == [5, 5, 2] and {tuple(s["roots"]) for s in slices} == {
        ("fastGatherings/g05",)
    }
    for task in slices:
        run_slice(db, parse_task({"data": task}, VIEWS))
    assert stored_views(db, Badge) == expected_views(db, Badge)


def test_slices_find_the_views_of_a_root_whose_earlier_state_does_not_load(domain):
    db = domain
    everyone = [Person.get_or_raise(f"p{i:02d}") for i in range(12)]
    Gathering.get_or_raise("g01").update(people=everyone)
    run_slice(
        db,
        parse_task(
            {
                "data": {
                    "kind": "slice",
                    "view": "tests.integration.views.fast_app.Badge",
                    "roots": ["fastGatherings/g01"],
                }
            },
            VIEWS,
        ),
    )
    assert len([p for p in stored_views(db, Badge) if p.endswith("/g01")]) == 12
    path = "fastGatherings/g01"
    before = db.document(path).get()
    db.document(path).set({"people": [p.doc_ref for p in everyone[:2]]})  # no title: does not load as a Gathering
    broken = db.document(path).get()
    Gathering.new("g01", title="Back", room=Room.get_or_raise("r1"), people=everyone[:3]).save()
    after = db.document(path).get()
    event = document_event(
        path,
        before=broken.to_dict(),
        after=after.to_dict(),
        before_time=broken.update_time,
        after_time=after.update_time,
    )
    assert before.exists
    report = refresh(
        db,
        decode_document_event(event, db, "fastGatherings/{id}"),
        [Badge],
        fanout=FanoutPolicy(threshold=2, slice_size=4),
    )
    named = sorted(p for s in report.deferred for p in (s.paths or ()))
    assert len(named) == 12  # the 12 stored badges, found by their _fb.root, though the before image says nothing
    for work in report.deferred:
        run_slice(db, work)
    badges = {p: v for p, v in stored_views(db, Badge).items() if p.endswith("/g01")}
    assert badges == {v.doc_path: v.stored() for v in computed_views(db, Badge, [Gathering.get_or_raise("g01")])}
    assert len(badges) == 3
