"""A fan-out larger than one commit must not leave views stale when the data changes while
its parallel batches are on their way.

Such a refresh takes one of two paths (:mod:`flask_boiler.views.commit`):

* **held** (a fresh event: the transaction read no view it writes): the batches go out while
  the transaction still holds its sources, and it commits after them. A change to a source
  meanwhile waits for that commit (the emulator, like Firestore, locks what a transaction
  read), so it cannot slip between our read and our batches.
* **conditional** (a stale event, a reconcile, a rerun: the stored views were read to compare):
  the transaction commits first, the batches follow, each write conditional on the version
  read, and the sources are confirmed unchanged afterwards.

The race both must survive: refresh A (title X→Y) has read the data; the title goes back to X
and refresh B compares X with the views still stored (X: A's batches have not landed) and
writes nothing; then A's batches land and the views would show Y while the data says X — for
good, since no event is left to fix them. These tests run the other refresh at the seam (by
wrapping ``commit_in_parallel``, the batches): in the same thread on the conditional path,
in a thread of its own on the held one (where it has to wait).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import Any

import pytest
from google.api_core.exceptions import Aborted
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flask_boiler.testing.emulators import clear_firestore
from flask_boiler.testing.events import document_event
from flask_boiler.triggers.view_triggers import handle_document_event
from flask_boiler.views.compute import computed_views
from flask_boiler.views.reconcile import reconcile
from flask_boiler.views.stamp import view_content

from .fast_app import Badge, Gathering, Person, Session

pytestmark = pytest.mark.emulators
#: The module (``flask_boiler.views.refresh`` the attribute is the function of that name).
refresh_module = importlib.import_module("flask_boiler.views.refresh")

PATTERN = "fastGatherings/{doc_id}"
PATH = "fastGatherings/big"
#: Past one commit (500 writes): the refresh takes the parallel-batches path.
SIZE = 510


def _expected(db: Any) -> dict[str, dict]:
    """The oracle: every badge recomputed from the final data (the framework's ``compute``
    on the stored domain documents, nothing the refresh kept)."""
    roots = list(Gathering.query().stream())
    return {view.doc_path: view.stored() for view in computed_views(db, Badge, roots)}


def _actual(db: Any) -> dict[str, dict | None]:
    return {s.reference.path: view_content(s) for s in db.collection_group("badges").stream()}


def _event(db: Any, before: Any, path: str = PATH) -> tuple[Any, Any]:
    """The event from snapshot ``before`` to the document as it is now, and the new snapshot."""
    after = db.document(path).get()
    event = document_event(
        path,
        before=before.to_dict() if before is not None else None,
        after=after.to_dict(),
        before_time=before.update_time if before is not None else None,
        after_time=after.update_time,
    )
    return event, after


def _big_gathering(db: Any) -> Any:
    """``SIZE`` people in gathering "big" titled X, its badges written; returns its snapshot."""
    people = [Person.new(f"p{i:03d}", name=f"Person {i}") for i in range(SIZE)]
    with Person.batch() as batch:
        for person in people:
            batch.save(person)
    Gathering.new("big", title="X", people=people).save()
    event, snapshot = _event(db, None)
    handle_document_event(PATTERN, event, (Badge,), db)
    assert {v["title"] for v in _actual(db).values()} == {"X"}
    return snapshot


def _run_before_batches(monkeypatch: pytest.MonkeyPatch, meanwhile: Callable[[], None]) -> list[int]:
    """Make the next parallel commit run ``meanwhile`` first: after the refresh's transaction
    committed, before its batches. Returns the list of batch calls seen (for assertions)."""
    real = refresh_module.commit_in_parallel
    calls: list[int] = []

    def wrapped(*args: Any, **kwargs: Any) -> int:
        calls.append(1)
        if len(calls) == 1:
            meanwhile()
        return real(*args, **kwargs)

    monkeypatch.setattr(refresh_module, "commit_in_parallel", wrapped)
    return calls


def test_a_change_back_handled_between_the_transaction_and_the_batches_wins(clean_firestore, monkeypatch):
    """X→Y (refresh A, stale: the notes changed since, so it compares with the stored views and
    takes the conditional path) then Y→X (refresh B, run in A's seam: it finds the views at X
    and writes nothing: it is stale too, so it compares with them). The views must end at X,
    what the data says."""
    db = clean_firestore.db
    at_x = _big_gathering(db)
    db.document(PATH).update({"title": "Y"})
    to_y, _ = _event(db, at_x)
    db.document(PATH).update({"notes": "read by no badge"})
    at_y = db.document(PATH).get()

    def change_back() -> None:
        db.document(PATH).update({"title": "X"})
        to_x, _ = _event(db, at_y)
        db.document(PATH).update({"notes": "still read by no badge"})  # B is stale too: it compares
        back = handle_document_event(PATTERN, to_x, (Badge,), db)
        assert back.writes == 0  # the views still show X: B has nothing to write

    calls = _run_before_batches(monkeypatch, change_back)
    report = handle_document_event(PATTERN, to_y, (Badge,), db)
    assert calls, "the refresh should have taken the parallel-batches path"
    assert report.stale and report.attempts == 2, "the confirmation should have found the change back"
    assert _actual(db) == _expected(db)
    assert {v["title"] for v in _actual(db).values()} == {"X"}


def test_a_change_during_a_held_refresh_waits_for_its_commit(clean_firestore, monkeypatch):
    """X→Y (refresh A, fresh: its batches go out before its transaction commits) while the
    title goes back to X: that write waits for A's commit, so B, its refresh, finds the views
    A wrote (Y) and writes X over them. Nothing is read twice and no view read at all."""
    db = clean_firestore.db
    at_x = _big_gathering(db)
    db.document(PATH).update({"title": "Y"})
    to_y, at_y = _event(db, at_x)
    landed = threading.Event()
    outcome: list[Any] = []

    def change_back() -> None:
        try:
            for attempt in range(5):  # the emulator gives up waiting for a lock after 2 s: a client retries
                try:
                    db.document(PATH).update({"title": "X"})
                    break
                except Aborted:
                    if attempt == 4:
                        raise
            landed.set()
            to_x, _ = _event(db, at_y)
            outcome.append(handle_document_event(PATTERN, to_x, (Badge,), db))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcome.append(exc)

    other = threading.Thread(target=change_back)

    def meanwhile() -> None:
        other.start()
        assert not landed.wait(0.3), "a write to a source the transaction read should wait for its commit"

    calls = _run_before_batches(monkeypatch, meanwhile)
    report = handle_document_event(PATTERN, to_y, (Badge,), db)
    other.join(60)
    assert calls and not report.stale and report.attempts == 1
    assert report.reads == SIZE + 2, "the gathering, the probe and the people: no stored view"
    assert len(outcome) == 1 and not isinstance(outcome[0], Exception), outcome
    assert outcome[0].writes == SIZE, "B should have found A's views (Y) and rewritten them"
    assert _actual(db) == _expected(db)
    assert {v["title"] for v in _actual(db).values()} == {"X"}


def test_a_reconcile_past_one_commit_is_not_undone_by_its_own_batches(clean_firestore, monkeypatch):
    """The same seam in a reconcile (what rebuilds and repairs run): it reads title Y (the
    event X→Y not handled yet); the title goes back to X and that event's refresh runs in the
    seam (stale: the notes changed since), finding the badges at X. The views must end at X."""
    db = clean_firestore.db
    _big_gathering(db)
    db.document(PATH).update({"title": "Y"})
    at_y = db.document(PATH).get()

    def change_back() -> None:
        db.document(PATH).update({"title": "X"})
        to_x, _ = _event(db, at_y)
        db.document(PATH).update({"notes": "read by no badge"})  # B is stale: it compares
        back = handle_document_event(PATTERN, to_x, (Badge,), db)
        assert back.writes == 0

    calls = _run_before_batches(monkeypatch, change_back)
    reconcile(db, Badge, [PATH])
    assert calls
    assert _actual(db) == _expected(db)
    assert {v["title"] for v in _actual(db).values()} == {"X"}


class Crash(RuntimeError):
    """Stands for the function instance dying after the batches, before the confirmation."""


@pytest.mark.parametrize("stale", [False, True], ids=["held", "conditional"])
def test_a_crash_after_the_batches_leaves_the_redelivery_work_to_do(clean_firestore, monkeypatch, stale):
    """The probe view is stamped only in the transaction that ends the refresh (the one holding
    its sources, or the one confirming them): a delivery that dies after its batches is not
    mistaken for a finished one when the platform redelivers it."""
    db = clean_firestore.db
    at_x = _big_gathering(db)
    db.document(PATH).update({"title": "Y"})
    to_y, _ = _event(db, at_x)
    if stale:
        db.document(PATH).update({"notes": "read by no badge"})
    real = refresh_module.commit_in_parallel

    def crash_after_batches(*args: Any, **kwargs: Any) -> Any:
        monkeypatch.setattr(refresh_module, "commit_in_parallel", real)  # only this once
        real(*args, **kwargs)
        raise Crash()

    monkeypatch.setattr(refresh_module, "commit_in_parallel", crash_after_batches)
    with pytest.raises(Crash):
        handle_document_event(PATTERN, to_y, (Badge,), db)
    titles = [v["title"] for v in _actual(db).values()]
    assert titles.count("Y") == SIZE - 1, "the batches (all but the probe view) landed before the crash"
    db.document(PATH).update({"title": "X"})  # the data goes back meanwhile: the batches' Y is stale
    again = handle_document_event(PATTERN, to_y, (Badge,), db)
    assert not again.duplicate
    assert _actual(db) == _expected(db)
    assert {v["title"] for v in _actual(db).values()} == {"X"}


TITLES = st.sampled_from(["X", "Y", "Z"])


@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(
    titles=st.lists(TITLES, min_size=2, max_size=3),
    order=st.randoms(use_true_random=False),
    data=st.data(),
)
def test_large_refreshes_interleaved_at_the_seam_converge(clean_firestore, emulators, titles, order, data):
    """A few title changes of one large gathering; their events are delivered in any order, and
    one delivery runs inside another's seam (before its batches: after its transaction on the
    conditional path, beside it on the held one)."""
    db = clean_firestore.db
    clear_firestore(emulators)  # each example starts empty (the fixture runs once per test)
    previous = _big_gathering(db)
    events = []
    for title in titles:
        db.document(PATH).update({"title": title})
        event, previous = _event(db, previous)
        events.append(event)
    order.shuffle(events)
    outer, inner = events[0], data.draw(st.sampled_from(events[1:]), label="inner")
    real = refresh_module.commit_in_parallel
    nested: list[threading.Thread] = []
    failed: list[BaseException] = []

    def deliver_inner() -> None:
        try:
            handle_document_event(PATTERN, inner, (Badge,), db)
        except Exception as exc:  # noqa: BLE001 - contention: redelivered below, as the platform would
            failed.append(exc)

    def seam(*args: Any, **kwargs: Any) -> int:
        if not nested:  # the inner delivery runs beside the outer one's batches
            nested.append(threading.Thread(target=deliver_inner))
            nested[0].start()
            nested[0].join(0.3)
        return real(*args, **kwargs)

    refresh_module.commit_in_parallel = seam
    try:
        handle_document_event(PATTERN, outer, (Badge,), db)
    finally:
        refresh_module.commit_in_parallel = real
    for thread in nested:
        thread.join(120)
    for event in events[1:]:
        if event is not inner or not nested or failed:
            handle_document_event(PATTERN, event, (Badge,), db)
    assert _actual(db) == _expected(db)


def test_a_rerun_also_covers_the_views_an_earlier_attempt_wrote(clean_firestore, monkeypatch):
    """The roots a refresh recomputes can shift between attempts: Pat's rename reaches the
    gathering through Pat's membership, read on current data. Here Pat joins (event not handled
    yet), Pat is renamed (refresh A, stale, so on the conditional path: the gathering's 511
    sessions list Pat), and Pat leaves: in
    A's seam, the join's event finds the sessions as stored (without Pat) and writes nothing,
    the leave's rewrites them; A's batches then find them moved (or, landing first, are
    followed by a confirmation that sees the gathering changed). Its rerun must bring back the
    views the first attempt wrote although Pat, on current data, no longer reaches the
    gathering."""
    db = clean_firestore.db
    people = [Person.new(f"q{i:03d}", name=f"Q {i}") for i in range(510)]
    with Person.batch() as batch:
        for person in people:
            batch.save(person)
    pat = Person.new("pat", name="Pat")
    pat.save()
    gathering = Gathering.new("big", title="All hands", people=people)
    gathering.save()
    created, at_created = _event(db, None)
    handle_document_event(PATTERN, created, (Session,), db)
    gathering.update(people=[*people, pat])
    joins, with_pat = _event(db, at_created)  # delivered later
    pat_before = db.document("fastPeople/pat").get()
    db.document("fastPeople/pat").update({"name": "Patricia"})
    renamed, _ = _event(db, pat_before, "fastPeople/pat")
    db.document("fastPeople/pat").update({"nickname": "P"})  # A is stale: it compares, conditionally

    def leaves_meanwhile() -> None:
        gathering.update(people=people)
        leaves, _ = _event(db, with_pat)
        assert handle_document_event(PATTERN, joins, (Session,), db).writes == 0  # stale: as stored
        handle_document_event(PATTERN, leaves, (Session,), db)  # fresh: writes the sessions without Pat

    calls = _run_before_batches(monkeypatch, leaves_meanwhile)
    handle_document_event("fastPeople/{doc_id}", renamed, (Session,), db)
    assert calls
    roots = list(Gathering.query().stream())
    expected = {view.doc_path: view.stored() for view in computed_views(db, Session, roots)}
    actual = {s.reference.path: view_content(s) for s in db.collection_group("sessions").stream()}
    assert actual == expected
