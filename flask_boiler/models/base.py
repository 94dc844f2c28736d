"""The model base class: attribute values described by a schema, with no storage of its own.

:class:`Model` is what embedded models (``fields.Nested``) are; documents add persistence
in :class:`flask_boiler.models.document.DocumentModel`.

Typing: each schema field becomes a data descriptor on the model class. For IDEs and type
checkers, annotate the attributes on the model class; the annotations are checked
against the schema when the class is created (a typo is a :class:`ModelDefinitionError`)::

    class City(DomainModel):
        name: str
        population: int | None

        class Meta:
            schema_cls = CitySchema

Assigning an attribute that is neither a field nor declared on the class raises
:class:`~flask_boiler.errors.UnknownFieldError`, so ``obj.nmae = "x"`` cannot silently
be lost on save.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, TypeVar

import marshmallow

from ..errors import ModelDefinitionError, UnknownFieldError, UnknownModelTypeError, UsageError, ValidationError
from .limits import check_storable
from .options import ModelOptions, build_options
from .registry import register_model
from .serialization import check, dump_values, load_values

__all__ = ["EmbeddedModel", "FieldAttribute", "Model", "ModelAttribute"]

M = TypeVar("M", bound="Model")


class ModelAttribute:
    """A named data descriptor on a model class; the class itself reads as the descriptor."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        return self if obj is None else self.value_of(obj)

    def value_of(self, obj: Any) -> Any:
        raise NotImplementedError  # pragma: no cover - subclasses say where the value lives

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


class FieldAttribute(ModelAttribute):
    """Class attribute standing for one schema field; values live in the instance's ``_fb_values``."""

    __slots__ = ()

    def value_of(self, obj: Any) -> Any:
        obj._fb_ensure_loaded()
        return obj._fb_values.get(self.name)

    def __set__(self, obj: Any, value: Any) -> None:
        obj._fb_ensure_loaded()
        obj._fb_values[self.name] = value


def _default_for(field: marshmallow.fields.Field[Any]) -> Any:
    default = field.load_default
    if default is marshmallow.missing:
        return None
    return default() if callable(default) else default


class Model:
    """Attribute values described by ``Meta.schema_cls``; serializable and embeddable."""

    _meta: ClassVar[ModelOptions]
    #: True for models stored as documents (:class:`~flask_boiler.models.document.DocumentModel`).
    _fb_persistent: ClassVar[bool] = False

    _fb_values: dict[str, Any]
    _fb_extra: dict[str, Any]

    class Meta:
        abstract = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._meta = build_options(cls, persistent=cls._fb_persistent)
        cls._fb_install_attributes()
        register_model(cls)

    @classmethod
    def _fb_reserved_names(cls) -> set[str]:
        reserved: set[str] = set()
        for klass in cls.__mro__:
            if klass is object:
                continue
            for name, value in vars(klass).items():
                if not isinstance(value, FieldAttribute):
                    reserved.add(name)
        return reserved

    @classmethod
    def _fb_install_attributes(cls) -> None:
        names = cls._meta.field_names
        reserved = cls._fb_reserved_names() - set(inspect.get_annotations(cls))
        for name in names:
            if name.startswith("_"):
                raise ModelDefinitionError(f"{cls.__name__}: field names may not start with '_' ({name!r}).")
            if name in reserved and not isinstance(getattr(cls, name, None), FieldAttribute):
                raise ModelDefinitionError(
                    f"{cls.__name__}: field {name!r} clashes with the model attribute of the same name; rename the "
                    "attribute and keep the stored key with data_key=..."
                )
            setattr(cls, name, FieldAttribute(name))
        for klass in cls.__mro__:
            if klass.__dict__.get("_meta") is not None:
                for annotated, annotation in inspect.get_annotations(klass).items():
                    if annotated.startswith("_") or "ClassVar" in str(annotation):
                        continue
                    if annotated not in names and annotated not in cls._fb_extra_attribute_names():
                        raise ModelDefinitionError(
                            f"{cls.__name__} annotates {annotated!r}, which its schema {cls._meta.schema_cls.__name__} "
                            "does not declare."
                        )

    @classmethod
    def _fb_extra_attribute_names(cls) -> set[str]:
        """Attribute names besides fields that instances expose (path parameters for documents)."""
        return set()

    # -- construction -------------------------------------------------------------------

    def __init__(self, **values: Any) -> None:
        if self._meta.abstract:
            raise UsageError(f"{type(self).__name__} is abstract (Meta.abstract = True); subclass it with a schema.")
        self._fb_blank()
        self._fb_fill_defaults()
        self._fb_assign(values)

    def _fb_blank(self) -> None:
        object.__setattr__(self, "_fb_values", {})
        object.__setattr__(self, "_fb_extra", {})

    def _fb_fill_defaults(self) -> None:
        for name, field in self._meta.schema.fields.items():
            self._fb_values[name] = _default_for(field)

    def _fb_assign(self, values: Mapping[str, Any]) -> None:
        known = self._meta.field_names
        for name in values:
            if name not in known:
                raise UnknownFieldError(type(self).__name__, name, list(known))
        self._fb_values.update(values)

    def _fb_ensure_loaded(self) -> None:
        """Documents loaded lazily override this; plain models are always loaded."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_") or hasattr(type(self), name):
            object.__setattr__(self, name, value)
            return
        self._fb_ensure_loaded()  # an unloaded reference may become a subclass that has it
        if hasattr(type(self), name):
            object.__setattr__(self, name, value)
            return
        raise UnknownFieldError(type(self).__name__, name, list(self._meta.field_names))

    # -- (de)serialization ----------------------------------------------------------------

    @classmethod
    def _fb_resolve_type(cls: type[M], data: Mapping[str, Any]) -> type[M]:
        """The class to instantiate for stored ``data`` (a subclass when a type discriminator says so)."""
        options = cls._meta
        if options.type_field is None:
            return cls
        name = data.get(options.type_field)
        if name is None:
            return cls
        target = options.subtypes.get(name)
        if target is None:
            raise UnknownModelTypeError(f"No model registered with type name {name!r} under {cls.__name__}.")
        if not issubclass(target, cls):
            raise UnknownModelTypeError(f"The stored type {name!r} ({target.__name__}) is not a {cls.__name__}.")
        return target

    def _fb_apply_stored(self, data: Mapping[str, Any], *, from_firestore: bool = False) -> None:
        """Load stored-key ``data`` into the attributes (validated; see :func:`.serialization.load_values`
        for ``from_firestore``, which only data read from Firestore may claim)."""
        options = self._meta
        if options.type_field is not None:
            data = {key: value for key, value in data.items() if key != options.type_field}
        values, extra = load_values(options.schema, data, model_name=type(self).__name__, from_firestore=from_firestore)
        object.__setattr__(self, "_fb_values", values)
        object.__setattr__(self, "_fb_extra", extra)

    def _fb_with_type(self, stored: dict[str, Any]) -> dict[str, Any]:
        options = self._meta
        data = {**self._fb_extra, **stored}
        if options.type_field is not None and options.type_name is not None:
            data[options.type_field] = options.type_name
        return data

    def _fb_dump(self) -> dict[str, Any]:
        """Stored dict, type-checked but not validated (used for embedded values)."""
        self._fb_ensure_loaded()
        stored, errors = dump_values(self._meta.schema, self._fb_values)
        if errors:
            raise ValidationError(errors, model=type(self).__name__)
        return self._fb_with_type(stored)

    def _fb_check(self, only: Iterable[str] | None = None) -> dict[str, Any]:
        """Stored dict of the fields in ``only`` (default: all), after full validation."""
        self._fb_ensure_loaded()
        return check(self._meta.schema, self._fb_values, only=only, model_name=type(self).__name__)

    def _fb_check_storable(self, stored: dict[str, Any]) -> None:
        """Raise unless Firestore can store ``stored`` (encoding and limits; see :mod:`.limits`)."""
        names = {key: name for name, key in self._meta.stored_keys.items()}
        check_storable(stored, names=names, model=type(self).__name__)

    @classmethod
    def _fb_from_embedded(cls: type[M], data: Mapping[str, Any]) -> M:
        target = cls._fb_resolve_type(data)
        obj = target.__new__(target)
        obj._fb_blank()
        obj._fb_apply_stored(data)
        return obj

    def validate(self) -> None:
        """Raise :class:`ValidationError` listing every invalid field (what ``save()`` checks).

        Types and validators first; then whether Firestore can store the result
        (:class:`~flask_boiler.errors.EncodingError`, :class:`~flask_boiler.errors.StorageLimitError`).
        """
        self.validated_dict()

    def validated_dict(self) -> dict[str, Any]:
        """The data as ``save()`` writes it, after :meth:`validate`'s checks (one pass, not two)."""
        stored = self._fb_with_type(self._fb_check())
        self._fb_check_storable(stored)
        return stored

    def to_dict(self) -> dict[str, Any]:
        """The data as it is stored: stored keys, Firestore values, unknown stored keys kept.

        Types are checked (:class:`ValidationError`); validators are not (see :meth:`validate`).
        """
        return self._fb_dump()

    @classmethod
    def from_dict(cls: type[M], data: Mapping[str, Any]) -> M:
        """Build an instance from stored-key ``data`` (validated; raises :class:`ValidationError`)."""
        return cls._fb_from_embedded(data)

    def attributes(self) -> dict[str, Any]:
        """Attribute name -> Python value (a copy)."""
        self._fb_ensure_loaded()
        return dict(self._fb_values)

    # -- Python protocol ------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Model)
        return self.attributes() == other.attributes() and self._fb_extra == other._fb_extra

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        values = " ".join(f"{name}={value!r}" for name, value in self._fb_values.items())
        return f"<{type(self).__name__} {values}>"


class EmbeddedModel(Model):
    """A model stored inside another document (``fields.Nested(Address)``)."""

    class Meta:
        abstract = True
