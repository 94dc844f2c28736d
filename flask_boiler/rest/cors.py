"""Cross-origin access, so a web app on another origin (Firebase Hosting, a dev server) can call the API.

Credentials travel in the ``Authorization: Bearer`` header, never in cookies, so allowing
an origin grants it nothing a page could not already do with the user's token; ``"*"``
(the default) is therefore safe, and a list of origins narrows it. Preflight requests
are answered before routing and authentication, as browsers send them without tokens.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, Response, request

ALLOWED_METHODS = "GET, POST, PATCH, DELETE, OPTIONS"
ALLOWED_HEADERS = "Authorization, Content-Type"
PREFLIGHT_MAX_AGE = "3600"


def _allowed_origin(origin: str | None, origins: tuple[str, ...]) -> str | None:
    if not origin:
        return None
    if "*" in origins:
        return "*"
    return origin if origin in origins else None


def install_cors(app: Flask, origins: Iterable[str] = ("*",)) -> None:
    """Answer CORS preflights and add ``Access-Control-*`` headers for ``origins``."""
    allowed = tuple(origins)
    if not allowed:
        return

    @app.before_request
    def preflight() -> Response | None:
        if request.method != "OPTIONS" or "Access-Control-Request-Method" not in request.headers:
            return None
        response = Response(status=204)
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
        return response

    @app.after_request
    def add_headers(response: Response) -> Response:
        origin = _allowed_origin(request.headers.get("Origin"), allowed)
        if origin is not None:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Expose-Headers"] = "Location"
            if origin != "*":
                response.headers.add("Vary", "Origin")
        return response
