"""Mark deployable functions with what the manifest needs to know about them.

``functions/main.py`` binds names; the manifest generator imports it and reads the
``_fb_endpoint`` attribute of each exported callable, so the entry points and the
manifest cannot drift.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, TypeVar

from ..triggers.events import WRITTEN

F = TypeVar("F", bound=Callable[..., Any])


def http_endpoint(function: F, **options: Any) -> F:
    """Declare ``function`` (already wrapped by functions-framework) as an HTTP function."""
    function._fb_endpoint = {"httpsTrigger": {}, **options}  # type: ignore[attr-defined]
    return function


def document_trigger(function: F, pattern: str, *, event_type: str = WRITTEN, retry: bool = True, **options: Any) -> F:
    """Declare ``function`` as a Firestore trigger on documents matching ``pattern``."""
    function._fb_endpoint = {  # type: ignore[attr-defined]
        "eventTrigger": {
            "eventType": event_type,
            "eventFilters": {"database": "(default)", "namespace": "(default)"},
            "eventFilterPathPatterns": {"document": pattern},
            "retry": retry,
        },
        **options,
    }
    return function


def endpoint_of(function: Any) -> Optional[dict]:
    return getattr(function, "_fb_endpoint", None)
