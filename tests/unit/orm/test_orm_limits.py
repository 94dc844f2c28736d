"""Firestore's limits as pure functions (their agreement with the emulator: tests/integration/orm/test_orm_limits.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from google.cloud import firestore

from flask_boiler.errors import EncodingError, StorageLimitError, ValidationError
from flask_boiler.models import limits
from tests.ids import stable_id


def test_document_size_follows_firestores_storage_size_formula():
    # https://firebase.google.com/docs/firestore/storage-size, the worked example:
    # users/jeff/tasks/my_task_id with type "Personal", done false, priority 1, description.
    data = {"type": "Personal", "done": False, "priority": 1, "description": "Learn Cloud Firestore"}
    assert limits.document_name_size("users/jeff/tasks/my_task_id") == 44
    assert limits.document_size("users/jeff/tasks/my_task_id", data) == 147


@pytest.mark.parametrize(
    ("value", "size"),
    [(None, 1), (True, 1), (7, 8), (1.5, 8), ("héllo", 7), (b"abc", 3), ([1, "a"], 10), ({"k": 1}, 10)],
)
def test_value_sizes(value, size):
    assert limits.document_size("c/d", {"f": value}) == limits.document_name_size("c/d") + 2 + size + 32


def _kinds(value):
    return sorted({kind for kind, _where, _message in limits.value_problems(value)})


def nested(depth):
    value = 1
    for _ in range(depth):
        value = {"a": value}
    return value


@pytest.mark.parametrize(
    ("value", "kinds"),
    [
        ("fine", []),
        ("a\ud800", ["encoding"]),
        ({"a\udfff": 1}, ["encoding"]),
        (2**63, ["limit"]),
        (-(2**63), []),
        ("x" * limits.MAX_VALUE_BYTES, []),
        ("x" * (limits.MAX_VALUE_BYTES + 1), ["limit"]),
        (b"x" * (limits.MAX_VALUE_BYTES + 1), ["limit"]),
        (nested(limits.MAX_DEPTH), []),
        (nested(limits.MAX_DEPTH + 1), ["limit"]),
        pytest.param(nested(5000), ["limit"], id="nested-5000"),  # reported, not a RecursionError
        ([[1]], ["limit"]),
        ({"": 1}, ["limit"]),
        ({"__name__": 1}, ["limit"]),
        ({"_ok_": 1}, []),
        ([firestore.Increment(1)], ["type"]),
        ((1, 2), ["type"]),
        (dt.datetime(2024, 1, 1), ["type"]),
        (dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=2))), ["limit"]),
        (firestore.GeoPoint(91, 0), ["limit"]),
        (object(), ["type"]),
    ],
    ids=lambda item: stable_id(item, 30) if not isinstance(item, dict) or len(repr(item)) < 200 else "deep",
)
def test_value_problems(value, kinds):
    assert _kinds(value) == kinds


def test_field_paths_count_map_keys_through_arrays():
    at_limit = {"k" * 749: [{"j" * 749: 1}]}  # "k...k.j...j" is 1,499 bytes
    over = {"k" * 749: [{"j" * 751: 1}]}
    assert limits.storage_problems(at_limit) == {}
    assert list(limits.storage_problems(over)) == ["limit"]


@pytest.mark.parametrize(
    ("doc_id", "ok"),
    [
        ("abc", True),
        ("x" * 1500, True),
        ("x" * 1501, False),
        ("é" * 751, False),
        ("__id__", False),
        (".", False),
        ("a/b", False),
        ("a\ud800", False),
        ("", False),
    ],
    ids=lambda item: stable_id(item, 20),
)
def test_document_ids(doc_id, ok):
    assert (limits.document_id_problem(doc_id) is None) is ok


def test_check_storable_names_attributes_and_picks_the_error_type():
    with pytest.raises(EncodingError) as info:
        limits.check_storable({"tTl": "a\ud800", "n": 2**64}, names={"tTl": "title"})
    assert info.value.fields == ["title"]  # encoding first; the integer is a limit problem
    with pytest.raises(StorageLimitError) as info:
        limits.check_storable({"n": 2**64})
    assert info.value.fields == ["n"]
    with pytest.raises(ValidationError) as info:
        limits.check_storable({"t": (1,)})
    assert type(info.value) is ValidationError


def test_oversized_documents_name_their_largest_fields():
    data = {"small": "s", "big": "x" * 700_000, "medium": "y" * 400_000}
    problems = limits.storage_problems(data, path="c/d")["limit"]
    assert sorted(problems) == ["big"]  # removing "big" alone makes it fit
    assert limits.storage_problems(data) == {}  # no path: size not checked
