"""The wire schemas of a resource, derived from the view model's own marshmallow schema.

There is one source of truth for a view's shape (its schema); what clients send and get
is that schema reshaped, never a second hand-written one:

* the **representation** (responses): every view field under its stored key, always
  present (``null`` only where the field allows ``None``), with the field's validators
  kept so the document states its enums and bounds; plus the key params (``uid``,
  ``meetingId``...) so a client knows which view it holds;
* the **create / update** bodies: only the fields the view's :class:`~.options.Writes`
  declares, with ``unknown = RAISE`` (any other key is a 400: no mass assignment), no
  ``None``, no load defaults (a ``PATCH`` changes only what was sent), integers bounded to
  Firestore's 64 bits, and JSON types checked strictly before marshmallow converts
  anything (:func:`.strict.json_type_errors`);
* the **list query**: ``limit``, ``cursor`` and the declared filters, parsed strictly
  (:mod:`.strict`).

They are plain :class:`marshmallow.Schema` classes, so webargs validates with exactly
what apispec documents.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

import marshmallow
from marshmallow import fields as ma_fields
from marshmallow import validate

from ..errors import ModelDefinitionError
from ..schema import camelize, stored_key
from ..views.view_model import ViewModel
from .bodies import INT64_MAX, INT64_MIN
from .strict import QueryBoolean, QueryFloat, QueryInteger, json_type_errors

__all__ = [
    "CLIENT_ID_PATTERN",
    "MAX_CURSOR_LENGTH",
    "body_schema",
    "bound_fields",
    "filter_field",
    "key_json_names",
    "list_query_schema",
    "representation_schema",
]

#: What a client-chosen document id may look like (a Firebase uid fits; no '/', '.', '__x__').
CLIENT_ID_PATTERN = r"^[A-Za-z0-9_-]{1,128}$"

#: Longest accepted ``cursor`` (the ORM's tokens are a few hundred bytes).
MAX_CURSOR_LENGTH = 4096


def bound_fields(view_cls: type[ViewModel]) -> dict[str, marshmallow.fields.Field[Any]]:
    """attribute name -> bound field (``data_key`` filled in, camelCase applied)."""
    return dict(view_cls._meta.schema.fields)


def key_json_names(view_cls: type[ViewModel]) -> dict[str, str]:
    """path param -> its name in JSON bodies (camelCase when the view's schema is)."""
    schema = view_cls._meta.schema
    camel = bool(getattr(schema.opts, "camel_case", False))
    names = {param: (camelize(param) if camel else param) for param in view_cls.path_template().params}
    taken = {stored_key(name, f) for name, f in bound_fields(view_cls).items()}
    clash = sorted(set(names.values()) & taken)
    if clash:
        raise ModelDefinitionError(
            f"{view_cls.__name__}: path param(s) {', '.join(clash)} have the same JSON name as a field; rename one."
        )
    return names


class _BodySchema(marshmallow.Schema):
    """Base of request bodies: JSON types are checked against the *original* values, since
    marshmallow's own conversion already turned ``"no"`` into ``False``. Runs whatever else
    failed, so one answer lists every bad field."""

    class Meta:
        unknown = marshmallow.RAISE
        ordered = True

    @marshmallow.validates_schema(pass_original=True, skip_on_field_errors=False)
    def _strict_json_types(self, data: Any, original_data: Any, **kwargs: Any) -> None:
        if not isinstance(original_data, Mapping):
            return  # marshmallow answers "Invalid input type."
        errors: dict[str, Any] = {}
        for name, field in self.fields.items():
            key = field.data_key or name
            if key in original_data:
                problem = json_type_errors(field, original_data[key])
                if problem:
                    errors[key] = problem
        if errors:
            raise marshmallow.ValidationError(errors)


def _schema_class(
    name: str, fields: dict[str, marshmallow.fields.Field[Any]], base: type[marshmallow.Schema] = marshmallow.Schema
) -> type[marshmallow.Schema]:
    meta = type("Meta", (), {"unknown": marshmallow.RAISE, "ordered": True})
    return type(name, (base,), {**fields, "Meta": meta})


def _key_field(pattern: str | None = None, **kwargs: Any) -> marshmallow.fields.Field[Any]:
    validators = [validate.Regexp(pattern)] if pattern else []
    return ma_fields.String(required=True, allow_none=False, validate=validators, **kwargs)


def representation_schema(view_cls: type) -> type[marshmallow.Schema]:
    """Response body of one view: its fields (always present) plus its (read-only) key params."""
    fields: dict[str, marshmallow.fields.Field[Any]] = {}
    for param, json_name in key_json_names(view_cls).items():
        fields[param] = _key_field(data_key=json_name, dump_only=True)
    for name, field in bound_fields(view_cls).items():
        if field.load_only:
            continue
        field = copy.deepcopy(field)
        field.required = True  # the serializer writes every field, null when unset
        fields[name] = field
    return _schema_class(view_cls.__name__, fields)


def _writable(field: marshmallow.fields.Field[Any], *, required: bool) -> marshmallow.fields.Field[Any]:
    field = copy.deepcopy(field)
    field.required = required
    field.allow_none = False
    field.load_default = marshmallow.missing
    field.dump_only = False
    if isinstance(field, ma_fields.Integer):
        field.validators = [*field.validators, validate.Range(INT64_MIN, INT64_MAX)]
    return field


def body_schema(
    view_cls: type[ViewModel],
    writable: Iterable[str],
    *,
    required: Iterable[str] = (),
    id_param: str | None = None,
    suffix: str,
) -> type[marshmallow.Schema]:
    """Request body of a create (``required`` enforced, ``id_param`` accepted) or an update."""
    declared = bound_fields(view_cls)
    required = set(required)
    fields: dict[str, marshmallow.fields.Field[Any]] = {}
    if id_param is not None:
        fields[id_param] = _key_field(CLIENT_ID_PATTERN, data_key=key_json_names(view_cls)[id_param])
    for name in writable:
        fields[name] = _writable(declared[name], required=name in required)
    return _schema_class(f"{view_cls.__name__}{suffix}", fields, _BodySchema)


def filter_field(view_cls: type[ViewModel], attribute: str) -> marshmallow.fields.Field[Any]:
    """A query-string field parsing ``?<stored key>=value`` for filter ``attribute``."""
    field = bound_fields(view_cls).get(attribute)
    if field is None:
        raise ModelDefinitionError(f"{view_cls.__name__}: RestOptions filter {attribute!r} is not a field of the view.")
    key = stored_key(attribute, field)
    validators = list(field.validators)
    description = {"description": f"Only views whose `{key}` equals this."}
    if isinstance(field, ma_fields.Enum):
        return ma_fields.Enum(
            field.enum, by_value=field.by_value, data_key=key, validate=validators, metadata=description
        )
    if isinstance(field, ma_fields.Boolean):
        return QueryBoolean(data_key=key, validate=validators, metadata=description)
    if isinstance(field, ma_fields.Integer):
        return QueryInteger(data_key=key, validate=validators, metadata=description)
    if isinstance(field, ma_fields.Float):
        return QueryFloat(data_key=key, validate=validators, metadata=description)
    if isinstance(field, ma_fields.DateTime):
        return ma_fields.AwareDateTime(data_key=key, validate=validators, metadata=description)
    if isinstance(field, ma_fields.String):
        return ma_fields.String(data_key=key, validate=[*validators, validate.Length(max=1500)], metadata=description)
    raise ModelDefinitionError(
        f"{view_cls.__name__}: cannot filter by {attribute!r} ({type(field).__name__}); filters take strings, "
        "numbers, booleans, datetimes and enums."
    )


def list_query_schema(
    name: str, filters: Mapping[str, marshmallow.fields.Field[Any]], *, page_size: int, max_page_size: int
) -> type[marshmallow.Schema]:
    """``?limit=&cursor=&<filter>=`` of one resource's list (attribute names -> parsers)."""
    clash = {"limit", "cursor"} & set(filters)
    if clash:
        raise ModelDefinitionError(f"{name}: a filtered attribute may not be named {', '.join(sorted(clash))}.")
    fields: dict[str, marshmallow.fields.Field[Any]] = {
        "limit": QueryInteger(
            load_default=page_size,
            validate=validate.Range(1, max_page_size),
            metadata={"description": f"Page size (default {page_size}).", "example": page_size},
        ),
        "cursor": ma_fields.String(
            validate=validate.Length(min=1, max=MAX_CURSOR_LENGTH),
            metadata={"description": "The `next` token of the previous page (opaque; only valid for this list)."},
        ),
        **filters,
    }
    return _schema_class(f"{name}ListQuery", fields)
