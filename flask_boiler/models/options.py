"""Reading a model's ``class Meta`` into :class:`ModelOptions` (once, at class creation).

Meta options (all optional):

``schema_cls`` (or ``schema``)
    The :class:`flask_boiler.schema.Schema` subclass declaring the fields.
``collection_name`` / ``path``
    Where documents live: ``collection_name = "cities"`` means ``"cities/{doc_id}"``;
    ``path = "users/{uid}/tickets/{ticket_id}"`` declares a subcollection. Default: the
    class name (``TestObject/<id>``, as in flask-boiler 0.0.1), or the type root's name.
``camel_case``
    Store fields without an explicit key under camelCase names.
``type_field``
    Store a type discriminator under this key (``True`` means ``"_type"``); loading
    through a base class then returns the registered subclass.
``type_name``
    The name stored in ``type_field`` for this class (default: the class name). Set it
    to keep stored data stable when classes are renamed. Not inherited.
``abstract``
    A base class with no documents of its own. Not inherited.

Options other than ``type_name`` and ``abstract`` are inherited from base classes.
:func:`meta_option` is the one lookup of a ``Meta`` option along the class hierarchy
(view models' ``access``, ``rest`` and ``trigger_options`` are read the same way).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import marshmallow

from ..errors import ModelDefinitionError
from ..schema import Schema, schema_instance, stored_keys
from .paths import PathTemplate

__all__ = ["ModelOptions", "build_options", "meta_option"]

DEFAULT_TYPE_FIELD = "_type"


def meta_option(cls: type, name: str, default: Any = None, *, inherit: bool = True) -> Any:
    """``cls.Meta.<name>``, from the nearest class in ``cls.__mro__`` whose own ``Meta`` sets it.

    ``inherit=False`` looks at ``cls``'s own ``Meta`` only. ``default`` when no class
    sets it. A subclass may set an option to ``None`` to switch off what a base set
    (``type_field = None``, ``rest = None``): the nearest setting wins, ``None`` included.
    """
    for klass in cls.__mro__ if inherit else (cls,):
        meta = klass.__dict__.get("Meta")
        if meta is not None and hasattr(meta, name):
            return getattr(meta, name)
    return default


@dataclass(eq=False)
class ModelOptions:
    """Everything the ORM needs to know about one model class."""

    model: type
    schema_cls: type[marshmallow.Schema]
    abstract: bool = False
    path: PathTemplate | None = None
    type_field: str | None = None
    type_name: str | None = None
    type_root: type | None = None
    #: type name -> class, shared by every class of one discriminated hierarchy.
    subtypes: dict[str, type] = field(default_factory=dict)
    #: attribute name -> stored key (:func:`flask_boiler.schema.stored_keys`).
    stored_keys: dict[str, str] = field(default_factory=dict)
    _schema: marshmallow.Schema | None = None

    @property
    def schema(self) -> marshmallow.Schema:
        """The bound schema instance (built on first use, then shared)."""
        if self._schema is None:
            self._schema = schema_instance(self.schema_cls)
        return self._schema

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(self.schema_cls._declared_fields)

    @property
    def document_path(self) -> PathTemplate:
        """:attr:`path`, for models that have one (documents); :class:`ModelDefinitionError` otherwise."""
        if self.path is None:
            raise ModelDefinitionError(f"{self.model.__name__} is not stored as documents (it has no path).")
        return self.path

    def type_names(self) -> list[str]:
        """Type names of this class and its registered subclasses (for discriminated queries)."""
        return [name for name, klass in self.subtypes.items() if issubclass(klass, self.model)]


def _schema_for(cls: type) -> type[marshmallow.Schema]:
    schema_cls = meta_option(cls, "schema_cls") or meta_option(cls, "schema") or Schema
    if not (isinstance(schema_cls, type) and issubclass(schema_cls, marshmallow.Schema)):
        raise ModelDefinitionError(f"{cls.__name__}.Meta.schema_cls must be a Schema class, got {schema_cls!r}.")
    camel_case = meta_option(cls, "camel_case")
    if camel_case is True and not getattr(schema_cls.opts, "camel_case", False):
        if not issubclass(schema_cls, Schema):
            raise ModelDefinitionError(
                f"{cls.__name__}: camel_case needs a flask_boiler.schema.Schema subclass, got {schema_cls.__name__}."
            )
        base_meta = getattr(schema_cls, "Meta", object)
        meta = type("Meta", (base_meta,), {"camel_case": True})
        camel_schema: type[marshmallow.Schema] = type(
            f"{cls.__name__}CamelSchema", (schema_cls,), {"Meta": meta, "__module__": cls.__module__}
        )
        return camel_schema
    return schema_cls


def _stored_keys_of(cls: type, schema_cls: type[marshmallow.Schema]) -> dict[str, str]:
    keys = stored_keys(schema_cls)
    seen: dict[str, str] = {}
    for name, key in keys.items():
        if key in seen:
            raise ModelDefinitionError(f"{cls.__name__}: fields {seen[key]!r} and {name!r} are both stored as {key!r}.")
        seen[key] = name
    return keys


def build_options(cls: type, persistent: bool) -> ModelOptions:
    """Read ``cls.Meta`` (and its bases') into a :class:`ModelOptions`."""
    schema_cls = _schema_for(cls)
    keys = _stored_keys_of(cls, schema_cls)
    abstract = meta_option(cls, "abstract", inherit=False) is True
    options = ModelOptions(model=cls, schema_cls=schema_cls, abstract=abstract, stored_keys=keys)

    parent: ModelOptions | None = next(
        (base.__dict__["_meta"] for base in cls.__mro__[1:] if "_meta" in base.__dict__), None
    )

    # -- type discriminator ---------------------------------------------------------------
    type_field = meta_option(cls, "type_field")
    if type_field is True:
        type_field = DEFAULT_TYPE_FIELD
    if type_field not in (None, False):
        if not isinstance(type_field, str) or not type_field:
            raise ModelDefinitionError(f"{cls.__name__}.Meta.type_field must be a non-empty string or True.")
        options.type_field = type_field
        if parent is not None and parent.type_field == type_field and parent.type_root is not None:
            options.type_root = parent.type_root
            options.subtypes = parent.subtypes
        else:
            options.type_root = cls
        options.type_name = str(meta_option(cls, "type_name", cls.__name__, inherit=False))
        if type_field in keys.values():
            owner = next(name for name, key in keys.items() if key == type_field)
            raise ModelDefinitionError(
                f"{cls.__name__}: Meta.type_field {type_field!r} is the stored key of field {owner!r}; saving would "
                "overwrite that field with the type name. Choose another type_field."
            )
        if not abstract:
            existing = options.subtypes.get(options.type_name)
            if existing is not None and (existing.__module__, existing.__qualname__) != (
                cls.__module__,
                cls.__qualname__,
            ):
                raise ModelDefinitionError(
                    f"Type name {options.type_name!r} is used by both {existing.__qualname__} and {cls.__qualname__}; "
                    "set Meta.type_name on one of them."
                )
            options.subtypes[options.type_name] = cls

    # -- document path ----------------------------------------------------------------------
    if persistent:
        template = meta_option(cls, "path")
        collection_name = meta_option(cls, "collection_name")
        if template is not None:
            options.path = PathTemplate.parse(template)
        elif collection_name is not None:
            options.path = PathTemplate.for_collection(collection_name)
        elif parent is not None and options.type_root is not None and options.type_root is not cls:
            options.path = parent.path
        else:
            options.path = PathTemplate.for_collection(cls.__name__)
    return options
