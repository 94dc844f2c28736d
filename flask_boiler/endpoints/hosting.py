"""An HTTP function reached through a Firebase Hosting rewrite, on the site's own origin.

``firebase.json`` can send a path of the site to a function::

    "rewrites": [{"source": "/api/**", "function": {"functionId": "api", "region": "us-central1"}}]

so a page calls its API as ``/api/meetingCards`` on its own origin (no CORS, no second
host name to configure). Hosting passes the request path on unchanged — the function sees
``/api/meetingCards`` — while a direct call of the function's URL (tests, scripts, the
Functions emulator) sees ``/meetingCards``. :func:`behind_hosting` makes both work: a
request under the prefix reaches the function with the prefix moved from ``PATH_INFO`` to
``SCRIPT_NAME`` (WSGI's place for "where this app is mounted"), so routing is the same and
URLs the app builds (links in API docs) keep the prefix. A resource whose own path starts
with the prefix (a collection named ``api``) would be shadowed; choose the prefix so none does.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import flask

from .options import DeployOptionError

__all__ = ["behind_hosting"]

F = TypeVar("F", bound=Callable[..., Any])


def behind_hosting(function: F, prefix: str) -> F:
    """``function`` (an HTTP function taking a ``flask.Request``), also served under ``prefix``."""
    if not prefix.startswith("/") or prefix.endswith("/") or "*" in prefix or len(prefix) < 2:
        raise DeployOptionError("prefix", f"expected a path like '/api' (no trailing slash, no '*'), got {prefix!r}.")

    @functools.wraps(function)
    def under_prefix(request: flask.Request) -> Any:
        path = request.environ.get("PATH_INFO", "")
        if path != prefix and not path.startswith(prefix + "/"):
            return function(request)
        environ = dict(request.environ)
        environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "").rstrip("/") + prefix
        environ["PATH_INFO"] = path[len(prefix) :] or "/"
        return function(type(request)(environ))

    return under_prefix  # type: ignore[return-value]
