"""Field types for flask-boiler schemas (marshmallow fields that know Firestore).

Every field converts in two directions with **one rule per type, the same both ways**:

* ``to_storage(value)``: Python attribute value -> value handed to the Firestore client
  (``save()``, ``update()``, ``to_dict()``, query values);
* ``deserialize(value)`` (marshmallow's): stored value -> Python value (``get()``,
  queries, ``from_dict()``, ``from_snapshot()``, REST bodies), with marshmallow's
  ``required``/``allow_none``/``validate`` handling.

A value that breaks the rule fails *before* any write, in one
:class:`~flask_boiler.errors.ValidationError` listing every bad field; a stored value
that breaks it fails to load (it is never coerced into something else and saved back).

============================  ==============================================  ===========================================
field                         accepts (save and load)                          rejects
============================  ==============================================  ===========================================
``String``                    ``str``                                           bytes, numbers, anything else
``Integer``                   ``int`` within 64 bits                           ``bool``, floats (even ``1.0``), ``"3"``
``Float``                     ``float``; an ``int`` only if exactly            ``bool``, ``"1.5"``, ``2**53 + 1``;
                              representable (stored as a double)               NaN/±inf unless ``allow_nan=True``
``Boolean``                   ``bool``                                          ``1``, ``0``, ``"true"``, ``"no"``
``Raw``                       any value Firestore stores as it is: ``None``,    tuples/sets (they load as lists), naive
                              bool, int, float, str, bytes, aware datetime,    datetimes, enum members, other objects
                              GeoPoint, DocumentReference, Vector, lists,
                              maps with ``str`` keys
``List(inner)``               ``list`` or ``tuple`` (loads as ``list``), each   anything else; ``List(List(...))`` is a
                              element by ``inner``'s rule                      definition error (no arrays in arrays)
``Dict(values=)``             a mapping with ``str`` keys, each value by        non-string keys
                              the value field's rule (``Raw``'s without one)
``Nested(M)`` / ``Embedded``  an ``M`` instance (or a mapping of its           other models, non-mappings
                              attributes, converted); ``many=True``: a list
``Reference(M)``              an ``M`` instance, a ``DocumentReference`` or     other models, paths of other templates
                              a document path matching ``M``'s template;
                              ``many=True`` a list, ``as_map=True`` a map
``DateTime``                  a timezone-aware ``datetime`` in years            naive datetimes, dates
                              1-9999 UTC (loads as UTC)
``Enum(E)``                   an ``E`` member (stored by value, or by name      values of another type (``True`` for 1)
                              with ``by_value=False``)
``GeoPoint``                  a GeoPoint or a ``(latitude, longitude)`` pair    out-of-range, NaN, bools, strings
                              of numbers within range
``Bytes``                     ``bytes`` (``bytearray``/``memoryview`` too,      strings that are not base64
                              stored as ``bytes``)
============================  ==============================================  ===========================================

**Bool vs int.** ``True`` is an ``int`` in Python, but never an ``Integer`` or a
``Float`` here, and ``1`` is never a ``Boolean``: Firestore keeps booleans and numbers
apart, so a stored type never depends on which Python spelling was used.

**Non-finite floats.** Firestore stores NaN and ±infinity, but JSON (REST bodies,
cursors) cannot carry them and ``NaN != NaN`` breaks equality, so ``Float`` refuses them
unless declared ``Float(allow_nan=True)`` (marshmallow's option; then they round-trip).

**Text forms on load.** JSON has no timestamps, bytes or points, so loading (REST
bodies, ``from_dict`` of JSON) also accepts exactly one text form each: ``DateTime`` an
ISO 8601 string *with* an offset, ``Bytes`` base64, ``GeoPoint`` a
``{"latitude", "longitude"}`` map, ``Reference`` a document path. Nothing else is coerced.

**Firestore's own limits** (strings must be valid Unicode, 1 MiB documents, 20 levels of
nesting, 1,500-byte field paths...) apply to every value whatever its field and are
checked per document before a write (:mod:`flask_boiler.models.limits`).

**Server values** (``SERVER_TIMESTAMP``, ``Increment``, ``ArrayUnion``, ``ArrayRemove``,
``Maximum``, ``Minimum``, ``DELETE_FIELD`` from ``google.cloud.firestore``) are checked
against the field too, then skip validators (Firestore computes the value):
``ArrayUnion``/``ArrayRemove`` on array fields (``List``, ``Reference(many=True)``,
``Nested(many=True)``, ``Raw``) with each element converted and checked like an element
of the field (``ArrayUnion([user])`` stores ``user``'s reference);
``Increment``/``Maximum``/``Minimum`` on ``Integer`` (int operand), ``Float`` (number)
and ``Raw``; ``SERVER_TIMESTAMP`` on ``DateTime`` and ``Raw``; ``DELETE_FIELD`` on
fields that are not ``required``.

Compatibility with flask-boiler 0.0.1 (marshmallow 2 spelling): ``load_from=`` and
``dump_to=`` set marshmallow's ``data_key`` (they must agree), ``missing=`` is
``load_default`` and ``default=`` is ``dump_default``. Fields that are not ``required``
accept ``None`` (stored as ``null``) unless ``allow_none=False`` is passed.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import enum as _enum
import math
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar

import marshmallow
from marshmallow import ValidationError as _MaValidationError
from marshmallow import fields as _ma

from ._private.firestore_types import (
    ARRAY_TRANSFORMS,
    DELETE_FIELD,
    NUMERIC_TRANSFORMS,
    SERVER_TIMESTAMP,
    document_reference_type,
    geo_point_type,
    is_server_value,
    server_value_kind,
)
from .context import Context
from .errors import ModelDefinitionError, UnknownFieldError
from .models.base import Model
from .models.document import DocumentModel
from .models.limits import TYPE, document_id_problem, int64_problem, timestamp_problem, value_problems
from .models.references import is_document, iter_references
from .models.registry import resolve_model
from .models.serialization import convert_all, dump_values, load_values
from .models.serialization import to_storage as to_storage
from .schema import schema_instance, stored_key

__all__ = [
    "Bool",
    "Boolean",
    "Bytes",
    "DateTime",
    "Dict",
    "Embedded",
    "Enum",
    "Field",
    "Float",
    "GeoPoint",
    "Int",
    "Integer",
    "List",
    "Map",
    "Nested",
    "Raw",
    "Reference",
    "Str",
    "String",
    "to_storage",
]

_UNSET: Any = object()


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class Field(_ma.Field[Any]):
    """Base of flask-boiler fields: a marshmallow field with a strict ``to_storage``.

    Subclasses override :meth:`_to_storage` (Python -> stored) and marshmallow's
    ``_deserialize`` (stored -> Python), applying the same rule in both. It implements
    :class:`flask_boiler.models.serialization.StorageField`, the contract the ORM uses.
    """

    def __init__(
        self,
        *args: Any,
        load_from: str | None = None,
        dump_to: str | None = None,
        missing: Any = _UNSET,
        default: Any = _UNSET,
        **kwargs: Any,
    ) -> None:
        keys = {key for key in (load_from, dump_to, kwargs.get("data_key")) if key is not None}
        if len(keys) > 1:
            raise ModelDefinitionError(
                f"load_from={load_from!r}, dump_to={dump_to!r} and data_key={kwargs.get('data_key')!r} "
                "name different stored keys; flask-boiler stores each field under one key. "
                "Use data_key=... (or load_from and dump_to with the same value)."
            )
        if keys:
            kwargs["data_key"] = keys.pop()
        if missing is not _UNSET:
            kwargs.setdefault("load_default", missing)
        if default is not _UNSET:
            kwargs.setdefault("dump_default", default)
        if "allow_none" not in kwargs and not kwargs.get("required", False):
            kwargs["allow_none"] = True
        super().__init__(*args, **kwargs)

    # -- Python -> stored ---------------------------------------------------------------

    def to_storage(self, value: Any) -> Any:
        """The value to write to Firestore; raises ``marshmallow.ValidationError`` when it breaks the rule."""
        if value is None:
            return value
        if is_server_value(value):
            return self._server_value_to_storage(value)
        return self._to_storage(value)

    def _to_storage(self, value: Any) -> Any:
        return value

    def element_to_storage(self, value: Any) -> Any:
        """One element of this array field, as stored (``array-contains``, ``ArrayUnion``)."""
        raise _MaValidationError(f"{type(self).__name__} is not an array field.")

    def _server_value_to_storage(self, value: Any) -> Any:
        kind = server_value_kind(value)
        if kind in ARRAY_TRANSFORMS:
            elements = convert_all(enumerate(value.values), self.element_to_storage)
            return type(value)([element for _index, element in elements])
        if kind in NUMERIC_TRANSFORMS:
            return type(value)(self._numeric_operand(value.value))
        if kind == SERVER_TIMESTAMP:
            if not self._accepts_server_timestamp():
                raise _MaValidationError("SERVER_TIMESTAMP is only for DateTime (or Raw) fields.")
            return value
        if kind == DELETE_FIELD:
            if self.required:
                raise _MaValidationError("DELETE_FIELD would remove a required field.")
            return value
        raise _MaValidationError(f"Unsupported server value {value!r}.")  # pragma: no cover - all kinds above

    def _numeric_operand(self, operand: Any) -> Any:
        raise _MaValidationError(f"Increment/Maximum/Minimum need a number field, not {type(self).__name__}.")

    def _accepts_server_timestamp(self) -> bool:
        return False

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        # marshmallow's dump path (Schema.dump) gets the same conversion as models do.
        return self.to_storage(value)

    # -- stored -> Python ----------------------------------------------------------------

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        """By default the stored value is the Python value, under the same rule as saving."""
        return self._to_storage(value)

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any) -> Any:
        if is_server_value(value):
            return value  # checked by to_storage; validators do not apply to what Firestore computes
        return super().deserialize(value, attr, data, **kwargs)

    # -- model support -------------------------------------------------------------------

    def iter_models(self, value: Any) -> Iterator[Model]:
        """Model instances held in ``value`` that other documents *reference* (for prefetch)."""
        return iter(())

    def child_field(self, attribute: str) -> tuple[str, _ma.Field[Any] | None] | None:
        """For query paths ``"<this>.<attribute>"``: the stored key and field of ``attribute``, or ``None``."""
        return None

    def _type_error(self, expected: str, value: Any) -> _MaValidationError:
        return _MaValidationError(f"Expected {expected}, got {type(value).__name__}.")


# -- scalars ------------------------------------------------------------------------------------


class Raw(Field, _ma.Raw):
    """Any value Firestore stores as it is (see the table above). Keys inside maps are addressable in queries."""

    def _check(self, value: Any) -> Any:
        problems = [
            f"{where}: {message}" if where else message
            for kind, where, message in value_problems(value)
            if kind == TYPE
        ]
        if problems:
            raise _MaValidationError(problems)
        return value

    def _to_storage(self, value: Any) -> Any:
        return self._check(value)

    def element_to_storage(self, value: Any) -> Any:
        return self._check(value)

    def _numeric_operand(self, operand: Any) -> Any:
        if not _is_number(operand):
            raise self._type_error("a number", operand)
        return operand

    def _accepts_server_timestamp(self) -> bool:
        return True

    def child_field(self, attribute: str) -> tuple[str, _ma.Field[Any] | None] | None:
        return attribute, None


_RAW = Raw()  # the rule for values of a Dict without a value field


class _OfType(Field):
    """A field whose rule is "an instance of ``python_type``", both ways."""

    python_type: ClassVar[type]

    def _to_storage(self, value: Any) -> Any:
        if not isinstance(value, self.python_type):
            raise self.make_error("invalid")
        return value


class String(_OfType, _ma.String):
    """A ``str``."""

    python_type = str


class Integer(Field, _ma.Integer):
    """An ``int`` within 64 bits (never a ``bool``, a float or a numeric string)."""

    def __init__(self, *args: Any, strict: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, strict=strict, **kwargs)

    def _to_storage(self, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        problem = int64_problem(value)
        if problem is not None:
            raise _MaValidationError(problem)
        return value

    def _numeric_operand(self, operand: Any) -> Any:
        return self._to_storage(operand)


class Float(Field, _ma.Float):
    """A ``float`` (an ``int`` if a float holds it exactly; stored as a double). NaN/±inf need ``allow_nan=True``."""

    def _to_storage(self, value: Any) -> Any:
        if not _is_number(value):
            raise self.make_error("invalid")
        try:
            number = float(value)
        except OverflowError:
            raise _MaValidationError(f"Integer {value} is too large for a float.") from None
        if isinstance(value, int) and number != value:
            raise _MaValidationError(f"Integer {value} cannot be stored exactly as a float; pass a float.")
        if not self.allow_nan and not math.isfinite(number):
            raise self.make_error("special")
        return number

    def _numeric_operand(self, operand: Any) -> Any:
        return self._to_storage(operand)


class Boolean(_OfType, _ma.Boolean):
    """A ``bool`` (never ``0``/``1`` or a string)."""

    python_type = bool


class DateTime(Field, _ma.DateTime):
    """A timezone-aware ``datetime``, stored as a Firestore timestamp (microseconds kept).

    Naive datetimes are rejected in both directions: Firestore timestamps are instants,
    and guessing a zone silently shifts data. Loaded values are plain ``datetime`` objects
    in UTC (equal to the aware value that was saved). ISO 8601 strings with an offset are
    accepted on load (JSON input: REST bodies, ``from_dict``).
    """

    default_error_messages: ClassVar[dict[str, str | list[Any] | dict[Any, Any]]] = {  # type: ignore[misc]
        "naive": "Naive datetime is not allowed; attach a tzinfo (e.g. datetime.timezone.utc)."
    }

    def _to_storage(self, value: Any) -> Any:
        if not isinstance(value, _dt.datetime):
            raise self._type_error("a timezone-aware datetime", value)
        if value.tzinfo is None or value.utcoffset() is None:
            raise self.make_error("naive")
        problem = timestamp_problem(value)
        if problem is not None:
            raise _MaValidationError(problem)
        return value

    def _accepts_server_timestamp(self) -> bool:
        return True

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> _dt.datetime:
        if not isinstance(value, (_dt.datetime, str)):
            raise self.make_error("invalid", input=value, obj_type=self.OBJ_TYPE)
        parsed = _ma.DateTime._deserialize(self, value, attr, data, **kwargs) if isinstance(value, str) else value
        self._to_storage(parsed)
        # DatetimeWithNanoseconds -> plain datetime, so values compare and pickle as usual.
        return _dt.datetime(
            parsed.year,
            parsed.month,
            parsed.day,
            parsed.hour,
            parsed.minute,
            parsed.second,
            parsed.microsecond,
            tzinfo=parsed.tzinfo,
        )


class Enum(Field, _ma.Enum[Any]):
    """An :class:`enum.Enum` member, stored by value (``by_value=False`` stores the member name).

    Loading matches the stored value *and its type* (an ``IntEnum`` member with value 1
    does not load from ``True``). Member values must be storable (checked when declared).
    """

    def __init__(self, enum: type[_enum.Enum], *, by_value: Any = True, **kwargs: Any) -> None:
        super().__init__(enum, by_value=by_value, **kwargs)
        for member in enum:
            stored = self._stored(member)
            if [problem for problem in value_problems(stored) if problem[0] == TYPE] or isinstance(
                stored, (list, dict)
            ):
                raise ModelDefinitionError(
                    f"{enum.__name__}.{member.name}: its value {stored!r} is not a storable scalar."
                )

    def _stored(self, member: _enum.Enum) -> Any:
        if self.by_value is False:
            return member.name
        value = member.value
        return value.value if isinstance(value, _enum.Enum) else value

    def _to_storage(self, value: Any) -> Any:
        if not isinstance(value, self.enum):
            raise _MaValidationError(f"Expected a {self.enum.__name__} member ({self.choices_text}).")
        return self._stored(value)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        for member in self.enum:
            stored = self._stored(member)
            if type(stored) is type(value) and stored == value:
                return member
        raise self.make_error("unknown", choices=self.choices_text)


class GeoPoint(Field):
    """A :class:`google.cloud.firestore.GeoPoint`; ``(lat, lng)`` pairs are accepted and converted."""

    def _point(self, latitude: Any, longitude: Any) -> Any:
        if not (_is_number(latitude) and _is_number(longitude)):
            raise _MaValidationError("Latitude and longitude must be numbers.")
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):  # NaN fails both
            raise _MaValidationError("Latitude must be within [-90, 90] and longitude within [-180, 180].")
        return geo_point_type()(float(latitude), float(longitude))

    def _to_storage(self, value: Any) -> Any:
        if isinstance(value, geo_point_type()):
            return self._point(value.latitude, value.longitude)
        if isinstance(value, (tuple, list)) and len(value) == 2:
            return self._point(*value)
        raise self._type_error("a GeoPoint or a (latitude, longitude) pair", value)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, Mapping) and set(value) == {"latitude", "longitude"}:
            return self._point(value["latitude"], value["longitude"])
        return self._to_storage(value)


class Bytes(Field):
    """``bytes``, stored as a Firestore bytes value. Base64 strings are accepted on load (JSON input)."""

    def _to_storage(self, value: Any) -> Any:
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise self._type_error("bytes", value)
        return bytes(value)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bytes:
        if isinstance(value, str):
            try:
                return base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise _MaValidationError("Not valid base64 data.") from exc
        converted: bytes = self._to_storage(value)
        return converted


# -- containers ---------------------------------------------------------------------------------


def _list_of(value: Any, field: Field, convert: Callable[[Any], Any]) -> list[Any]:
    """``convert`` each element of the list (or tuple) ``value``, errors keyed by index."""
    if not isinstance(value, (list, tuple)):
        raise field._type_error("a list", value)
    return [item for _index, item in convert_all(enumerate(value), convert)]


def _is_array_field(field: _ma.Field[Any]) -> bool:
    return isinstance(field, _ma.List) or bool(getattr(field, "many", False))


#: Inner field types whose rule a whole list can pass at once: exactly this Python type, as is.
_PLAIN_TYPES: dict[type, type] = {String: str}


class List(Field, _ma.List[Any]):
    """A list of ``inner`` values (``fields.List(fields.String())``)."""

    def __init__(self, cls_or_instance: Any, **kwargs: Any) -> None:
        super().__init__(cls_or_instance, **kwargs)
        if _is_array_field(self.inner):
            raise ModelDefinitionError(
                "Firestore arrays cannot directly contain arrays: List(List(...)) cannot be stored."
            )

    def _to_storage(self, value: Any) -> Any:
        inner = self.inner
        # A list of plain values of a plain type (names, tags) passes the inner rule as a whole.
        if isinstance(value, list | tuple) and type(inner) in _PLAIN_TYPES:
            kind = _PLAIN_TYPES[type(inner)]
            if not value or {*map(type, value)} == {kind}:  # the types collected in C
                return list(value)
        return _list_of(value, self, lambda item: to_storage(inner, item))

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        return _list_of(value, self, self.inner.deserialize)

    def element_to_storage(self, value: Any) -> Any:
        return to_storage(self.inner, value)

    def iter_models(self, value: Any) -> Iterator[Model]:
        if isinstance(value, (list, tuple)) and isinstance(self.inner, Field):
            for item in value:
                yield from self.inner.iter_models(item)


class Dict(Field, _ma.Dict):
    """A map with string keys (``fields.Dict(values=fields.Integer())``). Alias: :data:`Map`."""

    def _map_of(self, value: Any, convert: Callable[[Any], Any]) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise self._type_error("a mapping", value)
        bad_keys = {repr(key): ["Map keys must be strings."] for key in value if not isinstance(key, str)}
        if bad_keys:
            raise _MaValidationError(bad_keys)
        if self.key_field is not None:
            convert_all(((key, key) for key in value), self.key_field.deserialize)
        return dict(convert_all(value.items(), convert))

    def _to_storage(self, value: Any) -> Any:
        field = self.value_field
        return self._map_of(value, (lambda item: to_storage(field, item)) if field is not None else _RAW.to_storage)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        field = self.value_field
        return self._map_of(value, field.deserialize if field is not None else _RAW.deserialize)

    def iter_models(self, value: Any) -> Iterator[Model]:
        if isinstance(value, Mapping) and isinstance(self.value_field, Field):
            for item in value.values():
                yield from self.value_field.iter_models(item)

    def child_field(self, attribute: str) -> tuple[str, _ma.Field[Any] | None] | None:
        return attribute, self.value_field


Map = Dict
Str = String
Int = Integer
Bool = Boolean


# -- models -------------------------------------------------------------------------------------


def _resolve(target: Any) -> Any:
    return resolve_model(target) if isinstance(target, str) else target


class Nested(Field):
    """An embedded model (a map inside the document), or a list of them with ``many=True``.

    ``target`` is a model class (usually a :class:`~flask_boiler.models.EmbeddedModel`),
    its name as a string (resolved lazily, for forward references), or a plain schema
    class (then the Python value is a dict keyed by attribute names). Assigning a dict to
    a model-typed attribute is accepted and converted on save. Alias: :data:`Embedded`.
    """

    def __init__(self, target: Any, *, many: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._target = target
        self.many = many

    @property
    def target(self) -> Any:
        self._target = _resolve(self._target)
        return self._target

    @property
    def _is_schema(self) -> bool:
        return isinstance(self.target, type) and issubclass(self.target, marshmallow.Schema)

    def target_schema(self) -> marshmallow.Schema:
        target = self.target
        if isinstance(target, type) and issubclass(target, marshmallow.Schema):
            return schema_instance(target)
        if isinstance(target, type) and issubclass(target, Model):
            return target._meta.schema
        raise ModelDefinitionError(f"Nested({self.target!r}): the target must be a model or schema class.")

    # Python -> stored
    def _to_storage(self, value: Any) -> Any:
        return _list_of(value, self, self._one_to_storage) if self.many else self._one_to_storage(value)

    def element_to_storage(self, value: Any) -> Any:
        if not self.many:
            return super().element_to_storage(value)
        return self._one_to_storage(value)

    def _one_to_storage(self, value: Any) -> Any:
        schema = self.target_schema()
        if self._is_schema:
            if not isinstance(value, Mapping):
                raise self._type_error("a mapping", value)
            stored, errors = dump_values(schema, value)
            if errors:
                raise _MaValidationError(errors)
            return stored
        target = self.target
        if isinstance(value, Mapping):
            try:
                value = target(**value)
            except UnknownFieldError as exc:
                raise _MaValidationError({exc.field: ["Unknown field."]}) from None
        if not isinstance(value, target):
            raise self._type_error(f"a {target.__name__}", value)
        return value._fb_dump()

    # stored -> Python
    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        return _list_of(value, self, self._one_from_storage) if self.many else self._one_from_storage(value)

    def _one_from_storage(self, value: Any) -> Any:
        schema = self.target_schema()
        if not self._is_schema and isinstance(value, self.target):
            return value
        if not isinstance(value, Mapping):
            raise self._type_error("a map", value)
        if self._is_schema:
            values, _extra = load_values(schema, value)
            return values
        return self.target._fb_from_embedded(value)

    def iter_models(self, value: Any) -> Iterator[Model]:
        if self._is_schema:
            return
        items = value if self.many and isinstance(value, (list, tuple)) else [value]
        for item in items:
            if isinstance(item, self.target):
                yield from iter_references(item)  # type: ignore[misc]  # documents are models

    def child_field(self, attribute: str) -> tuple[str, _ma.Field[Any] | None] | None:
        if self.many:
            return None
        field = self.target_schema().fields.get(attribute)
        if field is None:
            return None
        return stored_key(attribute, field), field


Embedded = Nested


class Reference(Field):
    """A reference to another document, stored as a native Firestore ``DocumentReference``.

    ``target`` is the referenced model class (or its name as a string, resolved lazily).
    ``many=True`` stores a list of references; ``as_map=True`` a map of key -> reference.

    Loading is lazy and transparent: the attribute holds an *unloaded* instance of the
    target model (its ``doc_id``/``doc_ref`` are known without a read) that reads the
    document on first access to one of its fields. To avoid N+1 reads, load many at once
    with :func:`flask_boiler.models.prefetch` (``Model.prefetch(objs, depth=...)``): one
    batched ``get_all`` per level. A missing referenced document raises
    :class:`~flask_boiler.errors.DocumentNotFound` when its fields are accessed.

    With ``target=None`` the attribute is the raw ``DocumentReference``.
    You may assign a model instance, a ``DocumentReference`` or a document path string.
    """

    def __init__(self, target: Any = None, *, many: bool = False, as_map: bool = False, **kwargs: Any) -> None:
        if many and as_map:
            raise ModelDefinitionError("Reference(many=True) and Reference(as_map=True) exclude each other.")
        super().__init__(**kwargs)
        self._target = target
        self.many = many
        self.as_map = as_map

    @property
    def target(self) -> type[DocumentModel] | None:
        self._target = _resolve(self._target)
        target: type[DocumentModel] | None = self._target
        return target

    def _collection_of(self, value: Any, convert: Callable[[Any], Any]) -> Any:
        if self.many:
            if not isinstance(value, (list, tuple)):
                raise self._type_error("a list of references", value)
            return [item for _index, item in convert_all(enumerate(value), convert)]
        if self.as_map:
            if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
                raise self._type_error("a mapping of str -> reference", value)
            return dict(convert_all(value.items(), convert))
        return convert(value)

    # Python -> stored
    def _to_storage(self, value: Any) -> Any:
        return self._collection_of(value, self._one_to_storage)

    def element_to_storage(self, value: Any) -> Any:
        if not self.many:
            return super().element_to_storage(value)
        return self._one_to_storage(value)

    def _one_to_storage(self, value: Any) -> Any:
        """One model / DocumentReference / path -> ``DocumentReference``."""
        if value is None:
            return value
        target = self.target
        if isinstance(value, DocumentModel):
            if target is not None and not isinstance(value, target):
                raise self._type_error(f"a {target.__name__}", value)
            return value.doc_ref
        if isinstance(value, document_reference_type()):
            self._check_path(value.path)
            return value
        if isinstance(value, str):
            path = value.strip("/")
            self._check_path(path)
            return Context.db.document(path)
        raise self._type_error("a model instance, DocumentReference or document path", value)

    def _check_path(self, path: str) -> dict[str, str] | None:
        """Raise unless ``path`` is a document path of the target; its path params (``None`` without a target)."""
        segments = path.split("/")
        if len(segments) % 2 != 0:
            raise _MaValidationError(f"{path!r} is not a document path (collection/id pairs).")
        for segment in segments:
            problem = document_id_problem(segment)
            if problem is not None:
                raise _MaValidationError(f"{path!r} is not a valid document path: {problem}")
        target = self.target
        if target is None or target._meta.path is None:
            return None
        params = target._meta.path.match(path)
        if params is None:
            raise _MaValidationError(
                f"{path!r} is not a {target.__name__} document path ({target._meta.path.template})."
            )
        return params

    # stored -> Python
    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        return self._collection_of(value, self._one_from_storage)

    def _one_from_storage(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, DocumentModel):
            self._one_to_storage(value)  # the same rule: a model of the target type
            return value
        target = self.target
        if isinstance(value, document_reference_type()):  # as read from Firestore: the path is checked once
            params = self._check_path(value.path)
            return value if target is None else target._fb_stub(value, params)
        reference = self._one_to_storage(value)
        return reference if target is None else target._fb_stub(reference)

    def iter_models(self, value: Any) -> Iterator[Model]:
        if self.many and isinstance(value, (list, tuple)):
            items: Any = value
        elif self.as_map and isinstance(value, Mapping):
            items = value.values()
        else:
            items = [value]
        for item in items:
            if is_document(item) and isinstance(item, Model):
                yield item
