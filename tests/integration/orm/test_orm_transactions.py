"""Transactions retried on contention; batches past 500 writes."""

from __future__ import annotations

import contextlib
import threading

import pytest

from flask_boiler import fields, schema
from flask_boiler.batch import WriteBatch
from flask_boiler.domain_model import DomainModel
from flask_boiler.errors import DocumentAlreadyExists
from flask_boiler.transactions import transactional
from tests.threads import run_together


class CounterSchema(schema.Schema):
    value = fields.Integer(load_default=0)


class Counter(DomainModel):
    value: int

    class Meta:
        collection_name = "counters"
        schema_cls = CounterSchema


def test_conflicting_transactions_retry_and_both_apply(clean_firestore):
    Counter.new("c", value=0).save()
    attempts: list[str] = []
    both_read = threading.Barrier(2)

    @transactional(max_attempts=10)
    def increment(transaction, name):
        attempts.append(name)
        counter = Counter.get_or_raise("c", transaction=transaction)
        if attempts.count(name) == 1:  # first attempt of each thread: make sure both have read
            with contextlib.suppress(threading.BrokenBarrierError):
                both_read.wait(timeout=5)
        counter.update(value=counter.value + 1, transaction=transaction)

    assert run_together(increment, ["a", "b"]) == []
    assert len(attempts) > 2  # at least one of the two transactions was retried
    assert Counter.get("c").value == 2


def test_transaction_writes_are_atomic_with_reads(clean_firestore):
    Counter.new("a", value=10).save()
    Counter.new("b", value=0).save()

    @transactional
    def move(transaction, amount):
        src = Counter.get_or_raise("a", transaction=transaction)
        dst = Counter.get_or_raise("b", transaction=transaction)
        src.update(value=src.value - amount, transaction=transaction)
        dst.update(value=dst.value + amount, transaction=transaction)
        Counter.new("log").save(transaction=transaction)
        return src.value, dst.value

    assert move(4) == (6, 4)
    assert (Counter.get("a").value, Counter.get("b").value) == (6, 4)
    assert Counter.get("log") is not None


def test_failing_transaction_writes_nothing(clean_firestore):
    Counter.new("x", value=1).save()

    @transactional
    def broken(transaction):
        counter = Counter.get_or_raise("x", transaction=transaction)
        counter.update(value=99, transaction=transaction)
        raise RuntimeError("abort")

    with pytest.raises(RuntimeError):
        broken()
    assert Counter.get("x").value == 1


def test_batch_commits_in_chunks_past_500(clean_firestore):
    with Counter.batch() as batch:
        for index in range(1201):
            Counter.new(f"n{index:04d}", value=index).save(batch=batch)
    assert batch.commits == 3 and batch.written == 1201
    assert Counter.query().count() == 1201
    assert Counter.get("n1200").value == 1200

    with WriteBatch() as deleting:
        for counter in Counter.query().limit(600):
            deleting.delete(counter)
    assert deleting.commits == 2
    assert Counter.query().count() == 601


def test_batch_is_discarded_on_error(clean_firestore):
    with pytest.raises(RuntimeError), Counter.batch() as batch:
        Counter.new("never", value=1).save(batch=batch)
        raise RuntimeError("stop")
    assert Counter.get("never") is None


def test_create_only_conflict_at_batch_commit(clean_firestore):
    Counter.new("dup").save()
    from google.api_core.exceptions import AlreadyExists

    with pytest.raises((AlreadyExists, DocumentAlreadyExists)), Counter.batch() as batch:
        batch.insert(Counter.new("dup"))
