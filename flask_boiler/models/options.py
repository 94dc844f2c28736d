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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import ModelDefinitionError
from ..schema import Schema
from .paths import PathTemplate

if TYPE_CHECKING:  # pragma: no cover
    import marshmallow

    from .base import Model

__all__ = ["ModelOptions", "build_options"]

_NOT_SET: Any = object()
DEFAULT_TYPE_FIELD = "_type"


def _meta_option(cls: type, name: str, *, inherit: bool = True) -> Any:
    classes = cls.__mro__ if inherit else (cls,)
    for klass in classes:
        meta = klass.__dict__.get("Meta")
        if meta is not None and hasattr(meta, name):
            return getattr(meta, name)
    return _NOT_SET


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
    _schema: marshmallow.Schema | None = None

    @property
    def schema(self) -> marshmallow.Schema:
        """The bound schema instance (built on first use, then shared)."""
        if self._schema is None:
            from .serialization import schema_instance

            self._schema = schema_instance(self.schema_cls)
        return self._schema

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(self.schema_cls._declared_fields)

    def type_names(self) -> list[str]:
        """Type names of this class and its registered subclasses (for discriminated queries)."""
        return [name for name, klass in self.subtypes.items() if issubclass(klass, self.model)]


def _schema_for(cls: type) -> type:
    schema_cls = _meta_option(cls, "schema_cls")
    if schema_cls is _NOT_SET:
        schema_cls = _meta_option(cls, "schema")
    if schema_cls is _NOT_SET or schema_cls is None:
        schema_cls = Schema
    import marshmallow

    if not (isinstance(schema_cls, type) and issubclass(schema_cls, marshmallow.Schema)):
        raise ModelDefinitionError(f"{cls.__name__}.Meta.schema_cls must be a Schema class, got {schema_cls!r}.")
    camel_case = _meta_option(cls, "camel_case")
    if camel_case is True and not getattr(schema_cls.opts, "camel_case", False):
        if not issubclass(schema_cls, Schema):
            raise ModelDefinitionError(
                f"{cls.__name__}: camel_case needs a flask_boiler.schema.Schema subclass, got {schema_cls.__name__}."
            )
        base_meta = getattr(schema_cls, "Meta", object)
        meta = type("Meta", (base_meta,), {"camel_case": True})
        schema_cls = type(f"{cls.__name__}CamelSchema", (schema_cls,), {"Meta": meta, "__module__": cls.__module__})
    return schema_cls


def _check_stored_keys(cls: type, schema_cls: type) -> None:
    from ..schema import camelize

    camel = getattr(schema_cls.opts, "camel_case", False)
    seen: dict[str, str] = {}
    for name, field_obj in schema_cls._declared_fields.items():
        key = field_obj.data_key or (camelize(name) if camel else name)
        if key in seen:
            raise ModelDefinitionError(f"{cls.__name__}: fields {seen[key]!r} and {name!r} are both stored as {key!r}.")
        seen[key] = name


def build_options(cls: type[Model], persistent: bool) -> ModelOptions:
    """Read ``cls.Meta`` (and its bases') into a :class:`ModelOptions`."""
    schema_cls = _schema_for(cls)
    _check_stored_keys(cls, schema_cls)
    abstract = bool(_meta_option(cls, "abstract", inherit=False) is True)
    options = ModelOptions(model=cls, schema_cls=schema_cls, abstract=abstract)

    parent = next((base._meta for base in cls.__mro__[1:] if "_meta" in base.__dict__), None)

    # -- type discriminator ---------------------------------------------------------------
    type_field = _meta_option(cls, "type_field")
    if type_field is True:
        type_field = DEFAULT_TYPE_FIELD
    if type_field not in (_NOT_SET, None, False):
        if not isinstance(type_field, str) or not type_field:
            raise ModelDefinitionError(f"{cls.__name__}.Meta.type_field must be a non-empty string or True.")
        options.type_field = type_field
        if parent is not None and parent.type_field == type_field and parent.type_root is not None:
            options.type_root = parent.type_root
            options.subtypes = parent.subtypes
        else:
            options.type_root = cls
        own_name = _meta_option(cls, "type_name", inherit=False)
        options.type_name = cls.__name__ if own_name is _NOT_SET else str(own_name)
        if type_field in {field_obj.data_key or name for name, field_obj in schema_cls._declared_fields.items()}:
            raise ModelDefinitionError(f"{cls.__name__}: type_field {type_field!r} collides with a field's stored key.")
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
        template = _meta_option(cls, "path")
        collection_name = _meta_option(cls, "collection_name")
        if template is not _NOT_SET and template is not None:
            options.path = PathTemplate.parse(template)
        elif collection_name is not _NOT_SET and collection_name is not None:
            options.path = PathTemplate.for_collection(collection_name)
        elif options.type_root is not None and options.type_root is not cls:
            options.path = options.type_root._meta.path
        else:
            options.path = PathTemplate.for_collection(cls.__name__)
    return options
