"""The ``ViewModel`` base class: a document model whose documents are computed, never edited.

A view model is a :class:`~flask_boiler.models.document.DocumentModel` (so its stored
views can be read like any model: ``MeetingSession.get(uid=..., meeting_id=...)``) plus a
declaration of its sources (:mod:`.declaration`) and a pure ``compute``. The refresh engine
talks to it only through the class methods below — :meth:`declaration`, :meth:`read_set`,
:meth:`keys_for`, :meth:`compute_all` — never through its private attributes.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from types import MappingProxyType
from typing import Any, ClassVar, overload

from ..errors import InvalidView, ModelDefinitionError, ValidationError
from ..models.document import DocumentModel
from ..models.paths import PathTemplate
from .access import Owner, access_of
from .declaration import ViewDeclaration, check_hops, collect_declaration
from .dependencies import ReadSet, guard_sources, read_set
from .registry import register_view
from .stamp import RootViews

__all__ = ["DocumentAsView", "ViewModel"]


class _ViewKey:
    """``ViewModel.key``: the view's path parameters, read-only.

    ``compute`` typically looks its own attendee up in a list of N (``self.key["uid"]`` once
    per element), N times for N views: a million reads for 1,000 views. So a view being
    computed holds its key as a plain instance attribute (set by :meth:`ViewModel.compute_all`),
    which this non-data descriptor lets win: a dictionary lookup, no call, no copy. Other views
    (read from the store, or built by hand) get theirs from their path.
    """

    @overload
    def __get__(self, view: None, owner: type | None = None) -> _ViewKey: ...
    @overload
    def __get__(self, view: ViewModel, owner: type | None = None) -> Mapping[str, str]: ...
    def __get__(self, view: ViewModel | None, owner: type | None = None) -> _ViewKey | Mapping[str, str]:
        if view is None:
            return self
        return MappingProxyType(dict(getattr(view, "_fb_key", None) or view.path_params))


class ViewModel(DocumentModel):
    """Base class of view models. Subclasses declare ``Meta.path``, ``Meta.schema_cls``,
    one root ``source(...)``, optionally followed sources, ``keys`` and ``compute``."""

    _fb_declaration: ClassVar[ViewDeclaration | None] = None

    class Meta:
        abstract = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls._meta.abstract:
            return
        declaration = collect_declaration(cls)
        cls._fb_declaration = declaration
        root_params = set(declaration.root_path.params)
        view_params = set(cls.path_template().params)
        if declaration.keys is None and not view_params <= root_params:
            missing = ", ".join(sorted(view_params - root_params))
            raise ModelDefinitionError(
                f"{cls.__name__}: the view path needs {missing}, which the root source "
                f"{declaration.root.name!r} does not provide; define keys(root) to say which views exist."
            )
        policy = access_of(cls)
        if isinstance(policy, Owner) and policy.param not in view_params:
            raise ModelDefinitionError(
                f"{cls.__name__}: Meta.access = owner({policy.param!r}) needs {{{policy.param}}} in the view path "
                f"{cls.path_template().template!r}."
            )
        register_view(cls)

    # -- what a subclass writes -------------------------------------------------------

    def compute(self) -> Mapping[str, Any] | None:
        """Return the view's field values (attribute names), or set them on ``self``."""
        raise NotImplementedError(f"{type(self).__name__} must define compute().")

    # -- what the engine reads ----------------------------------------------------------

    @classmethod
    def declaration(cls) -> ViewDeclaration:
        """The checked description of this view model's sources."""
        declaration = cls.__dict__.get("_fb_declaration")
        if not isinstance(declaration, ViewDeclaration):
            raise ModelDefinitionError(f"{cls.__name__} is abstract: it declares no sources.")
        return declaration

    @classmethod
    def read_set(cls) -> ReadSet:
        """The fields of each source that ``compute``/``keys`` read (worked out once, on first use,
        so importing ``main.py`` stays cheap)."""
        cached = cls.__dict__.get("_fb_read_set")
        if isinstance(cached, ReadSet):
            return cached
        declaration = cls.declaration()
        check_hops(cls, declaration)
        found = read_set(cls, declaration)
        cls._fb_read_set = found  # type: ignore[attr-defined]
        return found

    @classmethod
    def keys_for(cls, root: Any) -> list[dict[str, str]]:
        """Path parameters of every view document ``root`` has (default: one, the root's own)."""
        declaration = cls.declaration()
        if declaration.keys is not None:
            guarded = guard_sources({declaration.root.name: root}, cls.read_set(), cls.__name__)
            return [
                {name: str(value) for name, value in key.items()}
                for key in declaration.keys(guarded[declaration.root.name])
            ]
        root_params = declaration.root_path.match(root.doc_path) or {}
        return [{name: root_params[name] for name in cls.path_template().params}]

    @classmethod
    def root_views(cls) -> RootViews:
        """The query for the stored views of given roots (by their bookkeeping ``_fb.root``)."""
        return RootViews(cls.path_template(), cls.declaration().root_path)

    @classmethod
    def paths_for(cls, root: Any) -> list[str]:
        return [cls.path_template().render(key) for key in cls.keys_for(root)]

    @classmethod
    def compute_all(cls, root: Any, sources: Mapping[str, Any], only: Collection[str] | None = None) -> list[ViewModel]:
        """One computed view per key of ``root`` (sources as :func:`~.sources.sources_for` gives them);
        with ``only``, just the views at those paths (a slice of a huge fan-out)."""
        template = cls.path_template()
        guarded = guard_sources(sources, cls.read_set(), cls.__name__)
        views: list[ViewModel] = []
        for key in cls.keys_for(root):
            if only is not None and template.render(key) not in only:
                continue
            parents = {name: key[name] for name in template.parent_params}
            view = cls.new(key[template.id_param], **parents)
            object.__setattr__(view, "_fb_sources", guarded)
            view.__dict__["key"] = MappingProxyType(key)  # see _ViewKey
            values = view.compute()
            if values:
                for name, value in values.items():
                    setattr(view, name, value)
            views.append(view)
        return views

    def stored(self) -> dict[str, Any]:
        """The view as it is written: validated against its schema, or :class:`InvalidView`."""
        try:
            return self.validated_dict()
        except ValidationError as exc:
            raise InvalidView(type(self).__name__, self.doc_path, exc.errors) from exc

    #: The path parameters of this view (inside ``compute``: which view is being built).
    key = _ViewKey()


#: The original flask-boiler name for views persisted as documents.
DocumentAsView = ViewModel


def root_template(view_cls: type[ViewModel]) -> PathTemplate:
    """Where ``view_cls``'s root documents live (its root source's path template)."""
    return view_cls.declaration().root_path
