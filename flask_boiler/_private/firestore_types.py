"""Lazy access to google-cloud-firestore types.

Importing ``google.cloud.firestore`` costs ~0.2 s. Schema and field modules are
imported by every ``functions/main.py`` at cold start, so they reach Firestore types
through these helpers, which import the client library on first *use* instead.
"""

from __future__ import annotations

import functools
from types import ModuleType
from typing import Any


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

    They are passed through untouched on save/update: no conversion, no validators.
    """
    if value is None or isinstance(value, (str, int, float, bool, list, dict)):
        return False  # fast path: the common plain values are never transforms
    return isinstance(value, _server_value_types())


def document_reference_type() -> type:
    from google.cloud.firestore_v1.base_document import BaseDocumentReference

    return BaseDocumentReference


def geo_point_type() -> type:
    return firestore().GeoPoint


def field_path_repr(parts: list[str] | tuple[str, ...]) -> str:
    """The Firestore field path string for ``parts`` (quoting segments that need backticks)."""
    from google.cloud.firestore_v1.field_path import FieldPath

    return FieldPath(*parts).to_api_repr()
