"""The project's deploy settings: one place, ``[tool.flask-boiler]`` in ``pyproject.toml``.

Why pyproject.toml: it is already the project's one configuration file, it is read
without importing (or deploying) any code, and TOML keeps the values declarative, so
``manifest --check`` and reviewers see the same thing. Everything has a built-in
default, so a project without the table still deploys::

    [tool.flask-boiler]
    view-models = "shared_models:VIEW_MODELS"   # what rules, indexes and triggers derive from
    rest-views = "shared_models:REST_VIEWS"     # REST-served views: their queries need indexes too
    vendor = ["flask_boiler", "shared_models"]  # packages `make bundle` copies into functions/
    seed = "shared_models.seed:seed"            # `make dev`: seeds example data (default: nothing)
    demo = "shared_models.demo:run"             # `make demo`: the scripted walk (default: none)
    accounts = "shared_models.seed:DEMO_USERS"  # `make dev` prints these sign-ins (.email, .password)

    [tool.flask-boiler.functions]               # defaults of every deployed function
    region = ["us-central1"]
    memory = "256MiB"
    timeout = 60
    max-instances = 10

    [tool.flask-boiler.functions.env]           # plain variables -> functions/.env
    LOG_LEVEL = "info"

Per-function options (``http_endpoint(fn, memory="1GiB")``...) override these defaults;
see :mod:`flask_boiler.endpoints.options`.
"""

from __future__ import annotations

import importlib
import re
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..endpoints.options import BUILTIN_DEFAULTS, DeployOptionError, FunctionOptions, parse_options

__all__ = ["DEFAULT_VENDOR", "DEFAULT_VIEW_MODELS", "ProjectSettings", "load_settings", "load_view_models"]

DEFAULT_VIEW_MODELS = "shared_models:VIEW_MODELS"
DEFAULT_REST_VIEWS = "shared_models:REST_VIEWS"
DEFAULT_VENDOR = ("flask_boiler", "shared_models")
WHERE = "pyproject.toml [tool.flask-boiler]"
_ENV_KEY = re.compile(r"^[A-Z_][A-Z0-9_]*$")
#: Keys firebase-tools refuses in functions/.env (its functions/env.js).
_RESERVED_ENV_KEYS = frozenset(
    {
        "FIREBASE_CONFIG",
        "CLOUD_RUNTIME_CONFIG",
        "EVENTARC_CLOUD_EVENT_SOURCE",
        "ENTRY_POINT",
        "GCP_PROJECT",
        "GCLOUD_PROJECT",
        "GOOGLE_CLOUD_PROJECT",
        "FUNCTION_TRIGGER_TYPE",
        "FUNCTION_NAME",
        "FUNCTION_MEMORY_MB",
        "FUNCTION_TIMEOUT_SEC",
        "FUNCTION_IDENTITY",
        "FUNCTION_REGION",
        "FUNCTION_TARGET",
        "FUNCTION_SIGNATURE_TYPE",
        "K_SERVICE",
        "K_REVISION",
        "PORT",
        "K_CONFIGURATION",
    }
)
_RESERVED_ENV_PREFIXES = ("X_GOOGLE_", "FIREBASE_", "EXT_", "KIT_")


@dataclass(frozen=True)
class ProjectSettings:
    """Everything deploy tooling reads from ``[tool.flask-boiler]``."""

    root: Path
    defaults: FunctionOptions = BUILTIN_DEFAULTS
    env: Mapping[str, str] = field(default_factory=dict)
    view_models: str = DEFAULT_VIEW_MODELS
    #: ``module:ATTRIBUTE`` of the views the REST function serves (their queries need indexes too).
    rest_views: str = DEFAULT_REST_VIEWS
    vendor: tuple[str, ...] = DEFAULT_VENDOR
    #: ``module:function`` seeding example data for ``make dev`` (empty: no seeding).
    seed: str = ""
    #: ``module:function(stack)`` running the scripted ``make demo`` (empty: no demo).
    demo: str = ""
    #: ``module:ATTRIBUTE``: sign-in accounts (``.email``, ``.password``) ``make dev`` prints.
    accounts: str = ""

    @property
    def functions_dir(self) -> Path:
        return self.root / "functions"


def _check_env(env: Any) -> dict[str, str]:
    where = WHERE.replace("]", ".functions.env]")
    if not isinstance(env, Mapping):
        raise DeployOptionError("env", f'expected a table of NAME = "value", got {env!r}.', where)
    checked: dict[str, str] = {}
    for key, value in env.items():
        if not _ENV_KEY.match(key):
            raise DeployOptionError("env", f"{key!r} must be upper case (A-Z, 0-9, _).", where)
        if key in _RESERVED_ENV_KEYS or key.startswith(_RESERVED_ENV_PREFIXES):
            raise DeployOptionError("env", f"{key!r} is reserved by Cloud Functions / firebase-tools.", where)
        if not isinstance(value, str) or "\n" in value:
            raise DeployOptionError("env", f"{key}: values must be one-line strings, got {value!r}.", where)
        checked[key] = value
    return checked


def load_settings(root: Path, pyproject: Mapping[str, Any] | None = None) -> ProjectSettings:
    """Read and check ``[tool.flask-boiler]`` of ``root/pyproject.toml`` (``pyproject`` for tests)."""
    if pyproject is None:
        path = root / "pyproject.toml"
        pyproject = tomllib.loads(path.read_text()) if path.exists() else {}
    table = dict(pyproject.get("tool", {}).get("flask-boiler", {}))
    functions = dict(table.pop("functions", {}) or {})
    env = _check_env(functions.pop("env", {}) or {})
    defaults = BUILTIN_DEFAULTS.merged(parse_options(functions, WHERE.replace("]", ".functions]")))
    view_models = table.pop("view-models", table.pop("view_models", DEFAULT_VIEW_MODELS))
    if not isinstance(view_models, str) or view_models.count(":") != 1:
        raise DeployOptionError("view-models", f"expected 'package.module:ATTRIBUTE', got {view_models!r}.", WHERE)
    rest_views = table.pop("rest-views", DEFAULT_REST_VIEWS)
    if not isinstance(rest_views, str) or (rest_views and rest_views.count(":") != 1):
        raise DeployOptionError(
            "rest-views", f"expected 'package.module:ATTRIBUTE' or \"\", got {rest_views!r}.", WHERE
        )
    vendor = table.pop("vendor", list(DEFAULT_VENDOR))
    if not isinstance(vendor, list) or not all(isinstance(v, str) and v.isidentifier() for v in vendor):
        raise DeployOptionError("vendor", f"expected a list of top-level package names, got {vendor!r}.", WHERE)
    hooks = {}
    for key in ("seed", "demo", "accounts"):
        value = table.pop(key, "")
        if not isinstance(value, str) or (value and value.count(":") != 1):
            raise DeployOptionError(key, f"expected 'package.module:NAME' or \"\", got {value!r}.", WHERE)
        hooks[key] = value
    # Other keys of [tool.flask-boiler] belong to other parts of the framework (e.g. the REST layer).
    return ProjectSettings(
        root=root,
        defaults=defaults,
        env=env,
        view_models=view_models,
        rest_views=rest_views,
        vendor=tuple(vendor),
        **hooks,
    )


def load_view_models(settings: ProjectSettings) -> tuple[type, ...]:
    """Import the declared view models (``module:ATTRIBUTE``) with the project root importable."""
    return tuple(load_object(settings, settings.view_models, "view-models"))


def load_query_views(settings: ProjectSettings) -> tuple[type, ...]:
    """Every view whose computation queries Firestore: the deployed view models and the REST views."""
    views = list(load_view_models(settings))
    if settings.rest_views:
        views += [view for view in load_object(settings, settings.rest_views, "rest-views") if view not in views]
    return tuple(views)


def load_object(settings: ProjectSettings, spec: str, key: str) -> Any:
    """Import ``module:ATTRIBUTE`` (a setting named ``key``) with the project root importable."""
    module_name, attribute = spec.split(":")
    root = str(settings.root)
    added = root not in sys.path
    if added:
        sys.path.insert(0, root)
    try:
        module = importlib.import_module(module_name)
    finally:
        if added:
            sys.path.remove(root)
    try:
        return getattr(module, attribute)
    except AttributeError:
        raise DeployOptionError(key, f"{module_name} has no attribute {attribute!r}.", WHERE) from None
