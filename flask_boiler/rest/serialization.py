"""Views to JSON: stored values (timestamps, references, geo points, bytes) as JSON types.

The JSON of a view is its stored document, restricted to the schema's fields, with the
key params added, so the REST body and a Firestore listener's snapshot carry the same
keys. Firestore types become what the OpenAPI document promises for them (see
:mod:`.openapi`): ISO 8601 strings, document paths, ``{latitude, longitude}``, base64.
"""

from __future__ import annotations

import base64
import datetime as _dt
import math
from collections.abc import Iterable, Mapping
from typing import Any, cast

from .._private.firestore_types import document_reference_type, geo_point_type
from ..schema import stored_key

__all__ = ["json_value", "representation_keys", "stored_json", "view_json"]


def json_value(value: Any) -> Any:
    """One stored value as JSON."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.UTC)
        return value.astimezone(_dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, document_reference_type()):
        return cast(Any, value).path
    if isinstance(value, geo_point_type()):
        point = cast(Any, value)
        return {"latitude": point.latitude, "longitude": point.longitude}
    if isinstance(value, Mapping):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(item) for item in value]
    return str(value)


def representation_keys(view_cls: type) -> tuple[str, ...]:
    """The stored keys a view's JSON carries: every field of its schema that is dumped."""
    schema = view_cls._meta.schema  # type: ignore[attr-defined]
    return tuple(stored_key(name, field) for name, field in schema.fields.items() if not field.load_only)


def stored_json(
    stored: Mapping[str, Any], path_params: Mapping[str, Any], key_names: Mapping[str, str], keys: Iterable[str]
) -> dict[str, Any]:
    """The response body of a view whose stored form is ``stored`` (restricted to ``keys``)."""
    body: dict[str, Any] = {json_name: str(path_params[param]) for param, json_name in key_names.items()}
    for key in keys:
        body[key] = json_value(stored.get(key))
    return body


def view_json(view: Any, key_names: Mapping[str, str], keys: Iterable[str] | None = None) -> dict[str, Any]:
    """The response body of one view model instance (``keys``: its :func:`representation_keys`)."""
    return stored_json(
        view.to_dict(), view.path_params, key_names, representation_keys(type(view)) if keys is None else keys
    )
