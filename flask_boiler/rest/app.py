"""The Flask application serving a set of view models, and the HTTP function that wraps it.

One Flask app routes every served view (see the README for why one function): the
routes come from each view's :class:`~.resource.Resource`, plus ``/openapi.json`` and
``/docs``. Only the methods a resource supports are routed, so Flask's own router answers
404 and 405, and :mod:`.errors` turns those, like everything else, into the JSON error
shape.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from flask import Flask, Response, jsonify, request

from ..errors import ModelDefinitionError
from . import reads, writes
from .auth import authorize
from .bodies import DEFAULT_MAX_BODY_BYTES, discard_unread_body
from .cors import install_cors
from .docs import render_docs
from .errors import install_error_handlers
from .keys import checked_key
from .openapi import build_openapi
from .pagination import parse_list_query
from .resource import Resource, compile_resource

__all__ = ["api_function", "create_api"]


def _route_item(app: Flask, resource: Resource) -> None:
    methods = (
        ["GET"]
        + (["PATCH"] if resource.supports("update") else [])
        + (["DELETE"] if resource.supports("delete") else [])
    )

    def item(**path_params: str) -> Any:
        key = checked_key(path_params)
        if request.method == "GET":
            authorize(resource.read_access, request, key)
            return jsonify(reads.read_item(resource, key))
        if request.method == "PATCH":
            body = writes.update(resource, request, key)
            return (jsonify(body), 200) if body is not None else ("", 204)
        writes.delete(resource, request, key)
        return "", 204

    app.add_url_rule(resource.url(item=True, flask=True), f"{resource.name}.item", item, methods=methods)


def _route_collection(app: Flask, resource: Resource) -> None:
    methods = (["GET"] if resource.supports("list") else []) + (["POST"] if resource.supports("create") else [])
    if not methods:
        return

    def collection(**path_params: str) -> Any:
        parent_key = checked_key(path_params)
        if request.method == "GET":
            authorize(resource.read_access, request, parent_key)
            query = parse_list_query(resource, request.args)
            return jsonify(reads.read_page(resource, parent_key, query))
        body, location = writes.create(resource, request, parent_key)
        response = jsonify(body)
        response.status_code = 201
        response.headers["Location"] = location
        return response

    app.add_url_rule(resource.url(item=False, flask=True), f"{resource.name}.collection", collection, methods=methods)


def _drained(response: Response) -> Response:
    """Every answer, success or error, leaves no unread request body on the connection."""
    discard_unread_body()
    return response


def create_api(
    views: Iterable[type],
    *,
    title: str = "flask-boiler API",
    version: str = "1.0.0",
    description: str = "",
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    cors_origins: Iterable[str] = ("*",),
) -> Flask:
    """A Flask app serving ``views`` (each must declare ``Meta.rest``) as REST, with docs.

    ``cors_origins``: origins allowed to call the API from a browser (``()`` disables CORS).
    """
    resources = [compile_resource(view) for view in views]
    urls: dict[str, str] = {}
    for resource in resources:
        for url in (resource.url(item=True), resource.url(item=False)):
            if url in urls and urls[url] != resource.name:
                raise ModelDefinitionError(f"{resource.name} and {urls[url]} would both be served at {url}.")
            urls[url] = resource.name
    app = Flask("flask_boiler.rest")
    app.config["MAX_CONTENT_LENGTH"] = max_body_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.url_map.strict_slashes = False
    app.url_map.merge_slashes = False
    install_error_handlers(app)
    install_cors(app, cors_origins)
    app.after_request(_drained)
    spec = build_openapi(resources, title=title, version=version, description=description)
    page = render_docs(spec)

    @app.get("/openapi.json")
    def openapi() -> Any:
        return jsonify(spec)

    @app.get("/docs")
    def docs() -> Any:
        return Response(page, mimetype="text/html")

    for resource in resources:
        _route_item(app, resource)
        _route_collection(app, resource)
    app.extensions["flask_boiler.rest"] = {"resources": resources, "spec": spec}
    return app


def api_function(views: Sequence[type], *, name: str = "api", **api_options: Any) -> Callable[[Any], Response]:
    """An HTTP function (``functions_framework.http``-ready) serving ``views``.

    The Flask app (routes, schemas, OpenAPI document) is built on the first request, not
    at import, so deploying and cold-starting the trigger functions that share
    ``main.py`` pay nothing for it. The request is handed to the app as a WSGI call, so
    the app's own routing, limits and error handlers apply exactly as under a test client.
    """
    views = tuple(views)
    lock = threading.Lock()
    built: list[Flask] = []

    def app() -> Flask:
        if not built:
            with lock:
                if not built:
                    built.append(create_api(views, **api_options))
        return built[0]

    def handler(incoming: Any) -> Response:
        return Response.from_app(app().wsgi_app, incoming.environ)

    handler.__name__ = handler.__qualname__ = name
    handler.__doc__ = f"REST API for {', '.join(view.__name__ for view in views)} (flask-boiler)."
    handler.app = app  # type: ignore[attr-defined]
    return handler
