"""The wire schemas of a resource, derived from the view model's own marshmallow schema.

There is one source of truth for a view's shape (its schema); what clients send and get
is that schema reshaped, never a second hand-written one:

* the **representation** (responses): every view field under its stored key, plus the
  key params (``uid``, ``meetingId``...) so a client knows which view it holds;
* the **create / update** bodies: only the fields the view's :class:`~.options.Writes`
  declares, with ``unknown = RAISE`` (any other key is a 400: no mass assignment), no
  ``None`` and no load defaults (a ``PATCH`` changes only what was sent);
* **filters**: plain query-string fields for the declared filter attributes.

They are plain :class:`marshmallow.Schema` classes so apispec documents exactly what the
REST layer validates with.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import marshmallow
from marshmallow import fields as ma_fields
from marshmallow import validate

from ..errors import ModelDefinitionError
from ..schema import camelize, stored_key

__all__ = [
    "CLIENT_ID_PATTERN",
    "body_schema",
    "bound_fields",
    "filter_field",
    "key_json_names",
    "representation_schema",
]

#: What a client-chosen document id may look like (a Firebase uid fits; no '/', '.', '__x__').
CLIENT_ID_PATTERN = r"^[A-Za-z0-9_-]{1,128}$"


def bound_fields(view_cls: type) -> dict[str, marshmallow.fields.Field]:
    """attribute name -> bound field (``data_key`` filled in, camelCase applied)."""
    return dict(view_cls._meta.schema.fields)


def key_json_names(view_cls: type) -> dict[str, str]:
    """path param -> its name in JSON bodies (camelCase when the view's schema is)."""
    camel = bool(getattr(view_cls._meta.schema.opts, "camel_case", False))
    names = {param: (camelize(param) if camel else param) for param in view_cls._meta.path.params}
    taken = {stored_key(name, f) for name, f in bound_fields(view_cls).items()}
    clash = sorted(set(names.values()) & taken)
    if clash:
        raise ModelDefinitionError(
            f"{view_cls.__name__}: path param(s) {', '.join(clash)} have the same JSON name as a field; rename one."
        )
    return names


def _schema_class(name: str, fields: dict[str, marshmallow.fields.Field], unknown: str) -> type[marshmallow.Schema]:
    meta = type("Meta", (), {"unknown": unknown, "ordered": True})
    return type(name, (marshmallow.Schema,), {**fields, "Meta": meta})


def _key_field(pattern: str | None = None, **kwargs: Any) -> marshmallow.fields.Field:
    validators = [validate.Regexp(pattern)] if pattern else []
    return ma_fields.String(required=True, allow_none=False, validate=validators, **kwargs)


def representation_schema(view_cls: type) -> type[marshmallow.Schema]:
    """Response body of one view: its fields plus its (read-only) key params."""
    fields: dict[str, marshmallow.fields.Field] = {}
    for param, json_name in key_json_names(view_cls).items():
        fields[param] = _key_field(data_key=json_name, dump_only=True)
    for name, field in bound_fields(view_cls).items():
        if field.load_only:
            continue
        field = copy.deepcopy(field)
        field.validators = []  # validators constrain input; a response shows whatever the domain holds
        fields[name] = field
    return _schema_class(view_cls.__name__, fields, marshmallow.EXCLUDE)


def body_schema(
    view_cls: type,
    writable: Iterable[str],
    *,
    required: Iterable[str] = (),
    id_param: str | None = None,
    suffix: str,
) -> type[marshmallow.Schema]:
    """Request body of a create (``required`` enforced, ``id_param`` accepted) or an update."""
    declared = bound_fields(view_cls)
    required = set(required)
    fields: dict[str, marshmallow.fields.Field] = {}
    if id_param is not None:
        fields[id_param] = _key_field(CLIENT_ID_PATTERN, data_key=key_json_names(view_cls)[id_param])
    for name in writable:
        field = copy.deepcopy(declared[name])
        field.required = name in required
        field.allow_none = False
        field.load_default = marshmallow.missing
        field.dump_only = False
        fields[name] = field
    return _schema_class(f"{view_cls.__name__}{suffix}", fields, marshmallow.RAISE)


_FILTER_TYPES: tuple[tuple[type, type], ...] = (
    (marshmallow.fields.Boolean, ma_fields.Boolean),
    (marshmallow.fields.Integer, ma_fields.Integer),
    (marshmallow.fields.Float, ma_fields.Float),
    (marshmallow.fields.DateTime, ma_fields.AwareDateTime),
    (marshmallow.fields.String, ma_fields.String),
)


def filter_field(view_cls: type, attribute: str) -> marshmallow.fields.Field:
    """A query-string field parsing ``?<stored key>=value`` for filter ``attribute``."""
    field = bound_fields(view_cls).get(attribute)
    if field is None:
        raise ModelDefinitionError(f"{view_cls.__name__}: RestOptions filter {attribute!r} is not a field of the view.")
    key = stored_key(attribute, field)
    if isinstance(field, marshmallow.fields.Enum):
        return ma_fields.Enum(field.enum, by_value=field.by_value, data_key=key, validate=list(field.validators))
    for source_type, query_type in _FILTER_TYPES:
        if isinstance(field, source_type):
            return query_type(data_key=key, validate=list(field.validators))
    raise ModelDefinitionError(
        f"{view_cls.__name__}: cannot filter by {attribute!r} ({type(field).__name__}); filters take strings, "
        "numbers, booleans, datetimes and enums."
    )
