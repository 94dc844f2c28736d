"""The views' replacement writes, encoded into protobuf directly, are byte for byte what the
Firestore client's ``set()`` sends (a property over every kind of value a document holds)."""

from __future__ import annotations

import datetime

import pytest
from google.cloud.firestore_v1 import SERVER_TIMESTAMP, GeoPoint, _helpers
from google.cloud.firestore_v1.transforms import ArrayUnion
from google.cloud.firestore_v1.types import Document, Write
from hypothesis import given, settings
from hypothesis import strategies as st

from flask_boiler._private.write_encoding import UnsupportedValue, replace_write

NAME = "projects/p/databases/(default)/documents/users/ann/meetingSessions/standup"

leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False),
    st.text(),
    st.binary(),
    st.datetimes(timezones=st.just(datetime.UTC)),
    st.builds(GeoPoint, st.floats(-90, 90), st.floats(-180, 180)),
)
values = st.recursive(
    leaves,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(), inner, max_size=4)),
    max_leaves=20,
)


def _client_write(data: dict) -> bytes:
    """What ``set(data)`` without merge sends (``pbs_for_set_no_merge`` for data without sentinels)."""
    write = Write(update=Document(name=NAME, fields=_helpers.encode_dict(data)))
    return Write.pb(write).SerializeToString(deterministic=True)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(), values, max_size=6))
def test_a_replacement_write_is_the_clients_set(data):
    ours = Write.pb(replace_write(NAME, data)).SerializeToString(deterministic=True)
    assert ours == _client_write(data)


def test_empty_maps_and_lists_keep_their_kind():
    write = Write.pb(replace_write(NAME, {"m": {}, "l": [], "n": None}))
    fields = write.update.fields
    assert (fields["m"].WhichOneof("value_type"), fields["l"].WhichOneof("value_type")) == ("map_value", "array_value")
    assert fields["n"].WhichOneof("value_type") == "null_value"


@pytest.mark.parametrize("sentinel", [SERVER_TIMESTAMP, ArrayUnion([1])])
def test_sentinels_are_left_to_the_client(sentinel):
    with pytest.raises(UnsupportedValue):
        replace_write(NAME, {"nested": {"at": sentinel}})
