"""The ``api`` function inside functions-framework: every request path reaches it.

functions-framework serves an HTTP function from its own Flask app, whose catch-all rule
``/<path:path>`` uses werkzeug's ``path`` converter, ``[^/].*?``. Its ``.`` does not match
a newline, so ``GET /meetingCards/a%0Ab`` matched no rule and functions-framework answered
with its own HTML 404 before the function (and our JSON error shape) saw the request.

The fix belongs at that depth, not in a handler that rewrites HTML: functions-framework
executes the source module (``functions/main.py``) inside its app's context *before* it
adds its rules, so :func:`route_every_path_to_the_function` (called by
:func:`~flask_boiler.rest.api_function` while that module is executed) gives that app a
``path`` converter whose pattern matches every character, keeps paths with ``//`` from
being redirected (an HTML 308), and answers what functions-framework itself still
refuses (``/robots.txt``, ``/favicon.ico``) in the API's JSON error shape. Outside
functions-framework (tests, another WSGI server) there is no such app and nothing changes.
"""

from __future__ import annotations

import flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import PathConverter

from .errors import error_response, translate

__all__ = ["AnyPathConverter", "route_every_path_to_the_function"]

_MARK = "flask_boiler.rest.hosting"


class AnyPathConverter(PathConverter):
    """werkzeug's ``path`` converter, with newlines (and every other character) allowed."""

    regex = "[^/](?s:.*?)"


def _json_error(exc: HTTPException) -> flask.Response:
    error = translate(exc)
    assert error is not None  # every HTTPException translates
    return error_response(error)


def route_every_path_to_the_function() -> None:
    """Adapt the functions-framework app being set up (if any) so every path reaches the function."""
    if not flask.has_app_context():
        return
    app = flask.current_app
    if app.extensions.get(_MARK) or "flask_boiler.rest" in app.extensions:
        return  # already adapted, or this is one of our own API apps
    app.url_map.converters["path"] = AnyPathConverter
    app.url_map.merge_slashes = False
    app.register_error_handler(HTTPException, _json_error)
    app.extensions[_MARK] = True
