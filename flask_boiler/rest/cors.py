"""Cross-origin access with flask-cors, so a web app on another origin (Firebase Hosting, a
dev server) can call the API.

Credentials travel in the ``Authorization: Bearer`` header, never in cookies
(``supports_credentials`` stays off), so allowing an origin grants it nothing a page could
not already do with the user's token; ``"*"`` (the default) is therefore safe, and a list
of origins narrows it. Preflights are answered by Flask's automatic ``OPTIONS`` response
plus flask-cors' headers, before routing reaches any view (browsers send them without
tokens). Scripts may read ``ETag`` (for ``If-Match``), ``Location`` and ``Retry-After``.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask
from flask_cors import CORS

__all__ = ["ALLOWED_HEADERS", "EXPOSED_HEADERS", "install_cors"]

ALLOWED_HEADERS = ("Authorization", "Content-Type", "If-Match", "If-None-Match")
EXPOSED_HEADERS = ("ETag", "Location", "Retry-After")
PREFLIGHT_MAX_AGE = 3600


def install_cors(app: Flask, origins: Iterable[str] = ("*",)) -> None:
    """Answer CORS preflights and add ``Access-Control-*`` headers for ``origins`` (``()``: no CORS)."""
    allowed = list(origins)
    if not allowed:
        return
    CORS(
        app,
        origins="*" if "*" in allowed else allowed,
        methods=["GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=list(ALLOWED_HEADERS),
        expose_headers=list(EXPOSED_HEADERS),
        supports_credentials=False,
        send_wildcard=True,  # "*" rather than the echoed origin: no credentials, and caches share it
        max_age=PREFLIGHT_MAX_AGE,
        vary_header=True,
    )
