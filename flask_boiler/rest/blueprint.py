"""flask-smorest, adapted: strict body and query parsing, and ETags as this API promises them.

* :class:`RestParser` is webargs' Flask parser with the JSON body read by
  :func:`.bodies.read_json_object` (size limit for every transfer encoding, strict JSON),
  repeated query parameters refused, and every validation error answered as a 400 in the
  API's error shape (fields flattened; webargs' location wrapper removed).
* :class:`ResourceBlueprint` is one resource's flask-smorest ``Blueprint``. It keeps
  flask-smorest's ETag machinery (``set_etag``: the ETag is a hash of the JSON
  representation, ``If-None-Match`` answers 304; ``check_etag``: ``If-Match`` compared,
  412) with three changes: the hash is of the bytes sent (one serialization per answer), ``If-Match`` is required (428) only when the resource says so
  (``RestOptions(require_if_match=...)``), and the comparison runs where the caller puts
  it — inside the write's transaction (see :mod:`.writes`) — rather than before it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, NoReturn

import flask_smorest
import marshmallow
from flask import Request, current_app, request
from flask_smorest.etag import _get_etag_ctx
from flask_smorest.exceptions import NotModified, PreconditionFailed, PreconditionRequired
from webargs.flaskparser import FlaskParser

from .bodies import DEFAULT_MAX_BODY_BYTES, read_json_object
from .errors import ApiError

__all__ = ["MAX_BODY_BYTES_KEY", "ResourceBlueprint", "RestParser", "representation_bytes"]

#: Flask config key holding the body limit of an API.
MAX_BODY_BYTES_KEY = "FLASK_BOILER_MAX_BODY_BYTES"

#: Longest accepted If-Match / If-None-Match (checked in :mod:`.routes`).
MAX_PRECONDITION_LENGTH = 1024

_LOCATIONS = ("json", "query", "querystring", "view_args", "path", "headers")


def representation_bytes(body: Mapping[str, Any]) -> bytes:
    """The wire form of a view: serialized once, for the response body and its ETag alike."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def _if_match_sent() -> bool:
    return bool(request.headers.get("If-Match", "").strip())


class RestParser(FlaskParser):
    """webargs' Flask parser, strict, answering in the API's error shape."""

    DEFAULT_VALIDATION_STATUS = 400

    def load_json(self, req: Request, schema: marshmallow.Schema) -> Any:
        return read_json_object(req, current_app.config.get(MAX_BODY_BYTES_KEY, DEFAULT_MAX_BODY_BYTES))

    def load_querystring(self, req: Request, schema: marshmallow.Schema) -> Any:
        repeated = {name: ["Give this parameter once."] for name in req.args if len(req.args.getlist(name)) > 1}
        if repeated:
            raise ApiError(400, "Invalid query parameters.", code="validation_failed", fields=repeated)
        return self._makeproxy(req.args, schema)

    def handle_error(
        self,
        error: marshmallow.ValidationError,
        req: Request,
        schema: marshmallow.Schema,
        *,
        error_status_code: int | None,
        error_headers: Any,
    ) -> NoReturn:
        messages: Any = error.messages
        if isinstance(messages, dict) and len(messages) == 1 and next(iter(messages)) in _LOCATIONS:
            location, messages = next(iter(messages.items()))
        else:
            location = "json"
        what = "query parameters" if location in ("query", "querystring") else "data"
        raise ApiError(400, f"Invalid {what}.", code="validation_failed", fields=messages)


class ResourceBlueprint(flask_smorest.Blueprint):  # type: ignore[misc]
    """One resource's routes and their documentation (see the module docs)."""

    ARGUMENTS_PARSER = RestParser()

    def __init__(self, name: str, *, description: str, require_if_match: bool) -> None:
        super().__init__(name, __name__, description=description)
        self.require_if_match = require_if_match

    # -- ETags ----------------------------------------------------------------------------

    def _check_precondition(self) -> None:
        if self.require_if_match and request.method in self.METHODS_NEEDING_CHECK_ETAG and not _if_match_sent():
            raise PreconditionRequired

    @staticmethod
    def _generate_etag(etag_data: Any, extra_data: Any = None) -> str:
        """A hash of the representation's bytes as the client receives them (flask-smorest hashes a
        second, key-sorted dump; the view's keys are in a fixed order, so one dump serves both)."""
        payload = etag_data if isinstance(etag_data, bytes) else representation_bytes(etag_data)
        return hashlib.sha1(payload, usedforsecurity=False).hexdigest()

    def _is_etag_enabled(self) -> bool:
        """ETags are part of this API's contract (no ``ETAG_DISABLED``); saves a lookup per request."""
        return True

    def _verify_check_etag(self) -> None:
        """flask-smorest warns when an endpoint forgot ``check_etag``; here the transaction calls it."""

    def _check_not_modified(self, etag: str) -> None:
        _get_etag_ctx()["etag"] = etag  # the 304 repeats it
        if (
            "If-None-Match" in request.headers
            and request.method in self.METHODS_CHECKING_NOT_MODIFIED
            and etag in request.if_none_match
        ):
            raise NotModified

    def _set_etag_in_response(self, response: Any) -> None:
        etag = _get_etag_ctx().get("etag")
        if etag is not None and request.method in self.METHODS_ALLOWING_SET_ETAG and response.status_code < 300:
            response.set_etag(etag)

    def check_if_match(self, representation: Any) -> None:
        """412 unless ``If-Match`` (when sent) names the ETag of ``representation``.

        A header that is sent but names no valid entity tag (``If-Match: abc``, unquoted)
        matches nothing: ignoring it would drop the precondition its sender meant."""
        if not _if_match_sent():
            return
        if not request.if_match:
            raise PreconditionFailed
        self.check_etag(representation)

    def _prepare_etag_doc(self, doc: dict[str, Any], doc_info: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if not doc_info.get("etag"):
            return doc
        method = kwargs["method"].upper()
        responses = doc.setdefault("responses", {})
        parameters = doc.setdefault("parameters", [])
        if method in self.METHODS_CHECKING_NOT_MODIFIED:
            responses[304] = "NOT_MODIFIED"
            parameters.append(
                {
                    "name": "If-None-Match",
                    "in": "header",
                    "required": False,
                    "description": "ETags of representations you hold: 304 (no body) if the view still has one.",
                    "schema": {"type": "string", "maxLength": MAX_PRECONDITION_LENGTH},
                }
            )
        if method in self.METHODS_NEEDING_CHECK_ETAG:
            responses[412] = "PRECONDITION_FAILED"
            if self.require_if_match:
                responses[428] = "PRECONDITION_REQUIRED"
            parameters.append(
                {
                    "name": "If-Match",
                    "in": "header",
                    "required": self.require_if_match,
                    "description": (
                        "The ETag of the view as you last read it (GET, or the previous write's answer); "
                        "412 if the view changed since."
                        + ("" if self.require_if_match else " Optional: without it the last write wins.")
                    ),
                    "schema": {"type": "string", "maxLength": MAX_PRECONDITION_LENGTH},
                }
            )
        if method in self.METHODS_ALLOWING_SET_ETAG:
            for status in doc_info.get("success_status_codes", []):
                if status != 204:
                    responses[status].setdefault("headers", {})["ETag"] = {
                        "description": "Strong ETag of the view in the body (send it as If-Match to change it).",
                        "schema": {"type": "string"},
                    }
        return doc
