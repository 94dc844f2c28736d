"""The ``ViewModel`` base class: a document model whose documents are computed, never edited.

A view model is a :class:`~flask_boiler.models.document.DocumentModel` (so its stored
views can be read like any model: ``MeetingSession.get(uid=..., meeting_id=...)``) plus a
declaration of its sources (:mod:`.declaration`) and a pure ``compute``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from ..errors import ModelDefinitionError
from ..models.document import DocumentModel
from ..models.paths import PathTemplate
from .access import Owner, access_of
from .declaration import ViewDeclaration, collect_declaration

__all__ = ["DocumentAsView", "ViewModel"]


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
        cls._fb_declaration = collect_declaration(cls)
        root_params = set(PathTemplate.parse(cls._fb_declaration.root.path).params)
        view_params = set(cls._meta.path.params)
        if cls._fb_declaration.keys is None and not view_params <= root_params:
            missing = ", ".join(sorted(view_params - root_params))
            raise ModelDefinitionError(
                f"{cls.__name__}: the view path needs {missing}, which the root source "
                f"{cls._fb_declaration.root.name!r} does not provide; define keys(root) to say which views exist."
            )
        policy = access_of(cls)
        if isinstance(policy, Owner) and policy.param not in view_params:
            raise ModelDefinitionError(
                f"{cls.__name__}: Meta.access = owner({policy.param!r}) needs {{{policy.param}}} in the view path "
                f"{cls._meta.path.template!r}."
            )
        from .registry import register_view

        register_view(cls)

    # -- what a subclass writes -------------------------------------------------------

    def compute(self) -> Mapping[str, Any] | None:
        """Return the view's field values (attribute names), or set them on ``self``."""
        raise NotImplementedError(f"{type(self).__name__} must define compute().")

    # -- used by the refresh engine ---------------------------------------------------

    @classmethod
    def keys_for(cls, root: Any) -> list[dict[str, str]]:
        """Path parameters of every view document ``root`` has (default: one, the root's own)."""
        declaration = cls._fb_declaration
        assert declaration is not None
        if declaration.keys is not None:
            return [dict(key) for key in declaration.keys(root)]
        root_params = PathTemplate.parse(declaration.root.path).match(root.doc_path) or {}
        return [{name: root_params[name] for name in cls._meta.path.params}]

    @classmethod
    def paths_for(cls, root: Any) -> list[str]:
        return [cls._meta.path.render(key) for key in cls.keys_for(root)]

    @classmethod
    def build_all(cls, root: Any, sources: Mapping[str, Any]) -> Iterable[ViewModel]:
        """Compute one view per key of ``root`` from the given sources."""
        template = cls._meta.path
        for key in cls.keys_for(root):
            parents = {name: key[name] for name in template.parent_params}
            view = cls.new(key[template.id_param], **parents)
            object.__setattr__(view, "_fb_sources", dict(sources))
            object.__setattr__(view, "_fb_key", key)
            values = view.compute()
            if values:
                for name, value in values.items():
                    setattr(view, name, value)
            yield view

    @property
    def key(self) -> dict[str, str]:
        """The path parameters of this view (inside ``compute``: which view is being built)."""
        return dict(getattr(self, "_fb_key", None) or self.path_params)


#: The original flask-boiler name for views persisted as documents.
DocumentAsView = ViewModel
