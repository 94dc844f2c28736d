"""Reads of :mod:`flask_boiler._private.document_reads` give the snapshots the client gives.

One document read outside a transaction goes out as a unary ``GetDocument``: the snapshot
must be the one the client's own ``get()`` builds, and the bill the same, found or missing.
Several go out as the client's ``BatchGetDocuments``, decoded by ``value_decoding``: the
snapshots must be the ones the client's ``get_all`` builds, in a transaction too."""

from __future__ import annotations

import datetime

import pytest
from google.cloud import firestore

from flask_boiler._private.document_reads import read_document, read_many, read_one
from flask_boiler.context import Context
from flask_boiler.testing.costs import count_operations
from flask_boiler.transactions import run_in_transaction

pytestmark = pytest.mark.emulators

COLLECTION = "singleReads"  # no trigger watches it


def _as_client_reads(snapshot):
    return (snapshot.exists, snapshot.id, snapshot.to_dict(), snapshot.create_time, snapshot.update_time)


EVERY_TYPE = {
    "text": "naïve \U0001f600",
    "number": 3,
    "ratio": 0.5,
    "flag": True,
    "nothing": None,
    "at": datetime.datetime(2026, 12, 1, 9, 30, 15, 123456, tzinfo=datetime.UTC),
    "raw": b"\x00\xff",
    "place": firestore.GeoPoint(48.85, 2.35),
    "names": ["Ann", "Bob", None, 3, 2.5, True, b"\x01"],
    "nested": {"list": [1, "two", {"three": [3.0]}], "empty": {}},
}


def _with_read_time(snapshot):
    return (*_as_client_reads(snapshot), snapshot.read_time is not None)


def test_a_batch_read_gives_the_snapshots_the_client_gives(clean_firestore):
    db = Context.db
    refs = [db.document(f"{COLLECTION}/batch-{n}") for n in range(3)]
    for ref in refs[:2]:
        ref.set({**EVERY_TYPE, "link": db.document(f"{COLLECTION}/other")})
    ours = {snapshot.reference.path: _with_read_time(snapshot) for snapshot in read_many(db, refs)}
    theirs = {snapshot.reference.path: _with_read_time(snapshot) for snapshot in db.get_all(refs)}
    assert ours == theirs
    assert [ours[ref.path][0] for ref in refs] == [True, True, False]

    def in_transaction(transaction):
        return {snapshot.reference.path: _with_read_time(snapshot) for snapshot in read_many(db, refs, transaction)}

    # The first read begins the transaction (inline); the second goes out with its id.
    first, second = run_in_transaction(lambda t: (in_transaction(t), in_transaction(t)), client=db)
    assert first == second == theirs


def test_a_unary_read_gives_the_snapshot_the_client_gives(clean_firestore):
    db = Context.db
    ref = db.document(f"{COLLECTION}/every-type")
    ref.set({**EVERY_TYPE, "link": db.document(f"{COLLECTION}/other")})
    unary = read_document(ref)
    assert _as_client_reads(unary) == _as_client_reads(ref.get())
    assert unary.get("link").path == f"{COLLECTION}/other"
    assert unary.get("at").microsecond == 123456
    assert unary.reference.path == ref.path


def test_a_missing_document_is_a_snapshot_that_does_not_exist(clean_firestore):
    ref = Context.db.document(f"{COLLECTION}/missing")
    snapshot = read_document(ref)
    assert not snapshot.exists
    assert snapshot.to_dict() is None
    assert snapshot.reference.path == ref.path


def test_found_and_missing_reads_are_billed_one_read_each(clean_firestore):
    Context.db.document(f"{COLLECTION}/here").set({"n": 1})
    with count_operations() as cost:
        assert read_one(Context.db.document(f"{COLLECTION}/here")).exists
        assert not read_one(Context.db.document(f"{COLLECTION}/gone")).exists
    assert (cost.lookups, cost.reads, cost.billed_writes) == (2, 2, 0)
    assert cost.looked_up == [f"{COLLECTION}/here", f"{COLLECTION}/gone"]


def test_in_a_transaction_the_read_goes_through_the_transaction(clean_firestore):
    db = Context.db
    ref = db.document(f"{COLLECTION}/counted")
    ref.set({"n": 1})

    @firestore.transactional
    def bump(transaction):
        snapshot = read_one(ref, transaction)
        transaction.update(ref, {"n": snapshot.get("n") + 1})
        return snapshot

    seen = bump(db.transaction())
    assert seen.get("n") == 1
    assert seen.read_time is not None  # the transaction's lookup, not the unary read
    assert ref.get().get("n") == 2
