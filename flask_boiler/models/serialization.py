"""Converting attribute values to stored documents and back, with validation.

This is the model-agnostic core that fields and models build on: it knows schemas and
the :class:`StorageField` protocol, never a concrete field or model class, so
``flask_boiler.fields`` (which knows models, for ``Nested`` and ``Reference``) and
``flask_boiler.models`` (which knows schemas, not field types) both import it and
neither imports the other's internals.

Three steps, each reporting errors keyed by *attribute* name (never stored keys):

* :func:`dump_values` - Python values -> stored dict, checking types (``to_storage``).
* :func:`validate_stored` - marshmallow's ``required``/``validate``/``@validates``/
  ``@validates_schema`` over the stored dict (what will be written).
* :func:`load_values` - stored dict -> Python values; keys the schema does not know are
  returned separately so models can write them back unchanged.

Plain marshmallow fields work too: they convert with marshmallow's own ``_serialize``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Protocol, TypeVar, cast

import marshmallow

from .._private.firestore_types import is_server_value
from ..errors import ValidationError
from ..schema import stored_keys
from .limits import ENCODING, LIMIT, check_storable

__all__ = [
    "StorageField",
    "attr_by_key",
    "check",
    "convert_all",
    "convert_each",
    "dump_values",
    "element_to_storage",
    "load_values",
    "rekey_errors",
    "storage_field",
    "to_storage",
    "validate_stored",
]

K = TypeVar("K")
T = TypeVar("T")
MaField = marshmallow.fields.Field[Any]


class StorageField(Protocol):
    """What the ORM asks of a field (``flask_boiler.fields.Field`` implements it).

    * ``to_storage(value)``: the Python attribute value -> the value handed to the
      Firestore client; raises ``marshmallow.ValidationError`` on a wrong type.
    * ``element_to_storage(value)``: one element of an array field (``array-contains``
      queries, ``ArrayUnion``/``ArrayRemove``); raises for fields that are not arrays.
    * ``iter_models(value)``: model instances held in ``value`` that are *referenced*
      documents (what :func:`flask_boiler.models.prefetch` loads).
    * ``child_field(attribute)``: for query paths ``"<this>.<attribute>"``, the stored
      key of ``attribute`` and its field (``None`` when inside is free-form), or ``None``
      when the field has no such child.
    """

    def to_storage(self, value: Any) -> Any: ...

    def element_to_storage(self, value: Any) -> Any: ...

    def iter_models(self, value: Any) -> Iterator[Any]: ...

    def child_field(self, attribute: str) -> tuple[str, MaField | None] | None: ...


_PROTOCOL = ("to_storage", "element_to_storage", "iter_models", "child_field")
#: field class -> whether it implements StorageField (a cache; classes are never unloaded).
_implements: dict[type, bool] = {}


def storage_field(field: MaField) -> StorageField | None:
    """``field`` as a :class:`StorageField` if its class implements the protocol, else ``None``.

    (Checked once per class: ``isinstance`` against a runtime-checkable protocol costs
    microseconds per call, and this runs for every field of every document.)
    """
    field_type = type(field)
    known = _implements.get(field_type)
    if known is None:
        known = _implements[field_type] = all(callable(getattr(field_type, name, None)) for name in _PROTOCOL)
    return cast(StorageField, field) if known else None


def to_storage(field: MaField, value: Any) -> Any:
    """Convert ``value`` for storage with ``field`` (a :class:`StorageField`, or any marshmallow field)."""
    protocol = storage_field(field)
    if protocol is not None:
        return protocol.to_storage(value)
    if value is None or is_server_value(value):
        return value
    return field._serialize(value, None, None)


def element_to_storage(field: MaField, value: Any) -> Any:
    """Convert one array element for ``field`` (plain ``marshmallow.fields.List`` too)."""
    protocol = storage_field(field)
    if protocol is not None:
        return protocol.element_to_storage(value)
    if isinstance(field, marshmallow.fields.List):
        return to_storage(field.inner, value)
    raise marshmallow.ValidationError("Not an array field.")


def convert_each(
    pairs: Iterable[tuple[K, Any]], convert: Callable[[Any], Any]
) -> tuple[list[tuple[K, Any]], dict[K, Any]]:
    """``convert`` every item of ``pairs`` (``(index, key or name, value)``): ``(converted, errors)``.

    The one way lists, maps, references and schemas collect per-item errors: every item
    is tried, and ``errors`` maps each failing key to its messages (so a list of 100
    elements with 3 bad ones reports those 3 indexes). Successful items keep their keys.
    """
    converted: list[tuple[K, Any]] = []
    errors: dict[K, Any] = {}
    for key, item in pairs:
        try:
            converted.append((key, convert(item)))
        except marshmallow.ValidationError as exc:
            errors[key] = exc.messages
    return converted, errors


def convert_all(pairs: Iterable[tuple[K, Any]], convert: Callable[[Any], Any]) -> list[tuple[K, Any]]:
    """:func:`convert_each`, raising one ``marshmallow.ValidationError`` with every item's errors."""
    converted, errors = convert_each(pairs, convert)
    if errors:
        raise marshmallow.ValidationError(errors)
    return converted


def attr_by_key(schema: marshmallow.Schema) -> dict[str, str]:
    """Stored key -> attribute name for every loadable field of ``schema`` (a fresh dict)."""
    return dict(_load_plan(schema)[0])


# Worked out once per schema instance and kept on it: every document a model loads or
# dumps asks, and a schema's fields are fixed once it is built (models share one
# instance per schema class, :func:`flask_boiler.schema.schema_instance`).


def _kept(schema: marshmallow.Schema, name: str, compute: Callable[[marshmallow.Schema], T]) -> T:
    """``compute(schema)``, worked out on first use and kept on the schema instance as ``name``."""
    if name not in schema.__dict__:
        schema.__dict__[name] = compute(schema)
    return cast(T, schema.__dict__[name])


def _keys(schema: marshmallow.Schema) -> Mapping[str, str]:
    """:func:`~flask_boiler.schema.stored_keys` of ``schema`` (attribute name -> stored key), kept."""
    return _kept(schema, "_fb_stored_keys", stored_keys)


def _load_plan(schema: marshmallow.Schema) -> tuple[Mapping[str, str], tuple[str, ...]]:
    """``(stored key -> attribute name, attribute names)`` of ``schema``'s loadable fields, kept."""
    return _kept(schema, "_fb_load_plan", _plan_loading)


def _plan_loading(schema: marshmallow.Schema) -> tuple[Mapping[str, str], tuple[str, ...]]:
    loadable = tuple(name for name, field in schema.fields.items() if not field.dump_only)
    keys = _keys(schema)
    return {keys[name]: name for name in loadable}, loadable


def rekey_errors(schema: marshmallow.Schema, errors: Any) -> dict[str, Any]:
    """marshmallow reports errors by stored key; callers want attribute names."""
    if not isinstance(errors, Mapping):
        return {"_schema": errors}
    mapping = _load_plan(schema)[0]
    return {mapping.get(str(key), str(key)): value for key, value in errors.items()}


def dump_values(
    schema: marshmallow.Schema, values: Mapping[str, Any], only: Iterable[str] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Convert attribute values to a stored dict. Returns ``(stored, type_errors)``."""
    wanted = None if only is None else set(only)
    fields = {
        name: field
        for name, field in schema.fields.items()
        if not field.load_only and (wanted is None or name in wanted)
    }

    def convert(name: str) -> Any:
        field, value = fields[name], values.get(name)
        if value is None and field.required:
            raise marshmallow.ValidationError(field.error_messages["required"])
        return to_storage(field, value)

    keys = _keys(schema)
    dumped, errors = convert_each(((name, name) for name in fields), convert)
    return {keys[name]: value for name, value in dumped}, errors


def validate_stored(
    schema: marshmallow.Schema, stored: Mapping[str, Any], *, partial: bool | Iterable[str] = False
) -> dict[str, Any]:
    """Run the schema's validators over ``stored``; errors keyed by attribute name."""
    partial_arg: Any = partial if isinstance(partial, bool) else tuple(partial)
    errors = schema.validate(dict(stored), partial=partial_arg or None)
    return rekey_errors(schema, errors)


def _has_rules(field: MaField) -> bool:
    """Does ``field`` (or a field or schema inside it) declare validators a dump does not run?"""
    if field.validators:
        return True
    inner = [getattr(field, name, None) for name in ("inner", "value_field", "key_field")]
    if any(isinstance(item, marshmallow.fields.Field) and _has_rules(item) for item in inner):
        return True
    nested = getattr(field, "schema", None) if isinstance(field, marshmallow.fields.Nested) else None
    if nested is None:
        target_schema = getattr(field, "target_schema", None)
        nested = target_schema if isinstance(target_schema, marshmallow.Schema) else None
    return nested is not None and _validated_fields(nested) != ()


_VALIDATED: dict[type[marshmallow.Schema], tuple[str, ...] | None] = {}


def _validated_fields(schema: marshmallow.Schema) -> tuple[str, ...] | None:
    """The fields of ``schema`` whose rules go beyond what a dump checks (types, ``required``),
    or ``None`` when the schema itself has validation hooks (then everything is validated).

    A dump already type-checks every value strictly, so validating a view of 1,000 attendee
    names needs only the fields that declare validators — not a full load of every value.
    """
    kind = type(schema)
    if kind not in _VALIDATED:
        hooks = getattr(schema, "_hooks", {}) or {}
        if any(hooks.get(name) for name in ("validates_schema", "validates")) or any(
            getattr(getattr(kind, attribute, None), "__marshmallow_hook__", None) for attribute in dir(kind)
        ):
            _VALIDATED[kind] = None
        else:
            _VALIDATED[kind] = tuple(name for name, field in schema.fields.items() if _has_rules(field))
    return _VALIDATED[kind]


def check(
    schema: marshmallow.Schema,
    values: Mapping[str, Any],
    *,
    only: Iterable[str] | None = None,
    model_name: str | None = None,
) -> dict[str, Any]:
    """Dump and validate ``values``; the stored dict, or one :class:`ValidationError` with every problem."""
    stored, errors = dump_values(schema, values, only)
    partial: bool | set[str] = True if only is not None else set(errors)
    validated = _validated_fields(schema)
    if validated is not None:
        # Beyond the dump's checks: the declared validators, and None where a field refuses it.
        keys = _keys(schema)
        names = set(validated) | {
            name for name, field in schema.fields.items() if not field.allow_none and stored.get(keys[name], 0) is None
        }
        stored_subset = {keys[name]: stored[keys[name]] for name in names if keys[name] in stored}
        more = validate_stored(schema, stored_subset, partial=True) if stored_subset else {}
    else:
        more = validate_stored(schema, stored, partial=partial)
    for name, messages in more.items():
        errors.setdefault(name, messages)
    if errors:
        raise ValidationError(errors, model=model_name)
    return stored


def load_values(
    schema: marshmallow.Schema, data: Mapping[str, Any], *, model_name: str | None = None, from_firestore: bool = False
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Stored dict -> ``(attribute values, unknown stored keys)``.

    Data that Firestore could not hold raises like saving it would
    (:class:`~flask_boiler.errors.EncodingError` for strings UTF-8 cannot encode,
    :class:`~flask_boiler.errors.StorageLimitError` for a 65-bit integer, an array in an
    array, a reserved map key...; only data that did not come from Firestore can, so
    ``from_firestore=True``, for data read from it, skips that walk); then
    :class:`ValidationError` for values that break a field's rule. The document's total
    size is left to saving.
    """
    known_keys, loadable = _load_plan(schema)
    if not from_firestore:
        check_storable(data, names=known_keys, model=model_name, kinds=(ENCODING, LIMIT))
    known = {key: value for key, value in data.items() if key in known_keys}
    extra = {key: value for key, value in data.items() if key not in known_keys}
    try:
        values = schema.load(known, unknown=marshmallow.EXCLUDE)
    except marshmallow.ValidationError as exc:
        raise ValidationError(rekey_errors(schema, exc.messages), model=model_name) from None
    if not isinstance(values, dict):  # a user post_load hook turned it into something else
        raise ValidationError({"_schema": ["Schema post_load hooks must return a dict for models."]}, model=model_name)
    for name in loadable:
        values.setdefault(name, None)
    return values, extra
