"""Model machinery: base classes, options, paths, serialization, references, limits.

Public names: :class:`Model`, :class:`EmbeddedModel`, :class:`DocumentModel`,
:func:`prefetch`, :class:`PathTemplate`, :func:`isolated_registry`, and Firestore's
server values for ``update()`` (``ArrayUnion``, ``ArrayRemove``, ``Increment``,
``Maximum``, ``Minimum``, ``SERVER_TIMESTAMP``, ``DELETE_FIELD``: the
``google.cloud.firestore`` objects themselves, re-exported here for discoverability).

The names are loaded on first access (PEP 562), like the top-level package's: the
model-agnostic core of this package (``limits``, ``paths``, ``registry``,
``serialization``, ``options``) sits *below* ``flask_boiler.query`` and
``flask_boiler.batch``, which ``document`` builds on, so importing one core module must
not execute ``document`` as an eager ``__init__`` would.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = [
    "DELETE_FIELD",
    "SERVER_TIMESTAMP",
    "ArrayRemove",
    "ArrayUnion",
    "DocumentModel",
    "EmbeddedModel",
    "Increment",
    "Maximum",
    "Minimum",
    "Model",
    "PathTemplate",
    "isolated_registry",
    "prefetch",
]

_EXPORTS = {
    "DocumentModel": "document",
    "EmbeddedModel": "base",
    "Model": "base",
    "PathTemplate": "paths",
    "isolated_registry": "registry",
    "prefetch": "references",
}
#: Re-exported from google.cloud.firestore (imported on first access: it costs ~0.2 s).
_SERVER_VALUES = frozenset(
    ["ArrayUnion", "ArrayRemove", "Increment", "Maximum", "Minimum", "SERVER_TIMESTAMP", "DELETE_FIELD"]
)


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if name in _SERVER_VALUES:
        value = getattr(importlib.import_module("google.cloud.firestore"), name)
    elif module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    else:
        value = getattr(importlib.import_module(f"{__name__}.{module_name}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # pragma: no cover - type checkers and IDEs see the lazy names
    from google.cloud.firestore import (
        DELETE_FIELD,
        SERVER_TIMESTAMP,
        ArrayRemove,
        ArrayUnion,
        Increment,
        Maximum,
        Minimum,
    )

    from .base import EmbeddedModel, Model
    from .document import DocumentModel
    from .paths import PathTemplate
    from .references import prefetch
    from .registry import isolated_registry
