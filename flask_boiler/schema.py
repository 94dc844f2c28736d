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

**One rule for stored keys.** :func:`stored_key` is the only place that decides a
field's key (explicit ``data_key``, else camelCase when the schema asks, else the
attribute name); binding a field to a schema applies it, and :func:`stored_keys`
applies it to a schema class without binding. Everything else (models, queries,
``update()``, the type discriminator's collision check, REST, indexes) asks these two.

Unlike 0.0.1, the base schema declares no ``obj_type``/``doc_id``/``doc_ref`` fields:
documents contain only the declared data (see the ``type_field`` model option for
polymorphic collections).
"""

from __future__ import annotations

import functools
from typing import Any, TypeVar

import marshmallow

__all__ = ["Schema", "SchemaOpts", "camelize", "schema_instance", "stored_key", "stored_keys"]

S = TypeVar("S", bound=marshmallow.Schema)


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


def stored_key(field_name: str, field_obj: marshmallow.fields.Field[Any], *, camel_case: bool = False) -> str:
    """The key under which ``field_obj``, declared as ``field_name``, is stored.

    Its ``data_key`` if it has one, else the camelCase name when the schema has
    ``camel_case``, else the attribute name. A field bound to a schema already carries
    the camelCase key in ``data_key`` (binding applies this function), so for bound
    fields (``schema.fields``) ``camel_case`` needs no passing; for declared, unbound
    ones (``Schema._declared_fields``) use :func:`stored_keys`.
    """
    if field_obj.data_key is not None:
        return field_obj.data_key
    return camelize(field_name) if camel_case else field_name


def stored_keys(schema: marshmallow.Schema | type[marshmallow.Schema]) -> dict[str, str]:
    """Attribute name -> stored key for every field of ``schema`` (a class or an instance)."""
    if isinstance(schema, marshmallow.Schema):
        return {name: stored_key(name, field_obj) for name, field_obj in schema.fields.items()}
    camel = bool(getattr(schema.opts, "camel_case", False))
    return {name: stored_key(name, field_obj, camel_case=camel) for name, field_obj in schema._declared_fields.items()}


@functools.cache
def _instance(schema_cls: type[marshmallow.Schema]) -> marshmallow.Schema:
    return schema_cls()


def schema_instance(schema_cls: type[S]) -> S:
    """One shared instance per schema class (marshmallow schemas are reusable and cost to build)."""
    instance = _instance(schema_cls)
    assert isinstance(instance, schema_cls)
    return instance


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

    def on_bind_field(self, field_name: str, field_obj: marshmallow.fields.Field[Any]) -> None:
        if self.opts.camel_case and field_obj.data_key is None:
            field_obj.data_key = stored_key(field_name, field_obj, camel_case=True)
        super().on_bind_field(field_name, field_obj)
