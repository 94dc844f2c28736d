"""Field types for flask-boiler schemas (marshmallow fields that know Firestore).

Every field converts in two directions:

* ``to_storage(value)``: Python attribute value -> value handed to the Firestore client.
  This is strict (``"3"`` is not an Integer) so a wrong type fails *before* the write,
  in one :class:`~flask_boiler.errors.ValidationError` listing every bad field.
* ``deserialize(value)`` (marshmallow's): stored value -> Python value, with
  marshmallow's ``required``/``allow_none``/``validate`` handling.

Server values (``firestore.SERVER_TIMESTAMP``, ``Increment``, ``ArrayUnion``,
``ArrayRemove``, ``DELETE_FIELD``...) pass through both directions untouched and skip
validators: Firestore computes them at write time.

Compatibility with flask-boiler 0.0.1 (marshmallow 2 spelling): ``load_from=`` and
``dump_to=`` set marshmallow's ``data_key`` (they must agree), ``missing=`` is
``load_default`` and ``default=`` is ``dump_default``.

Fields that are not ``required`` accept ``None`` (stored as ``null``) unless
``allow_none=False`` is passed.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import enum as _enum
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import marshmallow
from marshmallow import ValidationError as _MaValidationError
from marshmallow import fields as _ma

from ._private.firestore_types import document_reference_type, geo_point_type, is_server_value
from .errors import ModelDefinitionError

if TYPE_CHECKING:  # pragma: no cover
    from .models.base import Model
    from .models.document import DocumentModel

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


def to_storage(field: _ma.Field, value: Any) -> Any:
    """Convert ``value`` for storage with ``field`` (works for plain marshmallow fields too)."""
    if isinstance(field, Field):
        return field.to_storage(value)
    if value is None or is_server_value(value):
        return value
    return field._serialize(value, None, None)


class Field(_ma.Field):
    """Base of flask-boiler fields: a marshmallow field with a strict ``to_storage``.

    Subclasses override :meth:`_to_storage` (Python -> stored) and, when the stored form
    differs from the Python one, marshmallow's ``_deserialize`` (stored -> Python).
    """

    #: Whether a query may address keys *inside* this field (``"meta.color"``) by name.
    opaque_subpaths: bool = False

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
        """The value to write to Firestore; raises :class:`marshmallow.ValidationError` on a wrong type."""
        if value is None or is_server_value(value):
            return value
        return self._to_storage(value)

    def _to_storage(self, value: Any) -> Any:
        return value

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        # marshmallow's dump path (Schema.dump) gets the same conversion as models do.
        return self.to_storage(value)

    # -- stored -> Python ----------------------------------------------------------------

    def deserialize(self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any) -> Any:
        if is_server_value(value):
            return value
        return super().deserialize(value, attr, data, **kwargs)

    # -- model support -------------------------------------------------------------------

    def iter_models(self, value: Any) -> Iterator[Model]:
        """Model instances held in ``value`` that other documents *reference* (for prefetch)."""
        return iter(())

    def child_field(self, attribute: str) -> tuple[str, _ma.Field | None]:
        """For query paths ``"<this>.<attribute>"``: the stored key of ``attribute`` and its field."""
        raise KeyError(attribute)

    def _type_error(self, expected: str, value: Any) -> _MaValidationError:
        return _MaValidationError(f"Expected {expected}, got {type(value).__name__}.")


class Raw(Field, _ma.Raw):
    """Any value the Firestore client can store, unchanged. Keys inside dict values are addressable in queries."""

    opaque_subpaths = True


class String(Field, _ma.String):
    def _to_storage(self, value: Any) -> Any:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        return value


class Integer(Field, _ma.Integer):
    """An ``int`` (never a ``bool`` or a numeric string)."""

    def __init__(self, *args: Any, strict: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, strict=strict, **kwargs)

    def _to_storage(self, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return value

    def _validated(self, value: Any) -> Any:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._validated(value)


class Float(Field, _ma.Float):
    """A ``float``; ints are accepted and stored as floats so the stored type is stable."""

    def _to_storage(self, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid")
        return float(value)

    def _validated(self, value: Any) -> Any:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._validated(value)


class Boolean(Field, _ma.Boolean):
    def _to_storage(self, value: Any) -> Any:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class DateTime(Field, _ma.DateTime):
    """A timezone-aware ``datetime``, stored as a Firestore timestamp (microseconds kept).

    Naive datetimes are rejected in both directions: Firestore timestamps are instants,
    and guessing a zone silently shifts data. Loaded values are plain ``datetime`` objects
    in UTC (equal to the aware value that was saved). ISO 8601 strings with an offset are
    accepted on load (``from_dict`` with JSON input).
    """

    default_error_messages: ClassVar[dict[str, str]] = {
        "naive": "Naive datetime is not allowed; attach a tzinfo (e.g. datetime.timezone.utc)."
    }

    def _to_storage(self, value: Any) -> Any:
        if not isinstance(value, _dt.datetime):
            raise self._type_error("a timezone-aware datetime", value)
        if value.tzinfo is None or value.utcoffset() is None:
            raise self.make_error("naive")
        return value

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> _dt.datetime:
        if not isinstance(value, (_dt.datetime, str)):
            raise self.make_error("invalid", input=value, obj_type=self.OBJ_TYPE)
        parsed = super()._deserialize(value, attr, data, **kwargs)
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            raise self.make_error("naive")
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


class Enum(Field, _ma.Enum):
    """An :class:`enum.Enum` member, stored by value (``by_value=False`` stores the member name)."""

    def __init__(self, enum: type[_enum.Enum], *, by_value: Any = True, **kwargs: Any) -> None:
        super().__init__(enum, by_value=by_value, **kwargs)

    def _to_storage(self, value: Any) -> Any:
        if not isinstance(value, self.enum):
            raise _MaValidationError(f"Expected a {self.enum.__name__} member ({self.choices_text}).")
        return value.value if self.by_value is not False else value.name


class GeoPoint(Field):
    """A :class:`google.cloud.firestore.GeoPoint`; ``(lat, lng)`` tuples are accepted and converted."""

    def _to_storage(self, value: Any) -> Any:
        geo = geo_point_type()
        if isinstance(value, geo):
            point = value
        elif isinstance(value, (tuple, list)) and len(value) == 2:
            point = geo(*value)
        else:
            raise self._type_error("a GeoPoint or a (latitude, longitude) pair", value)
        if not (-90 <= point.latitude <= 90 and -180 <= point.longitude <= 180):
            raise _MaValidationError("Latitude must be within [-90, 90] and longitude within [-180, 180].")
        return point

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        geo = geo_point_type()
        if isinstance(value, geo):
            return value
        if isinstance(value, Mapping) and {"latitude", "longitude"} <= set(value):
            return self._to_storage(geo(value["latitude"], value["longitude"]))
        if isinstance(value, (tuple, list)):
            return self._to_storage(value)
        raise self._type_error("a GeoPoint", value)


class Bytes(Field):
    """``bytes``, stored as a Firestore bytes value. Base64 strings are accepted on load (JSON input)."""

    def _to_storage(self, value: Any) -> Any:
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise self._type_error("bytes", value)
        return bytes(value)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bytes:
        if isinstance(value, (bytes, bytearray, memoryview)):
            return bytes(value)
        if isinstance(value, str):
            try:
                return base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise _MaValidationError("Not valid base64 data.") from exc
        raise self._type_error("bytes", value)


class List(Field, _ma.List):
    """A list of ``inner`` values (``fields.List(fields.String())``)."""

    def _to_storage(self, value: Any) -> Any:
        if not isinstance(value, (list, tuple)):
            raise self._type_error("a list", value)
        result, errors = [], {}
        for index, item in enumerate(value):
            try:
                result.append(to_storage(self.inner, item))
            except _MaValidationError as exc:
                errors[index] = exc.messages
        if errors:
            raise _MaValidationError(errors)
        return result

    def iter_models(self, value: Any) -> Iterator[Model]:
        if isinstance(value, (list, tuple)) and isinstance(self.inner, Field):
            for item in value:
                yield from self.inner.iter_models(item)

    def element_to_storage(self, value: Any) -> Any:
        """Convert one element (``array-contains`` queries)."""
        return to_storage(self.inner, value)


class Dict(Field, _ma.Dict):
    """A map with string keys (``fields.Dict(values=fields.Integer())``). Alias: :data:`Map`."""

    opaque_subpaths = True

    def _to_storage(self, value: Any) -> Any:
        if not isinstance(value, Mapping):
            raise self._type_error("a mapping", value)
        result, errors = {}, {}
        for key, item in value.items():
            if not isinstance(key, str):
                errors[repr(key)] = ["Map keys must be strings."]
                continue
            try:
                result[key] = to_storage(self.value_field, item) if self.value_field is not None else item
            except _MaValidationError as exc:
                errors[key] = exc.messages
        if errors:
            raise _MaValidationError(errors)
        return result

    def iter_models(self, value: Any) -> Iterator[Model]:
        if isinstance(value, Mapping) and isinstance(self.value_field, Field):
            for item in value.values():
                yield from self.value_field.iter_models(item)


Map = Dict
Str = String
Int = Integer
Bool = Boolean


def _resolve_model(target: Any) -> Any:
    if isinstance(target, str):
        from .models.registry import resolve_model

        return resolve_model(target)
    return target


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
        self._target = _resolve_model(self._target)
        return self._target

    @property
    def _is_schema(self) -> bool:
        return isinstance(self.target, type) and issubclass(self.target, marshmallow.Schema)

    def target_schema(self) -> marshmallow.Schema:
        from .models.serialization import schema_instance

        return schema_instance(self.target) if self._is_schema else self.target._meta.schema

    # Python -> stored
    def _to_storage(self, value: Any) -> Any:
        return self._each(value, self._one_to_storage) if self.many else self._one_to_storage(value)

    def _each(self, value: Any, convert: Any) -> list:
        """``convert`` every item of a list, collecting every item's errors under its index."""
        if not isinstance(value, (list, tuple)):
            raise self._type_error("a list", value)
        result, errors = [], {}
        for index, item in enumerate(value):
            try:
                result.append(convert(item))
            except _MaValidationError as exc:
                errors[index] = exc.messages
        if errors:
            raise _MaValidationError(errors)
        return result

    def _one_to_storage(self, value: Any) -> Any:
        from .models.serialization import dump_values

        target = self.target
        if self._is_schema:
            if not isinstance(value, Mapping):
                raise self._type_error("a mapping", value)
            values = value
            schema = self.target_schema()
        else:
            if isinstance(value, Mapping):
                value = target(**value)
            if not isinstance(value, target):
                raise self._type_error(f"a {target.__name__}", value)
            return value._fb_dump()
        stored, errors = dump_values(schema, values)
        if errors:
            raise _MaValidationError(errors)
        return stored

    # stored -> Python
    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        return self._each(value, self._one_from_storage) if self.many else self._one_from_storage(value)

    def _one_from_storage(self, value: Any) -> Any:
        from .errors import ValidationError
        from .models.serialization import load_values

        target = self.target
        if not self._is_schema and isinstance(value, target):
            return value
        if not isinstance(value, Mapping):
            raise self._type_error("a map", value)
        try:
            if self._is_schema:
                values, _extra = load_values(self.target_schema(), value)
                return values
            return target._fb_from_embedded(value)
        except ValidationError as exc:
            raise _MaValidationError(exc.errors) from exc

    def iter_models(self, value: Any) -> Iterator[Model]:
        if self._is_schema:
            return
        items = value if self.many and isinstance(value, (list, tuple)) else [value]
        from .models.references import iter_references

        for item in items:
            if isinstance(item, self.target):
                yield from iter_references(item)

    def child_field(self, attribute: str) -> tuple[str, _ma.Field | None]:
        if self.many:
            raise KeyError(attribute)
        schema = self.target_schema()
        field = schema.fields.get(attribute)
        if field is None:
            raise KeyError(attribute)
        from .schema import stored_key

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
        self._target = _resolve_model(self._target)
        return self._target

    # Python -> stored
    def _to_storage(self, value: Any) -> Any:
        if self.many:
            if not isinstance(value, (list, tuple)):
                raise self._type_error("a list of references", value)
            return self._collect((index, item) for index, item in enumerate(value))
        if self.as_map:
            if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
                raise self._type_error("a mapping of str -> reference", value)
            return dict(self._collect(value.items(), keep_keys=True))
        return self.element_to_storage(value)

    def _collect(self, pairs: Any, keep_keys: bool = False) -> Any:
        result, errors = [], {}
        for key, item in pairs:
            try:
                converted = self.element_to_storage(item)
            except _MaValidationError as exc:
                errors[key] = exc.messages
                continue
            result.append((key, converted) if keep_keys else converted)
        if errors:
            raise _MaValidationError(errors)
        return result

    def element_to_storage(self, value: Any) -> Any:
        """One model / DocumentReference / path -> ``DocumentReference``."""
        if value is None or is_server_value(value):
            return value
        from .models.document import DocumentModel

        target = self.target
        if isinstance(value, DocumentModel):
            if target is not None and not isinstance(value, target):
                raise self._type_error(f"a {target.__name__}", value)
            return value.doc_ref
        if isinstance(value, document_reference_type()):
            self._check_path(value.path)
            return value
        if isinstance(value, str) and value.strip("/").count("/") % 2 == 1:
            self._check_path(value.strip("/"))
            from .context import Context

            return Context.db.document(value.strip("/"))
        raise self._type_error("a model instance, DocumentReference or document path", value)

    def _check_path(self, path: str) -> None:
        target = self.target
        if target is not None and target._meta.path is not None and target._meta.path.match(path) is None:
            raise _MaValidationError(
                f"{path!r} is not a {target.__name__} document path ({target._meta.path.template})."
            )

    # stored -> Python
    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if self.many:
            if not isinstance(value, (list, tuple)):
                raise self._type_error("a list of references", value)
            return [self._one_from_storage(item) for item in value]
        if self.as_map:
            if not isinstance(value, Mapping):
                raise self._type_error("a map of references", value)
            return {key: self._one_from_storage(item) for key, item in value.items()}
        return self._one_from_storage(value)

    def _one_from_storage(self, value: Any) -> Any:
        from .models.document import DocumentModel

        if value is None:
            return None
        target = self.target
        if isinstance(value, DocumentModel):
            return value
        if isinstance(value, str):
            value = self.element_to_storage(value)
        if not isinstance(value, document_reference_type()):
            raise self._type_error("a DocumentReference", value)
        if target is None:
            return value
        return target._fb_stub(value)

    def iter_models(self, value: Any) -> Iterator[Model]:
        from .models.document import DocumentModel

        if self.many and isinstance(value, (list, tuple)):
            items: Any = value
        elif self.as_map and isinstance(value, Mapping):
            items = value.values()
        else:
            items = [value]
        for item in items:
            if isinstance(item, DocumentModel):
                yield item


FieldLike = Field | _ma.Field
