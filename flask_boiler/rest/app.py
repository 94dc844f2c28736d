"""The Flask application serving a set of view models, and the HTTP function that wraps it.

One Flask app routes every served view (see the README for why one function). It is a
flask-smorest ``Api``: one blueprint per resource (:mod:`.routes`), the OpenAPI document
generated from the same schemas the routes validate with (:mod:`.openapi`), served at
``/openapi.json`` with Swagger UI at ``/docs`` (:mod:`.docs`), CORS by flask-cors
(:mod:`.cors`). Only the methods a resource supports are routed, so Flask's router
answers 404 and 405 (with ``Allow``), and :mod:`.errors` turns those, like everything
else, into the JSON error shape.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from flask import Flask, Response, request

from ..errors import ModelDefinitionError
from .blueprint import MAX_BODY_BYTES_KEY
from .bodies import DEFAULT_MAX_BODY_BYTES, discard_unread_body
from .cors import install_cors
from .docs import install_docs
from .errors import install_error_handlers
from .keys import ID_SCHEMA, DocumentIdConverter
from .openapi import OPENAPI_VERSION, SECURITY_SCHEME, RestApi, finish_document, register_field_types
from .resource import Resource, compile_resource
from .routes import resource_blueprint

__all__ = ["DEFAULT_SERVERS", "create_api"]

#: Relative to the document's own URL: the function that serves it, wherever it is mounted.
DEFAULT_SERVERS: tuple[Mapping[str, Any], ...] = (
    {"url": ".", "description": "This API (the function serving this document)"},
)

#: URLs of the API itself, which no resource may take.
_RESERVED_SEGMENTS = frozenset({"docs", "openapi.json"})

API_GUIDE = """\
**Authentication.** Protected operations need `Authorization: Bearer <Firebase ID token>` (the
token of a signed-in user: `await getAuth().currentUser.getIdToken()` in the web SDK).
Tokens are verified with revocation checks. Against the local stack, sign in through the Auth
emulator's REST API and paste the `idToken` into *Authorize*:
`curl -s 'http://127.0.0.1:9099/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=fake-api-key'
-H 'Content-Type: application/json' -d '{"email": "ann@example.com", "password": "password-ann", "returnSecureToken": true}'`

**Errors** are always `{"error": {"code", "message", "fields"}}`; `code` is one of: `bad_request`,
`validation_failed`, `malformed_json`, `invalid_cursor` (400), `unauthenticated` (401), `forbidden` (403),
`not_found` (404), `method_not_allowed` (405), `conflict` (409), `precondition_failed` (412),
`payload_too_large` (413), `unsupported_media_type` (415), `precondition_required` (428),
`internal` (500), `unavailable` (503, with `Retry-After`).

**Concurrency.** `GET` of a view answers its `ETag`; `PATCH` and `DELETE` take it back as
`If-Match` and fail with 412 if the view changed since it was read (the check runs in the
write's transaction). Where `If-Match` is marked required, a write without it is a 428.
"""


class _ApiFlask(Flask):
    #: How many functions' :meth:`ensure_sync` answers are kept (the app's own: views, hooks, handlers).
    _SYNC_CACHE_SIZE = 256

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ensured_sync: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Flask asks, before every call of a view, hook or error handler, whether it is a
        coroutine function (``inspect``'s walk, a dozen times per request). This app's
        functions are fixed when it is built, so each answer is kept (up to a bound)."""
        try:
            return self._ensured_sync[func]
        except KeyError:
            pass
        except TypeError:  # unhashable: ask Flask every time
            return super().ensure_sync(func)
        ensured = super().ensure_sync(func)
        if len(self._ensured_sync) < self._SYNC_CACHE_SIZE:
            self._ensured_sync[func] = ensured
        return ensured

    def make_default_options_response(self) -> Response:
        """``OPTIONS``: 204 with ``Allow`` (and CORS headers on preflights); nothing else runs."""
        response = super().make_default_options_response()
        response.status_code = 204
        return response


def _check_urls(resources: Sequence[Resource]) -> None:
    urls: dict[str, str] = {}
    for resource in resources:
        if resource.template.segments[0] in _RESERVED_SEGMENTS:
            raise ModelDefinitionError(
                f"{resource.name}: /{resource.template.segments[0]} is the API's own URL; choose another collection."
            )
        for url in (resource.url(item=True), resource.url(item=False)):
            if url in urls and urls[url] != resource.name:
                raise ModelDefinitionError(f"{resource.name} and {urls[url]} would both be served at {url}.")
            urls[url] = resource.name


def _drain(response: Response) -> Response:
    """Every answer, success or error, leaves no unread request body on the connection."""
    discard_unread_body(request.environ)
    return response


def create_api(
    views: Iterable[type],
    *,
    title: str = "flask-boiler API",
    version: str = "1.0.0",
    description: str = "",
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    cors_origins: Iterable[str] = ("*",),
    servers: Sequence[Mapping[str, Any]] = DEFAULT_SERVERS,
) -> Flask:
    """A Flask app serving ``views`` (each must declare ``Meta.rest``) as REST, with docs.

    ``cors_origins``: origins allowed to call the API from a browser (``()`` disables CORS).
    ``servers``: the OpenAPI ``servers`` (default: relative to the document, which works in
    the emulator and deployed alike; name your deployed URL to publish it).
    """
    resources = [compile_resource(view) for view in views]
    _check_urls(resources)
    app = _ApiFlask("flask_boiler.rest")
    app.config.update(
        API_TITLE=title,
        API_VERSION=version,
        OPENAPI_VERSION=OPENAPI_VERSION,
        OPENAPI_URL_PREFIX=None,  # the document and the docs page are served below, with relative URLs
        MAX_CONTENT_LENGTH=None,  # bodies are read and limited by .bodies, for every transfer encoding
        **{MAX_BODY_BYTES_KEY: max_body_bytes},
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.url_map.strict_slashes = False
    app.url_map.merge_slashes = False
    app.url_map.converters["docid"] = DocumentIdConverter
    install_error_handlers(app)
    api = RestApi(app)
    api.register_converter(DocumentIdConverter, lambda converter: dict(ID_SCHEMA))
    register_field_types(api.ma_plugin)
    api.spec.components.security_scheme(
        SECURITY_SCHEME,
        {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "A Firebase ID token of a signed-in user (Firebase Auth `getIdToken()`).",
        },
    )
    for resource in resources:
        api.register_blueprint(resource_blueprint(resource))
    document = finish_document(
        api.spec.to_dict(),
        resources,
        description="\n\n".join(part for part in (description.strip(), API_GUIDE) if part),
        servers=servers,
        max_body_bytes=max_body_bytes,
    )
    document_bytes = json.dumps(document, ensure_ascii=False).encode("utf-8")

    def openapi() -> Response:
        response = Response(document_bytes, mimetype="application/json")
        response.headers["Cache-Control"] = "no-cache"
        return response

    app.add_url_rule("/openapi.json", "flask_boiler_openapi", openapi, methods=["GET"])
    install_docs(app, title=title)
    install_cors(app, cors_origins)
    app.after_request(_drain)
    app.extensions["flask_boiler.rest"] = {"resources": resources, "spec": document}
    return app
