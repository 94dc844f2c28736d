"""Converting attribute values to stored documents and back, with validation.

Three steps, each reporting errors keyed by *attribute* name (never stored keys):

* :func:`dump_values` - Python values -> stored dict, checking types (``to_storage``).
* :func:`validate_stored` - marshmallow's ``required``/``validate``/``@validates``/
  ``@validates_schema`` over the stored dict (what will be written).
* :func:`load_values` - stored dict -> Python values; keys the schema does not know are
  returned separately so models can write them back unchanged.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

import marshmallow

from ..errors import ValidationError
from ..fields import to_storage
from ..schema import stored_key

__all__ = ["attr_by_key", "dump_values", "load_values", "rekey_errors", "schema_instance", "validate_stored"]


@functools.cache
def schema_instance(schema_cls: type[marshmallow.Schema]) -> marshmallow.Schema:
    """One shared instance per schema class (marshmallow schemas are reusable and cost to build)."""
    return schema_cls()


def attr_by_key(schema: marshmallow.Schema) -> dict[str, str]:
    """Stored key -> attribute name for every loadable field of ``schema``."""
    return {stored_key(name, field): name for name, field in schema.fields.items() if not field.dump_only}


def rekey_errors(schema: marshmallow.Schema, errors: Any) -> dict[str, Any]:
    """marshmallow reports errors by stored key; callers want attribute names."""
    if not isinstance(errors, Mapping):
        return {"_schema": errors}
    mapping = attr_by_key(schema)
    return {mapping.get(key, key): value for key, value in errors.items()}


def dump_values(
    schema: marshmallow.Schema, values: Mapping[str, Any], only: Iterable[str] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Convert attribute values to a stored dict. Returns ``(stored, type_errors)``."""
    wanted = None if only is None else set(only)
    stored: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    for name, field in schema.fields.items():
        if field.load_only or (wanted is not None and name not in wanted):
            continue
        value = values.get(name)
        if value is None and field.required:
            errors[name] = [field.error_messages["required"]]
            continue
        try:
            stored[stored_key(name, field)] = to_storage(field, value)
        except marshmallow.ValidationError as exc:
            errors[name] = exc.messages
    return stored, errors


def validate_stored(
    schema: marshmallow.Schema, stored: Mapping[str, Any], *, partial: bool | Iterable[str] = False
) -> dict[str, Any]:
    """Run the schema's validators over ``stored``; errors keyed by attribute name."""
    partial_arg: Any = partial if isinstance(partial, bool) else tuple(partial)
    errors = schema.validate(dict(stored), partial=partial_arg or None)
    return rekey_errors(schema, errors)


def check(
    schema: marshmallow.Schema,
    values: Mapping[str, Any],
    *,
    only: Iterable[str] | None = None,
    model_name: str | None = None,
) -> dict[str, Any]:
    """Dump and validate ``values``; the stored dict, or one :class:`ValidationError` with every problem."""
    stored, errors = dump_values(schema, values, only)
    failed = set(errors)
    if only is not None:
        partial: bool | set[str] = True
    else:
        partial = failed
    checked = {key: value for key, value in stored.items()}
    more = validate_stored(schema, checked, partial=partial)
    for name, messages in more.items():
        errors.setdefault(name, messages)
    if errors:
        raise ValidationError(errors, model=model_name)
    return stored


def load_values(
    schema: marshmallow.Schema, data: Mapping[str, Any], *, model_name: str | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Stored dict -> ``(attribute values, unknown stored keys)``; raises :class:`ValidationError`."""
    known_keys = attr_by_key(schema)
    known = {key: value for key, value in data.items() if key in known_keys}
    extra = {key: value for key, value in data.items() if key not in known_keys}
    try:
        values = schema.load(known, unknown=marshmallow.EXCLUDE)
    except marshmallow.ValidationError as exc:
        raise ValidationError(rekey_errors(schema, exc.messages), model=model_name) from None
    if not isinstance(values, dict):  # a user post_load hook turned it into something else
        raise ValidationError({"_schema": ["Schema post_load hooks must return a dict for models."]}, model=model_name)
    for name, field in schema.fields.items():
        if not field.dump_only:
            values.setdefault(name, None)
    return values, extra
