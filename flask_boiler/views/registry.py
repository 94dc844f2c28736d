"""Which view models exist, which domain document patterns they watch, and loop detection.

:data:`registry` is filled at import time by ``ViewModel`` subclasses (a declarative
registry, like the ORM's model registry) and can be reset — the ``view_registry`` pytest
fixture gives each test a fresh one, so test modules never have to dodge each other's
views. What a deployment watches is always derived from an explicit list of view models
(``export_view_triggers(globals(), VIEW_MODELS)``), never from whatever happened to be
imported; the registry serves early loop detection and look-up by name.

A view whose documents live where some view reads its sources would refresh itself forever
(a trigger loop); such a declaration is rejected as soon as it is created.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import ModelDefinitionError, UnknownViewError
from ..models.document import DocumentModel
from ..models.paths import PathTemplate
from .declaration import Source

if TYPE_CHECKING:  # pragma: no cover
    from .view_model import ViewModel

__all__ = [
    "ViewRegistry",
    "Watcher",
    "check_loops",
    "patterns_overlap",
    "register_view",
    "registered_views",
    "registry",
    "trigger_name",
    "watched_patterns",
]


def model_pattern(model: type[DocumentModel]) -> str:
    """The document pattern of a domain model: its path template (``users/{doc_id}``)."""
    return str(model.path_template().template).strip("/")


def patterns_overlap(first: str, second: str) -> bool:
    """Could one document path match both templates?"""
    a, b = PathTemplate.parse(first).shape, PathTemplate.parse(second).shape
    if len(a) != len(b):
        return False
    return all(a_param or b_param or a_text == b_text for (a_text, a_param), (b_text, b_param) in zip(a, b))


@dataclass(frozen=True)
class Watcher:
    """A view model reading documents of one pattern through one of its sources.

    ``hop`` is set when the documents are the target of that hop of a followed source's
    ``via`` chain short of its end (``flight.bags.owner``: the bags are hop 0): a change
    there matters only through the next reference it holds.
    """

    view: type[ViewModel]
    source: Source
    hop: int | None = None

    @property
    def model(self) -> type[DocumentModel]:
        if self.hop is not None:
            return self.source.hops[self.hop].target
        return self.source.model


def watchers(view: type[ViewModel]) -> list[Watcher]:
    """Every (source, hop) through which ``view`` reads documents."""
    found: list[Watcher] = []
    for item in view.declaration().sources:
        found.append(Watcher(view, item))
        if item.via is not None:
            found.extend(Watcher(view, item, hop) for hop in range(len(item.via_attributes) - 1))
    return found


def watched_patterns(views: Iterable[type[ViewModel]]) -> dict[str, list[Watcher]]:
    """pattern -> the watchers among ``views`` that a change there may concern."""
    watched: dict[str, list[Watcher]] = {}
    for view in views:
        for watcher in watchers(view):
            watched.setdefault(model_pattern(watcher.model), []).append(watcher)
    return watched


def check_loops(views: Iterable[type[ViewModel]]) -> None:
    """Refuse view models whose documents match a pattern any of ``views`` reads from."""
    views = list(views)
    watched = {
        pattern: ", ".join(dict.fromkeys(item.view.__name__ for item in items))
        for pattern, items in watched_patterns(views).items()
    }
    for view in views:
        view_path = view.path_template().template
        for pattern, names in watched.items():
            if patterns_overlap(view_path, pattern):
                raise ModelDefinitionError(
                    f"Trigger loop: view documents of {view.__name__} ({view_path}) match {pattern}, which "
                    f"{names} read as a source. Views must live in collections no view reads from."
                )


class ViewRegistry:
    """View models by qualified name (``package.module.Class``)."""

    def __init__(self) -> None:
        self._views: dict[str, type[ViewModel]] = {}

    def register(self, view: type[ViewModel]) -> None:
        name = f"{view.__module__}.{view.__qualname__}"
        check_loops([*(v for n, v in self._views.items() if n != name), view])
        self._views[name] = view

    def views(self) -> list[type[ViewModel]]:
        return list(self._views.values())

    def find(self, name: str) -> type[ViewModel]:
        """A view model by qualified name, or by class name when exactly one has it."""
        if name in self._views:
            return self._views[name]
        matches = [view for view in self._views.values() if view.__name__ == name]
        if len(matches) == 1:
            return matches[0]
        known = ", ".join(sorted(self._views)) or "none"
        problem = "several view models are" if matches else "no view model is"
        raise UnknownViewError(f"{problem} named {name!r} (registered: {known}); use the qualified name.")

    def reset(self) -> None:
        """Forget every view model (tests; the classes themselves keep working)."""
        self._views.clear()

    @contextmanager
    def isolated(self) -> Iterator[ViewRegistry]:
        """Within the block, registrations start from nothing and are undone afterwards."""
        saved = dict(self._views)
        self._views.clear()
        try:
            yield self
        finally:
            self._views.clear()
            self._views.update(saved)


#: The registry ``ViewModel`` subclasses register in.
registry = ViewRegistry()


def register_view(view: type[ViewModel]) -> None:
    registry.register(view)


def registered_views() -> list[type[ViewModel]]:
    return registry.views()


def trigger_name(pattern: str) -> str:
    """A deployable function name for a pattern: ``users/{uid}/tickets/{id}`` -> ``on_users_tickets_written``."""
    literals = [text for text, is_param in PathTemplate.parse(pattern).shape if not is_param]
    return "on_" + "_".join(literal.replace("-", "_") for literal in literals) + "_written"
