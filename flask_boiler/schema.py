"""Schemas: which attributes a model has and under which keys they are stored.

As in flask-boiler 0.0.1, a schema is a marshmallow schema whose fields come from
:mod:`flask_boiler.fields`::

    from flask_boiler import schema, fields

    class TestObjectSchema(schema.Schema):
        int_a = fields.Raw(load_from="intA", dump_to="intA")

The attribute name (``int_a``) is what Python code uses; the *stored key* (``intA``,
marshmallow's ``data_key``) is what the Firestore document contains. Models, queries
and ``update()`` translate between the two, so application code never spells a
stored key.

Schema options (``class Meta`` on the schema, or on the model):

* ``camel_case = True``: fields without an explicit key are stored under their
  camelCase name (``created_at`` -> ``createdAt``).

Unlike 0.0.1, the base schema declares no ``obj_type``/``doc_id``/``doc_ref`` fields:
documents contain only the declared data (see the ``type_field`` model option for
polymorphic collections).
"""

from __future__ import annotations

from typing import Any

import marshmallow

__all__ = ["Schema", "SchemaOpts", "camelize", "stored_key"]


def camelize(name: str) -> str:
    """``snake_case`` -> ``snakeCase`` (leading/trailing underscores are kept)."""
    stripped = name.strip("_")
    if not stripped:
        return name
    head, *rest = stripped.split("_")
    core = head + "".join(part[:1].upper() + part[1:] for part in rest if part)
    leading = name[: len(name) - len(name.lstrip("_"))]
    trailing = name[len(name.rstrip("_")) :]
    return f"{leading}{core}{trailing}"


def stored_key(field_name: str, field_obj: marshmallow.fields.Field) -> str:
    """The key under which ``field_obj`` (bound as ``field_name``) is stored."""
    return field_obj.data_key if field_obj.data_key is not None else field_name


class SchemaOpts(marshmallow.SchemaOpts):
    """marshmallow options plus ``camel_case``."""

    def __init__(self, meta: type, *args: Any, **kwargs: Any) -> None:
        super().__init__(meta, *args, **kwargs)
        self.camel_case: bool = bool(getattr(meta, "camel_case", False))


class Schema(marshmallow.Schema):
    """Base class of flask-boiler schemas (a :class:`marshmallow.Schema`).

    Unknown *stored* keys are excluded here because the model keeps them aside and
    writes them back on save (they are preserved, not dropped).
    """

    OPTIONS_CLASS = SchemaOpts
    opts: SchemaOpts

    class Meta:
        unknown = marshmallow.EXCLUDE

    def on_bind_field(self, field_name: str, field_obj: marshmallow.fields.Field) -> None:
        if self.opts.camel_case and field_obj.data_key is None:
            field_obj.data_key = camelize(field_name)
        super().on_bind_field(field_name, field_obj)
