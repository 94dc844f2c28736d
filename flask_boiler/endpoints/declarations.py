"""Mark deployable functions with what the manifest needs to know about them.

``functions/main.py`` binds names; the manifest generator (:mod:`flask_boiler.deploy.manifest`)
imports it and asks :func:`endpoint_of` for the :class:`EndpointSpec` of each exported
callable, so the entry points and the manifest cannot drift. The spec lives here, below
``triggers``, ``rest`` and ``deploy``, because the first two declare functions and the last
one reads the declarations: none of them has to import another to agree on the format.

Options given here are checked immediately (:func:`~.options.parse_options`), so a bad
value fails when ``main.py`` is imported, naming the function.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..errors import ModelDefinitionError
from ..models.paths import PathTemplate
from .options import EVENT, HTTP, DeployOptionError, FunctionOptions, parse_options

__all__ = [
    "CREATED",
    "DELETED",
    "DOCUMENT_EVENT_TYPES",
    "UPDATED",
    "WRITTEN",
    "EndpointSpec",
    "attach",
    "document_trigger",
    "endpoint_of",
    "http_endpoint",
]

#: The Firestore document event types (CloudEvent ``type``) a trigger can listen to.
WRITTEN = "google.cloud.firestore.document.v1.written"
CREATED = "google.cloud.firestore.document.v1.created"
UPDATED = "google.cloud.firestore.document.v1.updated"
DELETED = "google.cloud.firestore.document.v1.deleted"
DOCUMENT_EVENT_TYPES = (WRITTEN, CREATED, UPDATED, DELETED)

#: The attribute a declaration is stored under on the function object.
_SPEC_ATTRIBUTE = "_fb_endpoint"

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class EndpointSpec:
    """One deployable function: its trigger (manifest form) and the options it declared."""

    kind: str
    trigger: Mapping[str, Any]
    options: FunctionOptions = field(default_factory=FunctionOptions)


def _name(function: Any) -> str:
    return getattr(function, "__name__", repr(function))


def attach(function: F, spec: EndpointSpec) -> F:
    """Mark ``function`` with ``spec`` (what :func:`endpoint_of` returns for it)."""
    setattr(function, _SPEC_ATTRIBUTE, spec)
    return function


def http_endpoint(function: F, **options: Any) -> F:
    """Declare ``function`` (already wrapped by functions-framework) as an HTTP function.

    ``options``: see :class:`~.options.FunctionOptions` (``memory``, ``timeout``, ``cpu``,
    ``min_instances``, ``max_instances``, ``concurrency``, ``secrets``, ``invoker``...).
    """
    parsed = parse_options(options, where=_name(function))
    return attach(function, EndpointSpec(HTTP, {"httpsTrigger": {}}, parsed))


def document_trigger(function: F, pattern: str, *, event_type: str = WRITTEN, retry: bool = True, **options: Any) -> F:
    """Declare ``function`` as a Firestore trigger on documents matching ``pattern``.

    ``retry`` stays ``True`` for handlers that are idempotent (the view refresh is): the
    platform then redelivers an event whose handler crashed instead of dropping it.
    """
    if event_type not in DOCUMENT_EVENT_TYPES:
        raise DeployOptionError(
            "event_type", f"{event_type!r} is not a Firestore document event type.", _name(function)
        )
    try:
        pattern = PathTemplate.parse(pattern).template
    except ModelDefinitionError as exc:
        raise DeployOptionError("pattern", str(exc), _name(function)) from None
    if not isinstance(retry, bool):
        raise DeployOptionError("retry", f"expected True or False, got {retry!r}.", _name(function))
    parsed = parse_options(options, where=_name(function))
    trigger = {
        "eventTrigger": {
            "eventType": event_type,
            "eventFilters": {"database": "(default)", "namespace": "(default)"},
            "eventFilterPathPatterns": {"document": pattern},
            "retry": retry,
        }
    }
    return attach(function, EndpointSpec(EVENT, trigger, parsed))


def endpoint_of(function: Any) -> EndpointSpec | None:
    """The declaration attached to ``function``, or ``None`` if it is not a deployable function."""
    spec = getattr(function, _SPEC_ATTRIBUTE, None)
    return spec if isinstance(spec, EndpointSpec) else None
