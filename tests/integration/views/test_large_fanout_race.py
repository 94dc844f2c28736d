"""A fan-out larger than one commit must not leave views stale when the data changes back
while its parallel batches are on their way.

A large refresh reads its sources and the stored views in a transaction, commits it, and only
then writes the views in conditional batches (:mod:`flask_boiler.views.commit`). The seam
between the two is where a second refresh can run: these tests run it there, deterministically,
by wrapping ``commit_in_parallel`` (the batches) so that the other refresh runs first.

The race they pin down: refresh A (title X→Y) has read the data; the title goes back to X and
refresh B compares X with the views still stored (X: A's batches have not landed) and writes
nothing; then A's batches land, their preconditions hold (nothing touched the views), and the
views would show Y while the data says X — for good, since no event is left to fix them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import pytest
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
    """X→Y (refresh A) then Y→X (refresh B, run in A's seam: it finds the views at X and writes
    nothing). The views must end at X, what the data says."""
    db = clean_firestore.db
    at_x = _big_gathering(db)
    db.document(PATH).update({"title": "Y"})
    to_y, at_y = _event(db, at_x)

    def change_back() -> None:
        db.document(PATH).update({"title": "X"})
        to_x, _ = _event(db, at_y)
        back = handle_document_event(PATTERN, to_x, (Badge,), db)
        assert back.writes == 0  # the views still show X: B has nothing to write

    calls = _run_before_batches(monkeypatch, change_back)
    handle_document_event(PATTERN, to_y, (Badge,), db)
    assert calls, "the refresh should have taken the parallel-batches path"
    assert _actual(db) == _expected(db)
    assert {v["title"] for v in _actual(db).values()} == {"X"}


def test_a_reconcile_past_one_commit_is_not_undone_by_its_own_batches(clean_firestore, monkeypatch):
    """The same seam in a reconcile (what rebuilds and repairs run): it reads title Y (the
    event X→Y not handled yet); the title goes back to X and that event's refresh runs in the
    seam, finding the badges at X. The views must end at X."""
    db = clean_firestore.db
    _big_gathering(db)
    db.document(PATH).update({"title": "Y"})
    at_y = db.document(PATH).get()

    def change_back() -> None:
        db.document(PATH).update({"title": "X"})
        to_x, _ = _event(db, at_y)
        back = handle_document_event(PATTERN, to_x, (Badge,), db)
        assert back.writes == 0

    calls = _run_before_batches(monkeypatch, change_back)
    reconcile(db, Badge, [PATH])
    assert calls
    assert _actual(db) == _expected(db)
    assert {v["title"] for v in _actual(db).values()} == {"X"}


class Crash(RuntimeError):
    """Stands for the function instance dying after the batches, before the confirmation."""


def test_a_crash_before_the_confirmation_leaves_the_redelivery_work_to_do(clean_firestore, monkeypatch):
    """The probe view is stamped only in the confirming transaction: a delivery that dies after
    its batches is not mistaken for a finished one when the platform redelivers it."""
    db = clean_firestore.db
    at_x = _big_gathering(db)
    db.document(PATH).update({"title": "Y"})
    to_y, _ = _event(db, at_x)
    real = refresh_module._confirm

    def crash_after_batches(*args: Any, **kwargs: Any) -> Any:
        monkeypatch.setattr(refresh_module, "_confirm", real)  # only this once
        raise Crash()

    monkeypatch.setattr(refresh_module, "_confirm", crash_after_batches)
    with pytest.raises(Crash):
        handle_document_event(PATTERN, to_y, (Badge,), db)
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
    one delivery runs inside another's seam (after its transaction, before its batches)."""
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
    nested: list[Any] = []

    def seam(*args: Any, **kwargs: Any) -> int:
        if not nested:
            nested.append(inner)
            handle_document_event(PATTERN, inner, (Badge,), db)
        return real(*args, **kwargs)

    refresh_module.commit_in_parallel = seam
    try:
        handle_document_event(PATTERN, outer, (Badge,), db)
    finally:
        refresh_module.commit_in_parallel = real
    for event in events[1:]:
        if event is not inner or not nested:
            handle_document_event(PATTERN, event, (Badge,), db)
    assert _actual(db) == _expected(db)


def test_a_rerun_also_covers_the_views_an_earlier_attempt_wrote(clean_firestore, monkeypatch):
    """The roots a refresh recomputes can shift between attempts: Pat's rename reaches the
    gathering through Pat's membership, read on current data. Here Pat joins (event not handled
    yet), Pat is renamed (refresh A: the gathering's 511 sessions list Pat), and Pat leaves: in
    A's seam, both gathering events find the sessions as stored (without Pat) and write nothing;
    A's batches then write Pat into every session. A's confirmation sees the gathering changed;
    its rerun must bring back the views the first attempt wrote although Pat, on current data,
    no longer reaches the gathering."""
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

    def leaves_meanwhile() -> None:
        gathering.update(people=people)
        leaves, _ = _event(db, with_pat)
        assert handle_document_event(PATTERN, joins, (Session,), db).writes == 0  # stale: as stored
        assert handle_document_event(PATTERN, leaves, (Session,), db).writes == 0

    calls = _run_before_batches(monkeypatch, leaves_meanwhile)
    handle_document_event("fastPeople/{doc_id}", renamed, (Session,), db)
    assert calls
    roots = list(Gathering.query().stream())
    expected = {view.doc_path: view.stored() for view in computed_views(db, Session, roots)}
    actual = {s.reference.path: view_content(s) for s in db.collection_group("sessions").stream()}
    assert actual == expected
