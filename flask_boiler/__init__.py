"""flask-boiler: Firestore domain models and view models served by Firebase Cloud Functions.

Importing the package is cheap: public names are loaded on first access (PEP 562
module ``__getattr__``), so a cold start pays only for what a function uses::

    from flask_boiler import schema, fields, context, config
    from flask_boiler import PrimaryObject, DomainModel, ValidationError
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Submodules reachable as attributes (``flask_boiler.fields``).
_SUBMODULES = frozenset(
    [
        "batch",
        "config",
        "context",
        "domain_model",
        "endpoints",
        "errors",
        "factory",
        "fields",
        "log",
        "models",
        "primary_object",
        "query",
        "rest",
        "schema",
        "transactions",
        "triggers",
        "views",
    ]
)

#: Public name -> module that defines it.
_EXPORTS = {
    "Config": "config",
    "Context": "context",
    "Schema": "schema",
    "ClsFactory": "factory",
    "PrimaryObject": "primary_object",
    "DomainModel": "domain_model",
    "Model": "models",
    "EmbeddedModel": "models",
    "DocumentModel": "models",
    "prefetch": "models",
    "Query": "query",
    "Filter": "query",
    "And": "query",
    "Or": "query",
    "Page": "query",
    "transactional": "transactions",
    "run_in_transaction": "transactions",
    "WriteBatch": "batch",
    "FlaskBoilerError": "errors",
    "ConfigurationError": "errors",
    "ModelDefinitionError": "errors",
    "ValidationError": "errors",
    "DocumentNotFound": "errors",
    "DocumentAlreadyExists": "errors",
    "UnknownFieldError": "errors",
    "PathError": "errors",
    "InvalidCursorError": "errors",
    "UnknownModelTypeError": "errors",
    "QueryError": "errors",
    "ViewModel": "views",
    "DocumentAsView": "views",
    "source": "views",
    "FlaskAsView": "rest",
    "RestOptions": "rest",
}

__all__ = sorted(_SUBMODULES | set(_EXPORTS))


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module_name}"), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # pragma: no cover - let type checkers and IDEs see the lazy names
    from . import (
        batch,
        config,
        context,
        domain_model,
        endpoints,
        errors,
        factory,
        fields,
        log,
        models,
        primary_object,
        query,
        schema,
        transactions,
    )
    from .batch import WriteBatch
    from .config import Config
    from .context import Context
    from .domain_model import DomainModel
    from .errors import (
        ConfigurationError,
        DocumentAlreadyExists,
        DocumentNotFound,
        FlaskBoilerError,
        InvalidCursorError,
        ModelDefinitionError,
        PathError,
        QueryError,
        UnknownFieldError,
        UnknownModelTypeError,
        ValidationError,
    )
    from .factory import ClsFactory
    from .models import DocumentModel, EmbeddedModel, Model, prefetch
    from .primary_object import PrimaryObject
    from .query import And, Filter, Or, Page, Query
    from .rest import FlaskAsView, RestOptions
    from .schema import Schema
    from .transactions import run_in_transaction, transactional
    from .views import DocumentAsView, ViewModel, source
