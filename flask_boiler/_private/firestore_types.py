"""Lazy access to google-cloud-firestore types.

Importing ``google.cloud.firestore`` costs ~0.2 s. Schema and field modules are
imported by every ``functions/main.py`` at cold start, so they reach Firestore types
through these helpers, which import the client library on first *use* instead.
"""

from __future__ import annotations

import functools
from types import ModuleType
from typing import Any

__all__ = [
    "ARRAY_REMOVE",
    "ARRAY_TRANSFORMS",
    "ARRAY_UNION",
    "DELETE_FIELD",
    "INCREMENT",
    "MAXIMUM",
    "MINIMUM",
    "NUMERIC_TRANSFORMS",
    "SERVER_TIMESTAMP",
    "document_reference_type",
    "field_path_repr",
    "firestore",
    "geo_point_type",
    "is_server_value",
    "server_value_kind",
    "vector_type",
]

# What a server value asks Firestore to do (see server_value_kind).
ARRAY_UNION = "array_union"
ARRAY_REMOVE = "array_remove"
INCREMENT = "increment"
MAXIMUM = "maximum"
MINIMUM = "minimum"
SERVER_TIMESTAMP = "server_timestamp"
DELETE_FIELD = "delete_field"
#: Kinds that change an array by elements / a number by an operand.
ARRAY_TRANSFORMS = (ARRAY_UNION, ARRAY_REMOVE)
NUMERIC_TRANSFORMS = (INCREMENT, MAXIMUM, MINIMUM)


@functools.cache
def firestore() -> ModuleType:
    """The ``google.cloud.firestore`` module, imported on first call."""
    from google.cloud import firestore as module

    return module


@functools.cache
def _server_value_types() -> tuple[type, ...]:
    from google.cloud.firestore_v1 import transforms

    return (transforms.Sentinel, transforms._ValueList, transforms._NumericValue)


def is_server_value(value: Any) -> bool:
    """True for values Firestore computes at write time (SERVER_TIMESTAMP, Increment, ArrayUnion, DELETE_FIELD...).

    Fields check them against their type (``fields.Field.to_storage``); they skip validators.
    """
    if value is None or isinstance(value, (str, int, float, bool, list, dict)):
        return False  # fast path: the common plain values are never transforms
    return isinstance(value, _server_value_types())


@functools.cache
def _server_value_kinds() -> dict[Any, str]:
    from google.cloud.firestore_v1 import transforms

    return {
        transforms.ArrayUnion: ARRAY_UNION,
        transforms.ArrayRemove: ARRAY_REMOVE,
        transforms.Increment: INCREMENT,
        transforms.Maximum: MAXIMUM,
        transforms.Minimum: MINIMUM,
        id(transforms.SERVER_TIMESTAMP): SERVER_TIMESTAMP,
        id(transforms.DELETE_FIELD): DELETE_FIELD,
    }


def server_value_kind(value: Any) -> str | None:
    """Which server value ``value`` is (:data:`ARRAY_UNION`, :data:`INCREMENT`...), or ``None``."""
    if not is_server_value(value):
        return None
    kinds = _server_value_kinds()
    return kinds.get(type(value)) or kinds.get(id(value))


@functools.cache  # called for every reference loaded: the import statement costs more than the lookup
def document_reference_type() -> type[Any]:
    from google.cloud.firestore_v1.base_document import BaseDocumentReference

    return BaseDocumentReference


def geo_point_type() -> type[Any]:
    geo_point: type[Any] = firestore().GeoPoint
    return geo_point


def vector_type() -> type[Any]:
    from google.cloud.firestore_v1.vector import Vector

    return Vector


def field_path_repr(parts: list[str] | tuple[str, ...]) -> str:
    """The Firestore field path string for ``parts`` (quoting segments that need backticks)."""
    from google.cloud.firestore_v1.field_path import FieldPath

    return FieldPath(*parts).to_api_repr()
