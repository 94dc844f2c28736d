"""Declaring a view model: its schema, where its documents live, and what it is computed from.

A single-source view takes three lines beyond its schema::

    class TodoView(ViewModel):
        class Meta:
            schema_cls = TodoViewSchema
            path = "todoViews/{todo_id}"
        todo = source(Todo, "todos/{todo_id}")
        def compute(self):
            return {"title": self.todo.title.upper()}

A view has exactly one **root source**, named with a path template; every change to a
root document recomputes the views keyed by it. Two more kinds of sources hang off it:

* **followed references** (``via="meeting.location"``, ``many=True`` for a list): documents
  the root references. A change to one finds its dependent roots with one reverse query
  on the reference field (``location == ref`` / ``attendees array-contains ref``).
* **back-references** (``backref="attendees"``): documents of another model whose
  reference field points at the root, e.g. a user's meetings. Computing the view runs that
  query; a change to one of those documents refreshes the roots it references before and
  after the change (read from the event, no query needed).

Reverse queries cost one read per dependent root (a minimum of one per query) and need
no bookkeeping writes, which is why they are preferred over a framework-maintained
dependency index (a write on every view write, forever).

``keys(root)`` says which view documents exist for a given root state (default: one,
whose path parameters are the root's). Returning several keys fans a root out, e.g. one
``users/{uid}/meetingSessions/{meeting_id}`` per attendee.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ModelDefinitionError


@dataclass
class Source:
    """One domain input of a view model (use :func:`source` to declare)."""

    model: type
    path: str | None = None
    via: str | None = None
    backref: str | None = None
    many: bool = False
    name: str = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, view: Any, owner: type | None = None) -> Any:
        if view is None:
            return self
        try:
            return view._fb_sources[self.name]
        except (AttributeError, KeyError):
            raise AttributeError(f"Source {self.name!r} is only available inside compute().") from None

    @property
    def is_root(self) -> bool:
        return self.path is not None

    @property
    def is_backref(self) -> bool:
        return self.backref is not None

    @property
    def via_attribute(self) -> str:
        """The root's attribute holding the reference(s), e.g. ``location`` for ``meeting.location``."""
        assert self.via is not None
        return self.via.split(".", 1)[1]


def source(
    model: type,
    path: str | None = None,
    *,
    via: str | None = None,
    backref: str | None = None,
    many: bool = False,
) -> Any:
    """Declare a view model's input: the root (``path=``), a followed reference (``via=``),
    or the documents of ``model`` whose reference field ``backref`` points at the root."""
    if sum(option is not None for option in (path, via, backref)) != 1:
        raise ModelDefinitionError(
            "source() takes exactly one of: a path template (the root), via='root.attribute', backref='attribute'."
        )
    if via is not None and via.count(".") != 1:
        raise ModelDefinitionError(f"source(via={via!r}): expected 'root_source.reference_attribute'.")
    if backref is not None:
        many = True  # a back-reference is always a list of documents
    return Source(model=model, path=path, via=via, backref=backref, many=many)


@dataclass(frozen=True)
class ViewDeclaration:
    """The checked, immutable description of a view model's inputs."""

    root: Source
    followed: tuple[Source, ...]
    backrefs: tuple[Source, ...]
    keys: Callable[[Any], list[Mapping[str, str]]] | None

    @property
    def sources(self) -> tuple[Source, ...]:
        return (self.root, *self.followed, *self.backrefs)


def collect_declaration(cls: type) -> ViewDeclaration:
    """Find and check the sources declared on a view model class."""
    sources = [value for value in vars(cls).values() if isinstance(value, Source)]
    for base in cls.__mro__[1:]:
        declaration = base.__dict__.get("_fb_declaration")
        if declaration is not None:
            names = {s.name for s in sources}
            sources += [s for s in declaration.sources if s.name not in names]
            break
    roots = [s for s in sources if s.is_root]
    if len(roots) != 1:
        raise ModelDefinitionError(
            f"{cls.__name__} declares {len(roots)} root sources; a view model needs exactly one "
            "source(Model, 'collection/{id}') and may follow references from it with source(..., via=...)."
        )
    root = roots[0]
    from .registry import same_shape

    model_template = root.model._meta.path.template
    if not same_shape(root.path, model_template):
        raise ModelDefinitionError(
            f"{cls.__name__}.{root.name}: the root path {root.path!r} does not name {root.model.__name__}'s "
            f"documents ({model_template!r}); only the wildcard names may differ."
        )
    followed = tuple(s for s in sources if s.via is not None)
    backrefs = tuple(s for s in sources if s.is_backref)
    for backref in backrefs:
        if backref.backref not in backref.model._meta.schema.fields:
            raise ModelDefinitionError(
                f"{cls.__name__}.{backref.name}: {backref.model.__name__} has no field {backref.backref!r} "
                "to look the root up by."
            )
    for followed_source in followed:
        head = followed_source.via.split(".", 1)[0]
        if head != root.name:
            raise ModelDefinitionError(
                f"{cls.__name__}.{followed_source.name}: via={followed_source.via!r} must start at the root "
                f"source {root.name!r} (one reference hop from the root)."
            )
    keys = cls.__dict__.get("keys")
    if isinstance(keys, staticmethod):
        keys = keys.__func__
    return ViewDeclaration(root=root, followed=followed, backrefs=backrefs, keys=keys)
