"""Functions written with the official firebase-functions SDK, deployed beside ours.

A ``functions/main.py`` may mix the framework's functions with the SDK's
(``@https_fn.on_call()``, ``@scheduler_fn.on_schedule(...)``, ``@tasks_fn.on_task_dispatched()``,
``@identity_fn.before_user_created()``...). firebase-tools reads one manifest per codebase —
``functions/functions.yaml`` when it exists, otherwise what the SDK's discovery server
(``firebase_functions/private/serving.py``) answers after importing ``main.py`` — so the
generated manifest must hold both kinds.

The SDK's endpoints are described by the SDK itself: :func:`sdk_manifest` runs the same
code its discovery server runs (``serving.functions_as_yaml``) on the SDK functions
``main.py`` exports, and parses the YAML it produces, so what is deployed is what
firebase-tools would have discovered. :func:`merge` then fills the options an SDK function
leaves unset (``null``: the platform default) with the project's defaults — region,
memory, timeout, max instances apply to every function — and never overrides one it sets.

The SDK is imported only when ``main.py`` has such a function: a project that does not use
it does not need it installed, and its cold starts do not pay for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import Any

from ..endpoints.options import DeployOptionError

__all__ = ["SDK_ATTRIBUTE", "merge", "sdk_functions", "sdk_manifest"]

#: What the SDK's decorators attach to a function (and what its discovery looks for).
SDK_ATTRIBUTE = "__firebase_endpoint__"


def sdk_functions(module: ModuleType) -> dict[str, Any]:
    """Entry point -> function, for every SDK function ``module`` exports (as the SDK's discovery finds them)."""
    found: dict[str, Any] = {}
    for name, value in vars(module).items():
        endpoint = getattr(value, SDK_ATTRIBUTE, None)
        if endpoint is None or not callable(value):
            continue
        entry_point = str(endpoint.entryPoint)
        if getattr(module, entry_point, None) is not value:
            raise DeployOptionError(
                "name",
                f"main.py exports it as {name!r}, but the SDK deploys it as {entry_point!r}, which main.py does "
                "not export: bind it under the name of the decorated function.",
                entry_point,
            )
        found[entry_point] = value
    return found


def sdk_manifest(functions: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest the SDK's discovery server would serve for ``functions`` (``endpoints``,
    ``requiredAPIs``, ``params``); empty when there are none."""
    if not functions:
        return {}
    import yaml  # the SDK's own dependency, present wherever the SDK is
    from firebase_functions.private import serving  # deliberately lazy: see the module docs

    manifest: dict[str, Any] = yaml.safe_load(serving.functions_as_yaml(dict(functions)))
    return manifest


def _unset(value: Any) -> bool:
    return value is None or value == []


def merge(endpoint: Mapping[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """An SDK endpoint with the project's ``defaults`` (manifest keys) where it sets nothing."""
    merged = {key: value for key, value in endpoint.items() if value is not None}
    for key, value in defaults.items():
        if key == "serviceAccount" and endpoint.get("serviceAccountEmail"):
            continue
        if _unset(endpoint.get(key)):
            merged[key] = value
    return merged
