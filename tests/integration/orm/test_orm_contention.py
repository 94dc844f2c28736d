"""Contention on the emulator: membership and counters without read-modify-write, and
transactions that give up raising ContentionError (not the client's bare ValueError)."""

from __future__ import annotations

import pytest

from flask_boiler import fields, schema
from flask_boiler.domain_model import DomainModel
from flask_boiler.errors import ContentionError, ValidationError
from flask_boiler.models import ArrayRemove, ArrayUnion, Increment, Maximum
from flask_boiler.transactions import run_in_transaction, transactional
from shared_models.domain import Meeting, User
from tests.threads import run_together


class TallySchema(schema.Schema):
    count = fields.Integer(load_default=0)
    total = fields.Float(load_default=0.0)
    tags = fields.List(fields.String(), load_default=list)
    label = fields.String()


class Tally(DomainModel):
    class Meta:
        collection_name = "tallies"
        schema_cls = TallySchema


def test_concurrent_joins_and_leaves_of_the_example_all_land(clean_firestore):
    """Issue 12: joins rewrote the whole attendee list; concurrent joins were lost or aborted."""
    users = [User.new(f"u{index:02d}", first_name="U", last_name=str(index)) for index in range(24)]
    with User.batch() as batch:
        for user in users:
            user.save(batch=batch)
    Meeting.new("hot", title="Hot meeting", attendees=users[:4]).save()

    def join(index: int) -> None:
        Meeting.get_or_raise("hot").join(users[index])

    assert run_together(join, range(len(users))) == []
    assert sorted(user.doc_id for user in Meeting.get_or_raise("hot").attendees) == [user.doc_id for user in users]

    def leave(index: int) -> None:
        if index % 2:
            Meeting.get_or_raise("hot").leave(users[index].doc_id)

    assert run_together(leave, range(len(users))) == []
    assert sorted(user.doc_id for user in Meeting.get_or_raise("hot").attendees) == [
        user.doc_id for index, user in enumerate(users) if index % 2 == 0
    ]


def test_join_inside_a_transaction_does_not_read_the_list(clean_firestore):
    User.new("ann", first_name="Ann", last_name="Lee").save()
    User.new("bob", first_name="Bob", last_name="Ray").save()
    meeting = Meeting.new("m", title="M", attendees=[User.get_or_raise("ann")])
    meeting.save()

    @transactional
    def join(transaction, user_ref):
        Meeting.get_or_raise("m", transaction=transaction).join(user_ref, transaction=transaction)

    with pytest.raises(ValidationError) as info:  # the element is checked like one of attendees: a User's reference
        join(clean_firestore.db.document("rooms/x"))
    assert info.value.fields == ["attendees"]
    join(User.ref_for("bob"))
    assert [user.doc_id for user in Meeting.get_or_raise("m").attendees] == ["ann", "bob"]


def test_counters_increment_without_reading(clean_firestore):
    Tally.new("t").save()

    def add(index: int) -> None:
        Tally.create("t").update(count=Increment(1), total=Increment(0.5))  # an unread instance: no read at all

    assert run_together(add, range(20)) == []
    stored = Tally.get_or_raise("t")
    assert (stored.count, stored.total) == (20, 10.0)


def test_server_values_are_validated_against_the_field_and_write_nothing_when_wrong(clean_firestore):
    Tally.new("t", tags=["a"], label="x").save()
    tally = Tally.get_or_raise("t")
    for change in (
        {"tags": ArrayUnion([1])},
        {"count": Increment(1.5)},
        {"label": Increment(1)},
        {"label": ArrayUnion(["a"])},
    ):
        with pytest.raises(ValidationError) as info:
            tally.update(**change)
        assert info.value.fields == list(change)
    assert clean_firestore.db.document("tallies/t").get().to_dict() == {
        "count": 0,
        "total": 0.0,
        "tags": ["a"],
        "label": "x",
    }
    assert tally.tags == ["a"] and tally.count == 0  # attributes kept their values


def test_the_instance_holds_the_transform_applied_and_does_not_write_it_back(clean_firestore):
    Tally.new("t", tags=["a"], count=5).save()
    mine = Tally.get_or_raise("t")
    mine.update(tags=ArrayUnion(["b", "a"]), count=Maximum(3))
    assert (mine.tags, mine.count) == (["a", "b"], 5)
    Tally.get_or_raise("t").update(tags=ArrayUnion(["c"]))  # someone else, concurrently
    mine.label = "renamed"
    mine.update()  # writes only what changed here: the label, not the whole list
    assert Tally.get_or_raise("t").tags == ["a", "b", "c"]
    mine.update(tags=ArrayRemove(["a"]))
    assert mine.tags == ["b"]  # applied to what this instance holds; reload() shows the server's
    assert mine.reload().tags == ["b", "c"]


def test_a_transaction_that_keeps_aborting_raises_contention_error(clean_firestore):
    """Issue 12: the client wrapped the final Aborted in a bare ValueError (an HTTP 500)."""
    Tally.new("hot").save()

    @transactional(max_attempts=1)
    def bump(transaction):
        tally = Tally.get_or_raise("hot", transaction=transaction)
        tally.update(count=tally.count + 1, transaction=transaction)

    errors = run_together(lambda index: bump(), range(12))
    assert errors, "12 concurrent single-attempt read-modify-writes of one document: some must abort"
    assert all(isinstance(error, ContentionError) and error.attempts == 1 for error in errors), errors
    assert Tally.get_or_raise("hot").count == 12 - len(errors)  # the failed ones wrote nothing


def test_run_in_transaction_reports_the_attempts(clean_firestore):
    Tally.new("hot").save()

    def bump(transaction):
        tally = Tally.get_or_raise("hot", transaction=transaction)
        tally.update(count=tally.count + 1, transaction=transaction)

    errors = run_together(lambda index: run_in_transaction(bump, max_attempts=2), range(12))
    assert all(isinstance(error, ContentionError) and error.attempts == 2 for error in errors), errors
    assert Tally.get_or_raise("hot").count == 12 - len(errors)
