"""Which view models exist, which domain document patterns they watch, and loop detection.

The registry is filled at import time by ``ViewModel`` subclasses (a declarative registry,
like the ORM's model-type registry). From it the framework derives one Firestore trigger
per watched pattern, and rejects a declaration whose view documents would themselves
trigger a recomputation (a loop) as soon as it is imported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..errors import ModelDefinitionError
from ..models.paths import PathTemplate
from .declaration import Source

if TYPE_CHECKING:  # pragma: no cover
    from .view_model import ViewModel

_VIEWS: dict[str, type[ViewModel]] = {}


def source_pattern(source: Source) -> str:
    """The document pattern whose changes affect ``source``: its model's path template.

    Every source of one model maps to the same pattern (a root declared as
    ``people/{uid}`` and a reference to ``Person`` both watch ``people/{doc_id}``), so one
    trigger serves them all.
    """
    return source.model._meta.path.template.strip("/")


def same_shape(first: str, second: str) -> bool:
    """Do two templates match exactly the same documents (wildcard names aside)?"""
    a, b = PathTemplate.parse(first).shape, PathTemplate.parse(second).shape
    return len(a) == len(b) and all(
        a_param == b_param and (a_param or a_text == b_text) for (a_text, a_param), (b_text, b_param) in zip(a, b)
    )


def patterns_overlap(first: str, second: str) -> bool:
    """Could one document path match both templates?"""
    a, b = PathTemplate.parse(first).shape, PathTemplate.parse(second).shape
    if len(a) != len(b):
        return False
    return all(a_param or b_param or a_text == b_text for (a_text, a_param), (b_text, b_param) in zip(a, b))


def _check_loops(views: dict[str, type[ViewModel]]) -> None:
    watched = {source_pattern(s): name for name, view in views.items() for s in _sources(view)}
    for name, view in views.items():
        view_path = view._meta.path.template
        for pattern, watcher in watched.items():
            if patterns_overlap(view_path, pattern):
                raise ModelDefinitionError(
                    f"Trigger loop: view documents of {name} ({view_path}) match {pattern}, which {watcher} "
                    "watches as a source. Views must live in collections no view reads from."
                )


def _sources(view: type[ViewModel]) -> tuple[Source, ...]:
    declaration = view._fb_declaration
    assert declaration is not None
    return declaration.sources


def register_view(view: type[ViewModel]) -> None:
    name = f"{view.__module__}.{view.__qualname__}"
    candidate = {**_VIEWS, name: view}
    _check_loops(candidate)
    _VIEWS[name] = view


def registered_views() -> list[type[ViewModel]]:
    return list(_VIEWS.values())


def watched_patterns(views: Iterable[type[ViewModel]]) -> dict[str, list[tuple[type[ViewModel], Source]]]:
    """pattern -> the (view model, source) pairs of ``views`` that a change there refreshes."""
    watched: dict[str, list[tuple[type[ViewModel], Source]]] = defaultdict(list)
    for view in views:
        for source in _sources(view):
            watched[source_pattern(source)].append((view, source))
    return dict(watched)


def trigger_name(pattern: str) -> str:
    """A deployable function name for a pattern: ``users/{uid}/tickets/{id}`` -> ``on_users_tickets_written``."""
    literals = [text for text, is_param in PathTemplate.parse(pattern).shape if not is_param]
    return "on_" + "_".join(literal.replace("-", "_") for literal in literals) + "_written"
