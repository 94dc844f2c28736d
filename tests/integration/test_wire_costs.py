"""count_operations counts what Firestore bills, at the wire, through a proxy in front of the emulator.

Each scenario has a known bill (Firestore's pricing rules), so a counter that missed an RPC,
counted a rejected one, or leaked counts outside its block fails here.
"""

from __future__ import annotations

import pytest
from google.api_core import exceptions as api_exceptions
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from flask_boiler.context import Context
from flask_boiler.testing.costs import FirestoreMeter, MeterError, count_operations

pytestmark = pytest.mark.emulators

COLLECTION = "meterDocs"  # no trigger watches it


def test_lookups_queries_and_commits_are_billed_like_firestore(clean_firestore):
    with count_operations() as cost:
        db = Context.db
        batch = db.batch()
        for name in ("a", "b", "c"):
            batch.set(db.document(f"{COLLECTION}/{name}"), {"n": name})
        batch.commit()
    assert (cost.commits, cost.writes, cost.deletes, cost.reads) == (1, 3, 0, 0)

    with count_operations() as cost:
        db = Context.db
        found = list(db.get_all([db.document(f"{COLLECTION}/a"), db.document(f"{COLLECTION}/missing")]))
        assert len(found) == 2
        assert [
            doc.id for doc in db.collection(COLLECTION).where(filter=FieldFilter("n", "in", ["a", "b"])).stream()
        ] == ["a", "b"]
        assert list(db.collection(COLLECTION).where(filter=FieldFilter("n", "==", "nobody")).stream()) == []
        assert db.collection(COLLECTION).count().get()[0][0].value == 3
    # 2 looked up (a missing one is billed too) + 2 returned + 1 for the empty query + 1 aggregation
    assert cost.reads == 6
    assert (cost.lookups, cost.queries, cost.billed_writes) == (1, 3, 0)
    assert sorted(cost.looked_up) == [f"{COLLECTION}/a", f"{COLLECTION}/missing"]

    with count_operations() as cost:
        Context.db.document(f"{COLLECTION}/c").delete()
    assert (cost.writes, cost.deletes, cost.commits) == (0, 1, 1)


def test_transactions_and_bulk_writer_are_seen(clean_firestore):
    with count_operations() as cost:
        db = Context.db

        @firestore.transactional
        def bump(transaction, ref):
            snapshot = ref.get(transaction=transaction)
            transaction.set(ref, {"n": (snapshot.get("n") if snapshot.exists else 0) + 1})

        bump(db.transaction(), db.document(f"{COLLECTION}/counter"))
        writer = db.bulk_writer()
        for index in range(4):
            writer.set(db.document(f"{COLLECTION}/bulk{index}"), {"n": index})
        writer.close()
    assert cost.reads == 1 and cost.looked_up == [f"{COLLECTION}/counter"]
    assert cost.writes == 1 + 4  # the transaction's commit and the BatchWrite calls


def test_a_rejected_write_bills_nothing_and_its_error_reaches_the_caller(clean_firestore):
    Context.db.document(f"{COLLECTION}/taken").set({"n": 1})
    with count_operations() as cost, pytest.raises(api_exceptions.Conflict):
        Context.db.document(f"{COLLECTION}/taken").create({"n": 2})
    assert cost.billed_writes == 0 and cost.commits == 0
    assert Context.db.document(f"{COLLECTION}/taken").get().to_dict() == {"n": 1}


def test_only_the_block_is_counted_and_the_usual_client_comes_back(clean_firestore):
    usual = Context.db
    with count_operations() as cost:
        assert Context.db is cost.db and cost.db is not usual
        Context.db.document(f"{COLLECTION}/inside").set({"n": 1})
        usual.document(f"{COLLECTION}/direct").set({"n": 2})  # a client fetched before: not counted
    usual.document(f"{COLLECTION}/after").set({"n": 3})
    assert cost.writes == 1
    assert Context.db is usual


def test_measurements_of_one_meter_see_only_their_own_block(clean_firestore, emulators):
    with FirestoreMeter(emulators.firestore_host) as meter:
        db = meter.client(emulators.project_id)
        try:
            with meter.measure() as outer:
                db.document(f"{COLLECTION}/one").set({"n": 1})
                with meter.measure() as inner:
                    db.document(f"{COLLECTION}/two").get()
            assert (outer.writes, outer.reads) == (1, 1)
            assert (inner.writes, inner.reads) == (0, 1)
        finally:
            db.close()


def test_a_block_that_counted_nothing_is_an_error_unless_that_is_the_point(clean_firestore):
    captured = Context.db
    with pytest.raises(MeterError, match="fetched before"), count_operations():
        captured.document(f"{COLLECTION}/x").get()  # not through the meter: would count 0
    with count_operations(expect_calls=False) as cost:
        pass
    assert cost.calls == 0
