"""flask-boiler: Firestore domain models and view models kept fresh by Cloud Functions.

Submodules load lazily (``flask_boiler.fields`` is imported on first use), so importing
the package costs almost nothing at a function's cold start.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_SUBMODULES = {"config", "context", "errors", "schema", "fields", "factory", "primary_object", "triggers", "diagnostics"}
_EXPORTS: dict[str, tuple[str, str]] = {
    "Config": ("config", "Config"),
    "Context": ("context", "Context"),
    "PrimaryObject": ("primary_object", "PrimaryObject"),
    "ClsFactory": ("factory", "ClsFactory"),
}

__all__ = sorted([*_SUBMODULES, *_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _EXPORTS:
        module, attribute = _EXPORTS[name]
        return getattr(importlib.import_module(f".{module}", __name__), attribute)
    raise AttributeError(f"module 'flask_boiler' has no attribute {name!r}")
