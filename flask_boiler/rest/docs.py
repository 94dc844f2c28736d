"""Swagger UI at ``/docs``, served offline from the ``swagger-ui-bundle`` package.

The page loads nothing from a CDN: its scripts and styles are the files the package
ships, served by the API itself under ``/docs/<file>``, and the initializer is a static
script too, so the page works under ``Content-Security-Policy: script-src 'self'`` (it
is sent with that policy). Every URL is relative to the page, so the same page works
wherever the function is mounted (``/demo-flask-boiler/us-central1/api/docs`` in the
emulator, ``/api/docs`` deployed). "Try it out" sends requests to the server the document
names (by default, relative to the document, i.e. this very function); paste a Firebase
ID token into "Authorize" to call protected operations.
"""

from __future__ import annotations

import html
from pathlib import Path

from flask import Flask, Response, send_file
from swagger_ui_bundle import swagger_ui_path

from .errors import ApiError

__all__ = ["install_docs"]

#: The package files the page uses (nothing else of the package is reachable).
ASSETS = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png", "favicon-16x16.png"})

_INITIALIZER = """window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: true,
    displayRequestDuration: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
});
"""

_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def _page(title: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="stylesheet" href="docs/swagger-ui.css">'
        '<link rel="icon" type="image/png" href="docs/favicon-32x32.png">'
        '</head><body><div id="swagger-ui"></div>'
        '<script src="docs/swagger-ui-bundle.js"></script>'
        '<script src="docs/initializer.js"></script>'
        "</body></html>"
    )


def install_docs(app: Flask, *, title: str) -> None:
    """Serve the page at ``/docs`` and its files at ``/docs/<file>``."""
    page = _page(title)
    assets = Path(str(swagger_ui_path))

    def docs() -> Response:
        response = Response(page, mimetype="text/html")
        response.headers["Content-Security-Policy"] = _CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    def initializer() -> Response:
        response = Response(_INITIALIZER, mimetype="text/javascript")
        response.headers["Cache-Control"] = "no-cache"
        return response

    def asset(name: str) -> Response:
        if name not in ASSETS:
            raise ApiError(404)
        response = send_file(assets / name, max_age=86400)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    app.add_url_rule("/docs", "flask_boiler_docs", docs, methods=["GET"], strict_slashes=True)
    app.add_url_rule("/docs/initializer.js", "flask_boiler_docs_initializer", initializer, methods=["GET"])
    app.add_url_rule("/docs/<name>", "flask_boiler_docs_asset", asset, methods=["GET"])
