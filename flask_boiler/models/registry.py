"""The model-type registry: the one piece of global mutable state in the ORM.

It lets ``fields.Reference("City")`` / ``fields.Nested("Address")`` name a model that is
defined later (forward references). Type discriminators have their own per-hierarchy
table (``ModelOptions.subtypes``) so unrelated models may share names.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from ..errors import ModelDefinitionError

if TYPE_CHECKING:  # pragma: no cover
    from .base import Model

__all__ = ["register_model", "resolve_model"]

_lock = threading.Lock()
_models: dict[str, type[Model]] = {}


def register_model(cls: type[Model]) -> None:
    """Make ``cls`` resolvable by its class name and by ``module.QualName`` (the latest definition wins)."""
    with _lock:
        _models[cls.__name__] = cls
        _models[f"{cls.__module__}.{cls.__qualname__}"] = cls


def resolve_model(name: str) -> type[Model]:
    """The model class registered as ``name``."""
    try:
        return _models[name]
    except KeyError:
        raise ModelDefinitionError(f"No model named {name!r} is defined (yet).") from None
