"""The HTTP function serving a set of view models: cheap to import, the app built on first use.

``functions/main.py`` is imported by every function it exports (the view triggers too), on
every cold start. So this module imports nothing heavy: the Flask app, flask-smorest,
apispec, webargs, flask-cors and the schemas are loaded and built by :mod:`.app` when the
first request arrives, in the one function that serves them.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from typing import Any

from flask import Flask, Response

from ..log import get_logger
from .errors import error_body
from .hosting import route_every_path_to_the_function

__all__ = ["api_function"]

logger = get_logger("rest")


def _build_failed() -> Response:
    body = json.dumps(error_body(500, "Internal error; it has been logged.")).encode("utf-8")
    return Response(body, status=500, mimetype="application/json")


def api_function(views: Sequence[type], *, name: str = "api", **api_options: Any) -> Callable[[Any], Response]:
    """An HTTP function (``functions_framework.http``-ready) serving ``views``.

    The Flask app (routes, schemas, OpenAPI document) is built on the first request, not
    at import, so deploying and cold-starting the trigger functions that share
    ``main.py`` pay nothing for it. The app dispatches the request itself (its routing,
    limits and error handlers apply exactly as under a test client) and its response is
    returned as is.
    Called while functions-framework loads the module, it also makes that host route every
    path to the function (:mod:`.hosting`).
    """
    views = tuple(views)
    lock = threading.Lock()
    built: list[Flask] = []
    route_every_path_to_the_function()

    def app() -> Flask:
        if not built:
            with lock:
                if not built:
                    from .app import create_api  # deliberately lazy: see the module docs

                    built.append(create_api(views, **api_options))
        return built[0]

    def handler(incoming: Any) -> Response:
        try:
            wsgi_app = app().wsgi_app
        except Exception:
            logger.exception("The REST API %s could not be built", name)
            return _build_failed()
        return Response.from_app(wsgi_app, incoming.environ)  # type: ignore[return-value]

    handler.__name__ = handler.__qualname__ = name
    handler.__doc__ = f"REST API for {', '.join(view.__name__ for view in views)} (flask-boiler)."
    handler.app = app  # type: ignore[attr-defined]
    return handler
