"""The model-type registry: the one piece of global mutable state in the ORM.

It lets ``fields.Reference("City")`` / ``fields.Nested("Address")`` name a model that is
defined later (forward references). A name is a class name (``"City"``) or a qualified
one (``"myapp.models.City"``); a bare class name that two modules define is ambiguous
and raises, like marshmallow's class registry, instead of silently picking the latest.
Defining a class again under the same qualified name (a reloaded module) replaces it.

Type discriminators have their own per-hierarchy table (``ModelOptions.subtypes``) so
unrelated models may share names. Tests that define throwaway models can isolate them
with :func:`isolated_registry`.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from ..errors import ModelDefinitionError

__all__ = ["isolated_registry", "register_model", "resolve_model"]

_lock = threading.Lock()
#: class name -> {qualified name: class}
_models: dict[str, dict[str, type[Any]]] = {}


def _qualified(cls: type[Any]) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def register_model(cls: type[Any]) -> None:
    """Make ``cls`` resolvable by its class name and by ``module.QualName``."""
    with _lock:
        _models.setdefault(cls.__name__, {})[_qualified(cls)] = cls


def resolve_model(name: str) -> type[Any]:
    """The model class registered as ``name`` (a class name, or ``module.QualName``)."""
    with _lock:
        candidates = dict(_models.get(name, {}))
        if not candidates and "." in name:
            short = name.rsplit(".", 1)[-1]
            candidates = {key: cls for key, cls in _models.get(short, {}).items() if key == name}
    if len(candidates) == 1:
        return next(iter(candidates.values()))
    if not candidates:
        raise ModelDefinitionError(f"No model named {name!r} is defined (yet).")
    raise ModelDefinitionError(
        f"Model name {name!r} is ambiguous: {', '.join(sorted(candidates))}. Use the qualified name."
    )


@contextlib.contextmanager
def isolated_registry() -> Iterator[None]:
    """Models defined inside the block are forgotten when it ends (for tests)."""
    with _lock:
        saved = {name: dict(classes) for name, classes in _models.items()}
    try:
        yield
    finally:
        with _lock:
            _models.clear()
            _models.update(saved)
