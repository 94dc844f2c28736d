"""Transactions begun by their first lookup (``new_transaction``), on the emulator, counted at the wire.

What must hold: no ``BeginTransaction`` round trip when the first read is a lookup; reads made
that way are inside the transaction (a concurrent read-modify-write is not lost); reads that
come first another way (a query) still run in a transaction; a transaction that read nothing
and wrote nothing sends nothing; a failed one writes nothing and holds no lock.
"""

from __future__ import annotations

import contextlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from google.cloud.firestore_v1 import FieldFilter

from flask_boiler.context import Context
from flask_boiler.testing.costs import count_operations
from flask_boiler.transactions import run_in_transaction
from shared_models.domain import User
from tests.threads import run_together

pytestmark = pytest.mark.emulators

POOL = ThreadPoolExecutor(2, thread_name_prefix="begin-ahead-test")


def _value(db, path):
    return db.document(path).get().to_dict()["n"]


def test_a_lookup_first_transaction_makes_two_calls(clean_firestore):
    db = Context.db
    db.document("tallies/a").set({"n": 1})

    def bump(transaction):
        (snapshot,) = transaction.get_all([db.document("tallies/a")])
        transaction.update(snapshot.reference, {"n": snapshot.get("n") + 1})

    with count_operations() as cost:
        run_in_transaction(bump, client=cost.db)
    assert (cost.calls, cost.lookups, cost.commits, cost.writes) == (2, 1, 1, 1)  # no BeginTransaction
    assert _value(db, "tallies/a") == 2


def test_model_reads_in_a_transaction_begin_it_too(clean_firestore):
    User.new("ann", first_name="Ann", last_name="Lee").save()

    def rename(transaction):
        user = User.get_or_raise("ann", transaction=transaction)
        user.update(first_name=user.first_name + "!", transaction=transaction)

    with count_operations() as cost:
        run_in_transaction(rename)
    assert (cost.calls, cost.lookups, cost.commits) == (2, 1, 1)
    assert User.get_or_raise("ann").first_name == "Ann!"


def test_reads_begun_inline_are_inside_the_transaction(clean_firestore):
    """Two read-modify-writes that both read before either commits: one is retried, none lost."""
    db = Context.db
    db.document("tallies/hot").set({"n": 0})
    both_read = threading.Barrier(2)
    attempts: list[str] = []

    def increment(transaction, name):
        attempts.append(name)
        (snapshot,) = transaction.get_all([db.document("tallies/hot")])
        if attempts.count(name) == 1:
            with contextlib.suppress(threading.BrokenBarrierError):
                both_read.wait(timeout=5)
        transaction.update(snapshot.reference, {"n": snapshot.get("n") + 1})

    assert run_together(lambda name: run_in_transaction(increment, name, max_attempts=10, client=db), ["a", "b"]) == []
    assert len(attempts) > 2  # one of them was retried
    assert _value(db, "tallies/hot") == 2


def test_a_query_first_transaction_begins_the_usual_way(clean_firestore):
    db = Context.db
    db.document("tallies/q").set({"n": 5})

    def bump_matches(transaction):
        query = Context.db.collection("tallies").where(filter=FieldFilter("n", ">=", 5))
        for snapshot in query.stream(transaction=transaction):
            transaction.update(snapshot.reference, {"n": snapshot.get("n") + 1})

    with count_operations() as cost:
        run_in_transaction(bump_matches, client=cost.db)
    assert (cost.calls, cost.queries, cost.commits) == (3, 1, 1)  # BeginTransaction, RunQuery, Commit
    assert _value(db, "tallies/q") == 6


def test_a_lookup_and_queries_side_by_side_share_the_transaction(clean_firestore):
    """The engine's first wave: the lookup begins, queries started alongside wait for its id."""
    db = Context.db
    db.document("tallies/x").set({"n": 1})
    db.document("tallies/y").set({"n": 2})

    def wave(transaction):
        assert transaction.reserve_beginning()
        results: dict[str, int] = {}

        def query():
            tallies = Context.db.collection("tallies")  # the metered client, inside count_operations
            found = tallies.where(filter=FieldFilter("n", "==", 2)).stream(transaction=transaction)
            results["query"] = len(list(found))

        thread = threading.Thread(target=query)
        thread.start()  # before or after the lookup has begun: either way it reads with the lookup's id
        results["lookup"] = len(list(transaction.get_all([db.document("tallies/x")])))
        thread.join(timeout=30)
        transaction.set(db.document("tallies/z"), {"n": 3})
        return results

    with count_operations() as cost:
        assert run_in_transaction(wave, client=cost.db) == {"query": 1, "lookup": 1}
    assert (cost.calls, cost.lookups, cost.queries, cost.commits) == (3, 1, 1, 1)


def test_an_empty_transaction_sends_nothing(clean_firestore):
    with count_operations(expect_calls=False) as cost:
        assert run_in_transaction(lambda transaction: "done", client=cost.db) == "done"
    assert cost.calls == 0


def test_a_failed_transaction_writes_nothing_and_releases_its_locks(clean_firestore):
    db = Context.db
    db.document("tallies/f").set({"n": 1})

    def fail(transaction):
        (snapshot,) = transaction.get_all([db.document("tallies/f")])
        transaction.update(snapshot.reference, {"n": 99})
        raise KeyError("boom")

    with pytest.raises(KeyError):
        run_in_transaction(fail, client=db)
    assert _value(db, "tallies/f") == 1
    started = time.monotonic()
    db.document("tallies/f").update({"n": 2})  # not waiting on a lock the failed transaction kept
    assert time.monotonic() - started < 5
    assert _value(db, "tallies/f") == 2


def test_begun_ahead_a_lookup_and_a_query_go_out_together_inside_it(clean_firestore):
    """``begin_ahead``: BeginTransaction is sent at once; the lookup and the query then both
    carry its id (neither waits for the other), and the commit succeeds in it."""
    db = Context.db
    db.document("tallies/x").set({"n": 1})
    db.document("tallies/y").set({"n": 2})

    def wave(transaction):
        assert transaction.begin_ahead(POOL)
        assert not transaction.begin_ahead(POOL) and not transaction.reserve_beginning()  # one beginning
        results: dict[str, int] = {}

        def query():
            tallies = Context.db.collection("tallies")
            results["query"] = len(
                list(tallies.where(filter=FieldFilter("n", "==", 2)).stream(transaction=transaction))
            )

        thread = threading.Thread(target=query)
        thread.start()
        (snapshot,) = transaction.get_all([db.document("tallies/x")])
        thread.join(timeout=30)
        transaction.update(snapshot.reference, {"n": snapshot.get("n") + 10})
        return results

    with count_operations() as cost:
        assert run_in_transaction(wave, client=cost.db) == {"query": 1}
    assert (cost.calls, cost.lookups, cost.queries, cost.commits) == (4, 1, 1, 1)  # Begin, lookup, query, commit
    assert _value(db, "tallies/x") == 11


def test_a_transaction_begun_ahead_that_fails_releases_its_locks(clean_firestore):
    db = Context.db
    db.document("tallies/g").set({"n": 1})

    def fail(transaction):
        transaction.begin_ahead(POOL)
        (snapshot,) = transaction.get_all([db.document("tallies/g")])
        transaction.update(snapshot.reference, {"n": 99})
        raise KeyError("boom")

    with pytest.raises(KeyError):
        run_in_transaction(fail, client=db)
    started = time.monotonic()
    db.document("tallies/g").update({"n": 2})  # not waiting on a lock the failed transaction kept
    assert time.monotonic() - started < 5
    assert _value(db, "tallies/g") == 2


def test_a_transaction_begun_ahead_that_read_nothing_commits_nothing(clean_firestore):
    def nothing(transaction):
        assert transaction.begin_ahead(POOL)
        return "done"

    with count_operations() as cost:
        assert run_in_transaction(nothing, client=cost.db) == "done"
    assert (cost.lookups, cost.queries, cost.writes) == (0, 0, 0)
