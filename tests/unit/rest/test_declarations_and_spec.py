"""REST declarations are checked when the API is built; the OpenAPI document is strict and
valid; the docs page is Swagger UI from the package (no emulator needed)."""

from __future__ import annotations

import enum
from pathlib import Path

import pytest
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate as validate_openapi

import shared_models
from flask_boiler import fields, schema
from flask_boiler.domain_model import DomainModel
from flask_boiler.errors import ModelDefinitionError
from flask_boiler.rest import Change, RestOptions, Writes, create_api
from flask_boiler.rest.errors import ERROR_CODES
from flask_boiler.rest.resource import compile_resource
from flask_boiler.views import ViewModel, owner, public, signed_in, source
from flask_boiler.views.access import Closed, access_of


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class ThingSchema(schema.Schema):
    name = fields.String(required=True)


class Thing(DomainModel):
    class Meta:
        collection_name = "unitRestThings"
        schema_cls = ThingSchema


class RichSchema(schema.Schema):
    class Meta:
        camel_case = True

    thing = fields.Reference(Thing)
    things = fields.Reference(Thing, many=True)
    spot = fields.GeoPoint()
    blob = fields.Bytes()
    at = fields.DateTime()
    color = fields.Enum(Color)
    tags = fields.List(fields.String())
    counts = fields.Dict(values=fields.Integer())
    name = fields.String()


class OpenWrites(Writes):
    fields = ("name",)

    def create(self, transaction, change: Change):  # pragma: no cover - never reached in unit tests
        raise AssertionError("no Firestore in unit tests")


PUBLIC = public()


def make_view(name, path="unitRestRich/{thing_id}", keys=None, access=PUBLIC, doc=None, **rest):
    declared = {"schema_cls": RichSchema, "path": path, "rest": RestOptions(**rest)}
    if access is not None:
        declared["access"] = access
    meta = type("Meta", (), declared)
    body = {
        "Meta": meta,
        "thing_root": source(Thing, "unitRestThings/{thing_id}"),
        "compute": lambda self: {},
        "__module__": __name__,
        "__doc__": doc,
    }
    if keys is not None:
        body["keys"] = staticmethod(keys)
    return type(name, (ViewModel,), body)


def per_user(thing):
    return [{"uid": "u1", "thing_id": thing.doc_id}]


RichView = make_view("RichView", writes=OpenWrites(), write_access=public(), list=True, doc="A rich view.")


def spec_of(views):
    return create_api(views).extensions["flask_boiler.rest"]["spec"]


EXAMPLE_SPEC = spec_of(shared_models.REST_VIEWS)


def resolve(spec, node):
    while isinstance(node, dict) and "$ref" in node:
        kind, name = node["$ref"].split("/")[-2:]
        node = spec["components"][kind][name]
    return node


def operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "patch", "delete", "put"):
                yield path, method, operation


# -- the document ------------------------------------------------------------------------------


def test_the_document_is_valid_openapi():
    validate_openapi(EXAMPLE_SPEC)
    validate_openapi(spec_of([RichView]))


def test_flask_boiler_fields_are_typed_in_the_spec():
    props = spec_of([RichView])["components"]["schemas"]["RichView"]["properties"]
    assert props["thing"]["type"] == "string" and "unitRestThings" in props["thing"]["description"]
    assert props["things"]["type"] == "array" and props["things"]["items"]["type"] == "string"
    assert props["spot"]["type"] == "object" and set(props["spot"]["required"]) == {"latitude", "longitude"}
    assert (props["blob"]["type"], props["blob"]["format"]) == ("string", "byte")
    assert (props["at"]["type"], props["at"]["format"]) == ("string", "date-time")
    assert set(props["color"]["enum"]) >= {"red", "blue"}
    assert props["counts"]["type"] == "object" and props["tags"]["items"]["type"] == "string"
    assert props["thingId"]["type"] == "string" and props["thingId"]["readOnly"] is True


def test_responses_are_strict_required_nullable_and_enums_come_from_the_schemas():
    card = EXAMPLE_SPEC["components"]["schemas"]["MeetingCard"]
    assert set(card["required"]) == {"meetingId", "title", "status", "locationName", "numAttendees"}
    assert card["additionalProperties"] is False
    assert "nullable" not in card["properties"]["title"] and card["properties"]["locationName"]["nullable"] is True
    assert card["properties"]["status"]["enum"] == ["open", "closed"]
    for name, component in EXAMPLE_SPEC["components"]["schemas"].items():
        for prop_name, prop in component.get("properties", {}).items():
            assert "type" in prop or "$ref" in prop, f"{name}.{prop_name} is untyped"


def test_request_bodies_accept_only_declared_fields():
    create = EXAMPLE_SPEC["components"]["schemas"]["MeetingAttendanceCreate"]
    assert create["required"] == ["uid"] and create["additionalProperties"] is False
    assert set(create["properties"]) == {"uid", "hearingAidRequested", "checkedIn"}
    assert create["properties"]["hearingAidRequested"] == {"type": "boolean"}
    counts = spec_of([RichView])["components"]["schemas"]["RichViewCreate"]
    assert set(counts["properties"]) == {"name"}


def test_errors_are_typed_per_status_with_no_catch_all():
    responses = EXAMPLE_SPEC["components"]["responses"]
    for _path, _method, operation in operations(EXAMPLE_SPEC):
        assert "default" not in operation["responses"]
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                body = resolve(EXAMPLE_SPEC, response)["content"]["application/json"]["schema"]
                detail = body["properties"]["error"]
                assert detail["required"] == ["code", "message", "fields"]
                assert detail["properties"]["code"]["enum"] == list(ERROR_CODES[int(status)])
                assert detail["properties"]["fields"]["additionalProperties"]["items"] == {"type": "string"}
    assert "Retry-After" in responses["SERVICE_UNAVAILABLE"]["headers"]
    assert "WWW-Authenticate" in responses["UNAUTHORIZED"]["headers"]


def test_security_is_declared_per_operation():
    by_id = {op["operationId"]: op for _p, _m, op in operations(EXAMPLE_SPEC)}
    assert by_id["getMeetingCard"]["security"] == [] and "401" not in by_id["getMeetingCard"]["responses"]
    assert by_id["createMeetingCard"]["security"] == [{"firebase": []}]
    assert {"401", "403"} <= set(by_id["createMeetingCard"]["responses"])
    assert by_id["getMeetingSession"]["security"] == [{"firebase": []}]
    assert EXAMPLE_SPEC["components"]["securitySchemes"]["firebase"]["scheme"] == "bearer"


def test_bounds_on_ids_limit_cursor_and_body():
    by_id = {op["operationId"]: (path, op) for path, _m, op in operations(EXAMPLE_SPEC)}
    path, listing = by_id["listMeetingSession"]
    path_params = EXAMPLE_SPEC["paths"][path]["parameters"]
    assert all(p["schema"]["maxLength"] == 1500 and p["schema"]["minLength"] == 1 for p in path_params)
    query = {p["name"]: p for p in listing["parameters"]}
    assert set(query) == {"limit", "cursor", "status"}
    assert (query["limit"]["schema"]["minimum"], query["limit"]["schema"]["maximum"]) == (1, 100)
    assert query["cursor"]["schema"]["maxLength"] == 4096
    _, create = by_id["createMeetingCard"]
    assert create["requestBody"]["x-max-body-bytes"] == 65536 and "413" in create["responses"]


def test_etags_and_preconditions_are_documented():
    by_id = {op["operationId"]: op for _p, _m, op in operations(EXAMPLE_SPEC)}
    get = by_id["getMeetingCard"]
    assert "ETag" in get["responses"]["200"]["headers"] and "304" in get["responses"]
    assert any(p["name"] == "If-None-Match" for p in get["parameters"])
    required = next(p for p in by_id["updateMeetingCard"]["parameters"] if p["name"] == "If-Match")
    assert required["required"] is True and {"412", "428"} <= set(by_id["updateMeetingCard"]["responses"])
    optional = next(p for p in by_id["deleteMeetingAttendance"]["parameters"] if p["name"] == "If-Match")
    assert optional["required"] is False and "428" not in by_id["deleteMeetingAttendance"]["responses"]


def test_servers_tags_descriptions_and_examples():
    assert EXAMPLE_SPEC["servers"] == [{"url": ".", "description": "This API (the function serving this document)"}]
    tags = {tag["name"]: tag.get("description", "") for tag in EXAMPLE_SPEC["tags"]}
    assert tags["MeetingCard"].startswith("The public face of a meeting")
    by_id = {op["operationId"]: op for _p, _m, op in operations(EXAMPLE_SPEC)}
    assert "Organizers manage meetings" in by_id["createMeetingCard"]["description"]
    assert by_id["getMeetingCard"]["summary"] == "Get one MeetingCard"
    assert "Public" in by_id["getMeetingCard"]["description"]
    for _path, _method, operation in operations(EXAMPLE_SPEC):
        bodies = [operation.get("requestBody"), *list(operation["responses"].values())]
        for body in bodies:
            media = (resolve(EXAMPLE_SPEC, body) or {}).get("content", {}).get("application/json")
            if media and not body.get("$ref"):
                assert "example" in media, operation["operationId"]
                schema = {**resolve(EXAMPLE_SPEC, media["schema"]), "components": EXAMPLE_SPEC["components"]}
                OAS30Validator(schema).validate(media["example"])


# -- the docs page -------------------------------------------------------------------------------


def test_docs_page_is_swagger_ui_served_from_the_package():
    client = create_api(shared_models.REST_VIEWS).test_client()
    page = client.get("/docs")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "http://" not in text and "https://" not in text  # nothing from a CDN
    assert 'src="docs/swagger-ui-bundle.js"' in text
    bundle = client.get("/docs/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and b"SwaggerUIBundle" in bundle.get_data()
    assert 'url: "openapi.json"' in client.get("/docs/initializer.js").get_data(as_text=True)
    assert client.get("/docs/swagger-ui.css").status_code == 200
    missing = client.get("/docs/index.html")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"


# -- declarations --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(mode="computed", list=True, filters=("name",)), "stored"),
        (dict(mode="stored", list=True, filters=("spot",)), "cannot filter"),
        (dict(mode="stored", list=True, filters=("nope",)), "not a field"),
        (dict(mode="stored", filters=("name",)), "list=True"),
        (dict(writes=type("W", (Writes,), {"fields": ("nope",)})(), write_access=signed_in()), "unknown field"),
        (
            dict(writes=type("W", (Writes,), {"fields": ("name",), "required": ("at",)})(), write_access=signed_in()),
            "subset",
        ),
        (dict(writes=OpenWrites()), "say who may write"),
    ],
)
def test_bad_declarations_fail_when_the_api_is_built(options, message):
    suffix = abs(hash(repr(options)))
    view = make_view(f"Bad{suffix}", path=f"unitRestBad{suffix}/{{thing_id}}", **options)
    with pytest.raises(ModelDefinitionError, match=message):
        compile_resource(view)


def test_computed_lists_need_one_view_per_root():
    view = make_view("FanOut", path="unitRestFan/{uid}/things/{thing_id}", keys=per_user, list=True)
    with pytest.raises(ModelDefinitionError, match="list=True"):
        compile_resource(view)
    assert compile_resource(make_view("FanOutNoList", path="unitRestFan2/{uid}/things/{thing_id}", keys=per_user))


def test_a_list_of_owner_keyed_views_is_refused():
    view = make_view("Inboxes", path="unitRestInbox/{thing_id}", access=owner("thing_id"), list=True)
    with pytest.raises(ModelDefinitionError, match="caller's own view"):
        compile_resource(view)


def test_the_api_s_own_urls_are_reserved():
    view = make_view("Docs", path="docs/{thing_id}")
    with pytest.raises(ModelDefinitionError, match="API's own URL"):
        create_api([view])


def test_owner_create_needs_client_ids():
    class OwnerWrites(Writes):
        fields = ("name",)

        def create(self, transaction, change):  # pragma: no cover
            return None

    view = make_view(
        "OwnedThing", path="unitRestOwned/{thing_id}", writes=OwnerWrites(), write_access=owner("thing_id")
    )
    with pytest.raises(ModelDefinitionError, match="client_ids"):
        compile_resource(view)


def test_rest_options_validate_themselves():
    with pytest.raises(ModelDefinitionError):
        RestOptions(mode="cached")
    with pytest.raises(ModelDefinitionError):
        RestOptions(page_size=0)
    with pytest.raises(ModelDefinitionError):
        RestOptions(filters="status")
    with pytest.raises(ModelDefinitionError):
        RestOptions(list="yes")


# -- secure defaults -----------------------------------------------------------------------------


def test_no_declared_access_means_closed_and_no_list_means_no_list():
    Undeclared = make_view("Undeclared", path="unitRestUndeclared/{thing_id}", access=None)  # declares nothing
    assert isinstance(access_of(Undeclared), Closed)
    resource = compile_resource(Undeclared)
    assert resource.read_access.requires_sign_in and not resource.read_access.allows({"uid": "u"}, {})
    assert not resource.supports("list")
    client = create_api([Undeclared]).test_client()
    refused = client.get("/unitRestUndeclared/x")
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "unauthenticated"
    listing = client.get("/unitRestUndeclared")
    assert listing.status_code == 404 and listing.get_json()["error"]["code"] == "not_found"


def test_flask_as_view_defaults_to_computed_rest_and_the_original_names_import():
    import flask_boiler
    from flask_boiler import DocumentAsView, FlaskAsView, ViewModel
    from flask_boiler.rest import rest_options_of

    assert DocumentAsView is ViewModel and issubclass(FlaskAsView, ViewModel)
    assert flask_boiler.source is flask_boiler.views.source

    class OnRequest(FlaskAsView):
        class Meta:
            schema_cls = ThingSchema
            path = "unitOnRequest/{thing_id}"

        thing = source(Thing, "unitRestThings/{thing_id}")

        def compute(self):
            return {"name": self.thing.name}

    assert rest_options_of(OnRequest).mode == "computed" and rest_options_of(OnRequest).list is False


def test_committed_readme_names_every_error_code():
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    for codes in ERROR_CODES.values():
        for code in codes:
            assert f"`{code}`" in readme, code
