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

from ..log import configure, get_logger
from .errors import error_body
from .hosting import route_every_path_to_the_function

__all__ = ["api_function"]

logger = get_logger("rest")


def _dispatch(app: Flask, environ: dict[str, Any]) -> Response:
    """What ``app.wsgi_app`` does for one request, returning the :class:`Response` object itself.

    The host's Flask app (functions-framework's) serves that object as it is, so the answer
    is neither run through a second WSGI round (``Response.from_app``: start_response,
    iterating the body, a new Response built from the output) nor copied.

    Its body is handed over as an iterator. functions-framework reads the whole request
    body after every *non-streamed* response (its ``read_request`` hook, without a limit);
    here the body has been read or discarded within the API's limit already (``.bodies``,
    in the app's ``after_request``), and from the host's request object that read would
    find a stream that is used up and fail the request. A streamed answer is what
    ``Response.from_app`` handed over before, so functions-framework behaves as it did.
    """
    context = app.request_context(environ)
    error: BaseException | None = None
    try:
        context.push()
        try:
            response = app.full_dispatch_request()
        except Exception as exc:  # noqa: BLE001 - Flask's own last resort, as in wsgi_app: a logged 500
            error = exc
            response = app.handle_exception(exc)
        if not response.is_streamed:
            _hand_over_as_stream(response)
        return response
    finally:
        if error is not None and app.should_ignore_error(error):
            error = None
        context.pop(error)


def _hand_over_as_stream(response: Response) -> None:
    """Make ``response``'s body an iterator, with the Content-Length a sequence body would get."""
    status = response.status_code
    if "Content-Length" not in response.headers and status >= 200 and status not in (204, 304):
        response.headers["Content-Length"] = str(response.calculate_content_length() or 0)
    response.response = iter(list(response.iter_encoded()))


def _build_failed() -> Response:
    body = json.dumps(error_body(500, "Internal error; it has been logged.")).encode("utf-8")
    return Response(body, status=500, mimetype="application/json")


def api_function(views: Sequence[type], *, name: str = "api", **api_options: Any) -> Callable[[Any], Response]:
    """An HTTP function (``functions_framework.http``-ready) serving ``views``.

    The Flask app (routes, schemas, OpenAPI document) is built on the first request, not
    at import, so deploying and cold-starting the trigger functions that share
    ``main.py`` pay nothing for it. The app dispatches the request itself (its routing,
    limits and error handlers apply exactly as under a test client) and its response object
    is returned to the host (:func:`_dispatch`).
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
        configure()  # Cloud Logging records (refused tokens, logged 500s), as the triggers write them
        try:
            api = app()
        except Exception:
            logger.exception("The REST API %s could not be built", name)
            return _build_failed()
        return _dispatch(api, incoming.environ)

    handler.__name__ = handler.__qualname__ = name
    handler.__doc__ = f"REST API for {', '.join(view.__name__ for view in views)} (flask-boiler)."
    handler.app = app  # type: ignore[attr-defined]
    return handler
