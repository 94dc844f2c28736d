"""Hostile input that is refused before any Firestore access: every answer is a 4xx in the
JSON error shape (no emulator needed; the same cases run against the real ``api`` function
in tests/integration/rest/test_hostile.py). Properties (hypothesis) for the parsers."""

from __future__ import annotations

import io
import json

import marshmallow
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flask_boiler import fields, schema
from flask_boiler.domain_model import DomainModel
from flask_boiler.rest import Change, RestOptions, Writes, create_api
from flask_boiler.rest.bodies import MAX_JSON_DEPTH, parse_json
from flask_boiler.rest.errors import ApiError, flatten_messages
from flask_boiler.rest.strict import QueryBoolean, QueryInteger, json_type_errors
from flask_boiler.views import ViewModel, public, source


class GadgetSchema(schema.Schema):
    name = fields.String(required=True)


class Gadget(DomainModel):
    class Meta:
        collection_name = "unitHostileGadgets"
        schema_cls = GadgetSchema


class GadgetViewSchema(schema.Schema):
    class Meta:
        camel_case = True

    name = fields.String()
    enabled = fields.Boolean()
    count = fields.Integer()
    ratio = fields.Float()
    tags = fields.List(fields.Boolean())


class NeverWrites(Writes):
    """Every case here must be refused before this runs."""

    fields = ("name", "enabled", "count", "ratio", "tags")

    def create(self, transaction, change: Change):  # pragma: no cover - reaching it fails the test
        raise AssertionError("a hostile request reached the write")

    def update(self, transaction, change: Change):  # pragma: no cover
        raise AssertionError("a hostile request reached the write")


class GadgetView(ViewModel):
    class Meta:
        schema_cls = GadgetViewSchema
        path = "unitHostileGadgetViews/{gadget_id}"
        access = public()
        rest = RestOptions(writes=NeverWrites(), write_access=public(), require_if_match=False, list=True)

    gadget = source(Gadget, "unitHostileGadgets/{gadget_id}")

    def compute(self):  # pragma: no cover
        return {}


@pytest.fixture(scope="module")
def client():
    return create_api([GadgetView], max_body_bytes=16 * 1024).test_client()


def error_of(response, status, code=None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert all(isinstance(v, list) and all(isinstance(m, str) for m in v) for v in body["error"]["fields"].values())
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def post_raw(client, data: bytes, content_type="application/json", **environ):
    return client.post("/unitHostileGadgetViews", data=data, content_type=content_type, environ_overrides=environ)


@pytest.mark.parametrize(
    "raw, problem",
    [
        (b'{"name": "\\ud800"}', "lone surrogate"),
        (b'{"\\udfff": 1}', "lone surrogate"),
        (b"[" * 5000 + b"]" * 5000, "nested deeper"),
        (b'{"a": ' * 40 + b"1" + b"}" * 40, "nested deeper"),
        (b'{"count": NaN}', "NaN"),
        (b'{"count": Infinity}', "Infinity"),
        (b'{"ratio": 1e999}', "too large"),
        (b'{"count": 99999999999999999999}', "64 bits"),
        (b'{"count": ' + b"9" * 5000 + b"}", "digits"),
        (b'{"name": "\xff"}', "not UTF-8"),
        (b"", "empty"),
        (b"   ", "empty"),
        (b'{"name": "x"', "Expecting"),
        (b"\xef\xbb\xbf{}", "BOM"),
    ],
)
def test_malformed_or_unstorable_json_is_a_400(client, raw, problem):
    error = error_of(post_raw(client, raw), 400, "malformed_json")
    assert problem.lower() in error["message"].lower()


def test_a_body_must_be_an_object(client):
    error_of(post_raw(client, b"[1, 2]"), 400, "malformed_json")
    error_of(post_raw(client, b'"x"'), 400, "malformed_json")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "x", "enabled": "no"}, "enabled"),
        ({"name": "x", "enabled": "false"}, "enabled"),
        ({"name": "x", "enabled": 1}, "enabled"),
        ({"name": "x", "enabled": 0}, "enabled"),
        ({"name": "x", "enabled": None}, "enabled"),
        ({"name": "x", "count": "12"}, "count"),
        ({"name": "x", "count": True}, "count"),
        ({"name": "x", "count": 1.5}, "count"),
        ({"name": "x", "ratio": "0.5"}, "ratio"),
        ({"name": "x", "ratio": False}, "ratio"),
        ({"name": 5}, "name"),
        ({"name": "x", "tags": [True, "false"]}, "tags.1"),
        ({"name": "x", "tags": "true"}, "tags"),
        ({"name": "x", "owner": "me"}, "owner"),
    ],
)
def test_body_types_are_strict(client, body, field):
    error = error_of(client.post("/unitHostileGadgetViews", json=body), 400, "validation_failed")
    assert field in error["fields"]


def test_bodies_are_limited_for_every_transfer_encoding(client):
    big = json.dumps({"name": "x" + " " * 20_000}).encode()
    error_of(post_raw(client, big), 413, "payload_too_large")
    # what gunicorn hands over for a chunked body: no Content-Length, the stream terminated
    padded = b'{"name": "x"}' + b" " * 100_000
    chunked = {"wsgi.input": io.BytesIO(padded), "CONTENT_LENGTH": "", "HTTP_TRANSFER_ENCODING": "chunked"}
    error_of(post_raw(client, b"", **chunked, **{"wsgi.input_terminated": True}), 413, "payload_too_large")
    # a chunked body whose end the server cannot find is refused, not read as empty
    error_of(post_raw(client, b"", **chunked), 400, "bad_request")


def test_content_types(client):
    error_of(post_raw(client, b"name=x", "application/x-www-form-urlencoded"), 415, "unsupported_media_type")
    error_of(post_raw(client, b"{}", "application/json; charset=latin-1"), 415, "unsupported_media_type")
    error_of(post_raw(client, b"{}", "text/plain"), 415)


@pytest.mark.parametrize("limit", ["²", "①", "٣", "0", "101", "-1", "1.0", "1e2", " 1", "0x10", "", "9" * 30])
def test_list_limits_are_ascii_integers_in_range(client, limit):
    error = error_of(client.get("/unitHostileGadgetViews", query_string={"limit": limit}), 400, "validation_failed")
    assert "limit" in error["fields"]


def test_query_strings(client):
    assert "extra" in error_of(client.get("/unitHostileGadgetViews?extra=1"), 400)["fields"]
    assert "limit" in error_of(client.get("/unitHostileGadgetViews?limit=1&limit=2"), 400)["fields"]
    assert "cursor" in error_of(client.get("/unitHostileGadgetViews?cursor=" + "x" * 5000), 400)["fields"]


def test_ids_past_firestore_s_limit_and_reserved_ids(client):
    assert "gadget_id" in error_of(client.get("/unitHostileGadgetViews/" + "é" * 751), 400)["fields"]
    error_of(client.get("/unitHostileGadgetViews/__name__"), 404, "not_found")
    error_of(client.get("/unitHostileGadgetViews/.."), 404)


def test_undeclared_methods_are_405_with_allow(client):
    for method in ("PUT", "TRACE", "DELETE", "CONNECT", "PROPFIND"):
        response = client.open("/unitHostileGadgetViews/x", method=method)
        error_of(response, 405, "method_not_allowed")
        assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "PATCH"}
    collection = client.open("/unitHostileGadgetViews", method="DELETE")
    assert set(error_of(collection, 405) and collection.headers["Allow"].split(", ")) == {
        "GET",
        "HEAD",
        "OPTIONS",
        "POST",
    }


def test_options_answers_allow_and_never_runs_a_view(client):
    response = client.options("/unitHostileGadgetViews/x")
    assert response.status_code == 204 and "PATCH" in response.headers["Allow"]


def test_unknown_routes_are_json(client):
    error_of(client.get("/nowhere"), 404, "not_found")
    error_of(client.get("/unitHostileGadgetViews/a/b/c"), 404, "not_found")


# -- properties of the parsers ----------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_parse_json_refuses_with_an_api_error_or_returns_storable_json(raw):
    try:
        data = parse_json(raw)
    except ApiError as error:
        assert error.status == 400 and error.code == "malformed_json"
        return
    json.dumps(data, ensure_ascii=False, allow_nan=False).encode("utf-8")  # storable: no surrogates, finite


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(), lambda c: st.lists(c) | st.dictionaries(st.text(), c)
    )
)
def test_parse_json_accepts_every_shallow_json_document(value):
    raw = json.dumps(value).encode("utf-8")
    depth = _depth(value)
    if depth > MAX_JSON_DEPTH or _has_big_int(value):
        return
    assert parse_json(raw) == value


def _depth(value, level=1):
    if isinstance(value, dict):
        return max([level, *(_depth(v, level + 1) for v in value.values())])
    if isinstance(value, list):
        return max([level, *(_depth(v, level + 1) for v in value)])
    return 0


def _has_big_int(value):
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return not -(2**63) <= value < 2**63
    if isinstance(value, dict):
        return any(_has_big_int(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_big_int(v) for v in value)
    return False


@given(st.from_type(object).filter(lambda v: not isinstance(v, bool)))
def test_only_json_booleans_are_booleans(value):
    assert json_type_errors(fields.Boolean(), value) or value is None


@given(st.text(max_size=25))
def test_query_integers_are_ascii_digits_only(text):
    field = QueryInteger()
    try:
        value = field.deserialize(text)
    except marshmallow.ValidationError:
        assert not (text.isascii() and text.lstrip("+-").isdigit() and -(2**63) <= int(text) < 2**63)
        return
    assert text.isascii() and value == int(text)


@given(st.text(max_size=10))
def test_query_booleans_are_true_or_false(text):
    try:
        value = QueryBoolean().deserialize(text)
    except marshmallow.ValidationError:
        assert text not in ("true", "false")
        return
    assert value is (text == "true")


@given(st.recursive(st.text(), lambda c: st.lists(c) | st.dictionaries(st.text(), c), max_leaves=20))
def test_flattened_field_errors_are_flat_lists_of_strings(messages):
    flat = flatten_messages(messages)
    assert all(
        isinstance(k, str) and isinstance(v, list) and all(isinstance(m, str) for m in v) for k, v in flat.items()
    )


def test_contention_in_every_form_is_a_503():
    from google.api_core import exceptions as google_errors

    from flask_boiler.errors import ContentionError
    from flask_boiler.rest.errors import translate

    aborted = google_errors.Aborted("too much contention")
    try:
        try:
            raise aborted
        except google_errors.Aborted as exc:
            raise ValueError("Failed to commit transaction in 5 attempts.") from exc
    except ValueError as wrapped:
        client_wrapped = wrapped
    for exc in (ContentionError("gave up", attempts=5), aborted, client_wrapped):
        error = translate(exc)
        assert error is not None and (error.status, error.code) == (503, "unavailable")
    assert translate(ValueError("something else")) is None  # a bug stays a 500


def test_firestore_not_serving_is_a_logged_503(caplog):
    from google.api_core import exceptions as google_errors

    from flask_boiler.rest.errors import translate

    for exc in (
        google_errors.ServiceUnavailable("down"),
        google_errors.DeadlineExceeded("too slow"),
        google_errors.ResourceExhausted("Quota exceeded."),  # was a 500, filed as a bug
    ):
        caplog.clear()
        with caplog.at_level("WARNING", logger="flask_boiler.rest"):
            error = translate(exc)
        assert error is not None and (error.status, error.code) == (503, "unavailable")
        assert [record.fields for record in caplog.records] == [{"reason": type(exc).__name__}]


def test_values_firestore_refuses_are_a_400_and_logged_with_its_reason(caplog):
    from google.api_core import exceptions as google_errors

    from flask_boiler.rest.errors import translate

    with caplog.at_level("INFO", logger="flask_boiler.rest"):
        error = translate(google_errors.InvalidArgument("Property name too long"))
    assert error is not None and (error.status, error.code) == (400, "bad_request")
    assert "Property name too long" not in error.message  # the client sees no server detail
    logged = [record for record in caplog.records if record.getMessage() == "Firestore refused a request's values"]
    assert logged and logged[0].fields == {"firestore_message": "Property name too long"}


def test_a_request_the_host_refused_is_logged_with_its_reason_but_no_headers(caplog):
    """A 400 raised before any route (werkzeug, or functions-framework refusing a request meant
    for another function) says why in the log: its first line, never the headers it quotes."""
    from werkzeug.exceptions import BadRequest, ClientDisconnected

    from flask_boiler.rest.errors import translate

    refused = BadRequest(
        "Function was defined with FUNCTION_SIGNATURE_TYPE=cloudevent but parsing CloudEvent failed.\n"
        "Got HTTP headers: Host: 127.0.0.1\r\nAuthorization: Bearer secret-token\r\n"
    )
    for exc, reason, description in (
        (
            refused,
            "BadRequest",
            "Function was defined with FUNCTION_SIGNATURE_TYPE=cloudevent but parsing CloudEvent failed.",
        ),
        (
            ClientDisconnected(),
            "ClientDisconnected",
            "The browser (or proxy) sent a request that this server could not understand.",
        ),
    ):
        caplog.clear()
        with caplog.at_level("INFO", logger="flask_boiler.rest"):
            error = translate(exc)
        assert error is not None and (error.status, error.code, error.fields) == (400, "bad_request", {})
        assert [(r.getMessage(), r.fields) for r in caplog.records] == [
            ("HTTP request refused", {"reason": reason, "description": description})
        ]
        assert "secret-token" not in caplog.text
