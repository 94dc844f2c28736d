"""Strict types on the wire: a JSON boolean is ``true`` or ``false``, nothing else.

marshmallow is lenient on load by design (``Boolean`` takes ``"no"``, ``"false"``, ``1``,
``0``; ``Integer`` and ``Float`` take numeric strings; ``int()`` takes ``"٣"``), which
suits reading stored data but not an API whose OpenAPI document says ``boolean``. The
REST layer therefore checks what clients send against the documented JSON type before
marshmallow converts it, whatever the model fields do:

* bodies: :func:`json_type_errors` runs in the body schema's ``pre_load``, recursing
  into lists, maps and nested schemas;
* query strings: :class:`QueryBoolean` (``true``/``false``), :class:`QueryInteger` and
  :class:`QueryFloat` (ASCII digits only) parse filter values and ``limit``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import marshmallow
from marshmallow import fields as ma_fields

from .bodies import INT64_MAX, INT64_MIN

__all__ = ["QueryBoolean", "QueryFloat", "QueryInteger", "json_type_errors"]

_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _nested_schema(field: marshmallow.fields.Field[Any]) -> marshmallow.Schema | None:
    if isinstance(field, ma_fields.Nested):
        schema = field.schema
        return schema if isinstance(schema, marshmallow.Schema) else None
    target_schema = getattr(field, "target_schema", None)
    return target_schema() if callable(target_schema) else None


def _schema_errors(schema: marshmallow.Schema, value: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    by_key = {field.data_key or name: field for name, field in schema.fields.items() if not field.dump_only}
    for key, item in value.items():
        field = by_key.get(key)
        if field is not None:
            problem = json_type_errors(field, item)
            if problem:
                errors[key] = problem
    return errors


def json_type_errors(field: marshmallow.fields.Field[Any], value: Any) -> Any:
    """Messages when decoded JSON ``value`` is not the JSON type ``field`` documents
    (``None`` when it is; ``null`` is left to ``allow_none``)."""
    if value is None:
        return None
    if isinstance(field, ma_fields.Boolean):
        return None if isinstance(value, bool) else ["Not a valid boolean: send true or false."]
    if isinstance(field, ma_fields.Integer):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else ["Not a valid integer: send a JSON number without a fraction or exponent."]
    if isinstance(field, ma_fields.Number):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if ok else ["Not a valid number: send a JSON number."]
    if isinstance(field, (ma_fields.String, ma_fields.DateTime, ma_fields.Date, ma_fields.Time)):
        return None if isinstance(value, str) else ["Not a valid string."]
    if isinstance(field, ma_fields.List):
        if not isinstance(value, list):
            return ["Not a valid list."]
        errors = {index: json_type_errors(field.inner, item) for index, item in enumerate(value)}
        return {index: problem for index, problem in errors.items() if problem} or None
    if isinstance(field, ma_fields.Dict):
        if not isinstance(value, dict):
            return ["Not a valid mapping."]
        if field.value_field is None:
            return None
        errors = {key: json_type_errors(field.value_field, item) for key, item in value.items()}
        return {key: problem for key, problem in errors.items() if problem} or None
    schema = _nested_schema(field)
    if schema is not None:
        if getattr(field, "many", False):
            if not isinstance(value, list):
                return ["Not a valid list."]
            errors = {
                index: (_schema_errors(schema, item) if isinstance(item, dict) else ["Not a valid mapping."])
                for index, item in enumerate(value)
            }
            return {index: problem for index, problem in errors.items() if problem} or None
        if not isinstance(value, dict):
            return ["Not a valid mapping."]
        return _schema_errors(schema, value) or None
    return None


class QueryBoolean(ma_fields.Boolean):
    """A query-string boolean: exactly ``true`` or ``false``."""

    truthy: set[object] = {"true"}  # noqa: RUF012 - marshmallow's own class attributes
    falsy: set[object] = {"false"}  # noqa: RUF012

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if value not in ("true", "false"):
            raise self.make_error("invalid", input=value)
        return value == "true"


class QueryInteger(ma_fields.Integer):
    """A query-string integer in ASCII digits, within Firestore's 64-bit range."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("validate", [])
        validators = kwargs["validate"] if isinstance(kwargs["validate"], list) else [kwargs["validate"]]
        kwargs["validate"] = [*validators, marshmallow.validate.Range(INT64_MIN, INT64_MAX)]
        super().__init__(strict=False, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str) or not _INTEGER.fullmatch(value):
            raise self.make_error("invalid", input=value)
        return int(value)


class QueryFloat(ma_fields.Float):
    """A query-string number in ASCII digits, finite."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str) or len(value) > 64 or not _FLOAT.fullmatch(value):
            raise self.make_error("invalid", input=value)
        number = float(value)
        if not math.isfinite(number):
            raise self.make_error("invalid", input=value)
        return number
