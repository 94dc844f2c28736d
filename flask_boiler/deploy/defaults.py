"""The project's settings: ``flask-boiler.toml``, or ``[tool.flask-boiler]`` in ``pyproject.toml``.

A project keeps its settings in one of two places, never both:

* ``[tool.flask-boiler]`` in its ``pyproject.toml`` — the usual home of a Python project's
  tool settings (what ``flask-boiler new`` writes);
* a ``flask-boiler.toml`` file holding the same keys at its top level — for a directory whose
  ``pyproject.toml`` belongs to something else. This repository is one: its ``pyproject.toml``
  packages the framework, and the example app's settings live in ``flask-boiler.toml``, so
  editing them does not reinstall the framework's venv.

Both are read without importing (or deploying) any code, and TOML keeps the values
declarative, so ``check`` and reviewers see the same thing. Everything has a built-in
default, so a project with neither still deploys (no view models, nothing vendored but
the framework)::

    view-models = "myapp:VIEW_MODELS"     # what rules, indexes and triggers derive from
    rest-views = "myapp:REST_VIEWS"       # REST-served views: their queries need indexes too
    vendor = ["flask_boiler", "myapp"]    # packages `bundle` copies into functions/
    seed = "myapp.seed:seed"              # `dev`: seeds example data (default: nothing)
    demo = "myapp.demo:run"               # `demo`: the scripted walk (default: none)
    accounts = "myapp.seed:DEMO_USERS"    # `dev` prints these sign-ins (.email, .password)

    [functions]                           # defaults of every deployed function
    region = ["us-central1"]              # ([tool.flask-boiler.functions] in pyproject.toml)
    memory = "256MiB"
    timeout = 60
    max-instances = 10

    [functions.env]                       # plain variables -> functions/.env
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

__all__ = [
    "DEFAULT_VENDOR",
    "SETTINGS_FILE",
    "ProjectSettings",
    "load_object",
    "load_query_views",
    "load_settings",
    "load_view_models",
    "read_settings_table",
]

#: The file that holds a project's settings when its pyproject.toml is not the place.
SETTINGS_FILE = "flask-boiler.toml"
#: The framework itself is not on PyPI under this name: a deploy always vendors it.
DEFAULT_VENDOR = ("flask_boiler",)
PYPROJECT_WHERE = "pyproject.toml [tool.flask-boiler]"
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
    """Everything the tooling reads from the project's settings (see the module docs)."""

    root: Path
    defaults: FunctionOptions = BUILTIN_DEFAULTS
    env: Mapping[str, str] = field(default_factory=dict)
    #: ``module:ATTRIBUTE`` of the view models the triggers keep (empty: none).
    view_models: str = ""
    #: ``module:ATTRIBUTE`` of the views the REST function serves (their queries need indexes too).
    rest_views: str = ""
    vendor: tuple[str, ...] = DEFAULT_VENDOR
    #: ``module:function`` seeding example data for ``make dev`` (empty: no seeding).
    seed: str = ""
    #: ``module:function(stack)`` running the scripted ``make demo`` (empty: no demo).
    demo: str = ""
    #: ``module:ATTRIBUTE``: sign-in accounts (``.email``, ``.password``) ``make dev`` prints.
    accounts: str = ""
    #: Where the settings were read from, for messages (``pyproject.toml [tool.flask-boiler]``).
    where: str = PYPROJECT_WHERE

    @property
    def functions_dir(self) -> Path:
        return self.root / "functions"

    @property
    def source_files(self) -> tuple[Path, ...]:
        """The files the settings come from (a change there can make generated files stale)."""
        candidates = (self.root / SETTINGS_FILE, self.root / "pyproject.toml")
        return tuple(path for path in candidates if path.is_file())


def _check_env(env: Any, where: str) -> dict[str, str]:
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


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise DeployOptionError("file", f"{path.name} is not valid TOML: {exc}.", str(path)) from None


def read_settings_table(root: Path) -> tuple[dict[str, Any], str]:
    """The settings table of the project at ``root`` and where it was found.

    ``flask-boiler.toml`` if it exists, else ``[tool.flask-boiler]`` of ``pyproject.toml``;
    both at once is refused rather than silently preferring one.
    """
    settings_file = root / SETTINGS_FILE
    pyproject = root / "pyproject.toml"
    in_pyproject = _read_toml(pyproject).get("tool", {}).get("flask-boiler") if pyproject.is_file() else None
    if settings_file.is_file():
        if in_pyproject is not None:
            raise DeployOptionError(
                "file",
                f"settings found in both {SETTINGS_FILE} and pyproject.toml [tool.flask-boiler]; keep one.",
                str(root),
            )
        return _read_toml(settings_file), SETTINGS_FILE
    return dict(in_pyproject or {}), PYPROJECT_WHERE


def _module_spec(table: dict[str, Any], key: str, where: str, what: str = "ATTRIBUTE") -> str:
    value = table.pop(key, "")
    if not isinstance(value, str) or (value and value.count(":") != 1):
        raise DeployOptionError(key, f"expected 'package.module:{what}' or \"\", got {value!r}.", where)
    return value


def load_settings(root: Path, table: Mapping[str, Any] | None = None, where: str | None = None) -> ProjectSettings:
    """Read and check the settings of the project at ``root`` (or the given ``table``, for tests)."""
    if table is None:
        table, where = read_settings_table(root)
    where = where or PYPROJECT_WHERE
    table = dict(table)
    functions = dict(table.pop("functions", {}) or {})
    in_file = where == SETTINGS_FILE
    functions_where = f"{where} [functions]" if in_file else f"{PYPROJECT_WHERE[:-1]}.functions]"
    env_where = f"{where} [functions.env]" if in_file else f"{PYPROJECT_WHERE[:-1]}.functions.env]"
    env = _check_env(functions.pop("env", {}) or {}, env_where)
    defaults = BUILTIN_DEFAULTS.merged(parse_options(functions, functions_where))
    if "view_models" in table and "view-models" not in table:
        table["view-models"] = table.pop("view_models")
    view_models = _module_spec(table, "view-models", where)
    rest_views = _module_spec(table, "rest-views", where)
    vendor = table.pop("vendor", list(DEFAULT_VENDOR))
    if not isinstance(vendor, list) or not all(isinstance(v, str) and v.isidentifier() for v in vendor):
        raise DeployOptionError("vendor", f"expected a list of top-level package names, got {vendor!r}.", where)
    hooks = {key: _module_spec(table, key, where, "NAME") for key in ("seed", "demo", "accounts")}
    # Other keys belong to other parts of the framework (e.g. the REST layer).
    return ProjectSettings(
        root=root,
        defaults=defaults,
        env=env,
        view_models=view_models,
        rest_views=rest_views,
        vendor=tuple(vendor),
        where=where,
        **hooks,
    )


def load_view_models(settings: ProjectSettings) -> tuple[type, ...]:
    """Import the declared view models (``module:ATTRIBUTE``) with the project root importable."""
    if not settings.view_models:
        return ()
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
        raise DeployOptionError(key, f"{module_name} has no attribute {attribute!r}.", settings.where) from None
