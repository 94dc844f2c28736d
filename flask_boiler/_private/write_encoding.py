"""Whole-document replacement writes, encoded straight into protobuf messages.

Why: the Firestore client encodes a ``set()`` through proto-plus wrappers, one Python object
per value, and copies each into its parent; for the four small views a meeting's title change
writes, that was about a tenth of a view trigger's run. :func:`replace_write` builds the same
``Write`` (``update`` of the whole document, no mask, no precondition: exactly what the
client's ``set()`` without ``merge`` sends for data without sentinels) by filling the
protobuf message in place.

Plain JSON-like values (``None``, ``bool``, ``int``, ``float``, ``str``, ``list``, ``dict``
with string keys) are written directly; any other value (timestamps, references, geo points,
bytes, vectors) is encoded by the client's own ``encode_value``, so every value is encoded
exactly as the client would. Sentinels (``SERVER_TIMESTAMP``, ``DELETE_FIELD``, transforms)
are not values: :class:`UnsupportedValue` says the caller must use the client's ``set()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from google.cloud.firestore_v1 import _helpers
from google.cloud.firestore_v1.transforms import Sentinel, _ValueList
from google.cloud.firestore_v1.types import Value, Write

__all__ = ["UnsupportedValue", "replace_write"]

_NULL = 0  # google.protobuf.NullValue.NULL_VALUE


class UnsupportedValue(Exception):
    """Internal: the data holds a sentinel or transform, which only the client's ``set()`` handles."""


def replace_write(name: str, data: Mapping[str, Any]) -> Write:
    """The ``Write`` replacing the document ``name`` (its full resource name) with ``data``."""
    write = Write.pb()()
    document = write.update
    document.name = name
    fields = document.fields
    for key, value in data.items():
        _encode_into(fields[key], value)
    return cast(Write, Write.wrap(write))


def _encode_into(target: Any, value: Any) -> None:
    kind = type(value)
    if kind is str:
        target.string_value = value
    elif kind is bool:
        target.boolean_value = value
    elif kind is int:
        target.integer_value = value
    elif kind is float:
        target.double_value = value
    elif value is None:
        target.null_value = _NULL
    elif kind is dict:
        fields = target.map_value.fields
        if not value:
            target.map_value.SetInParent()
        for key, item in value.items():
            _encode_into(fields[key], item)
    elif kind is list:
        values = target.array_value.values
        if not value:
            target.array_value.SetInParent()
        for item in value:
            _encode_into(values.add(), item)
    elif isinstance(value, (Sentinel, _ValueList)):
        raise UnsupportedValue(type(value).__name__)
    else:
        target.CopyFrom(Value.pb(_helpers.encode_value(value)))
