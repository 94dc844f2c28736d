"""REST declarations are checked when the API is built; the OpenAPI document is typed; the
docs page is self-contained; errors before any Firestore access are JSON (no emulator needed)."""

from __future__ import annotations

import enum

import pytest

import shared_models
from flask_boiler import fields, schema
from flask_boiler.domain_model import DomainModel
from flask_boiler.errors import ModelDefinitionError
from flask_boiler.rest import Change, RestOptions, Writes, create_api
from flask_boiler.rest.errors import error_body
from flask_boiler.rest.resource import compile_resource
from flask_boiler.views import ViewModel, owner, public, source


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


def make_view(name, path="unitRestRich/{thing_id}", keys=None, **rest):
    meta = type("Meta", (), {"schema_cls": RichSchema, "path": path, "access": public(), "rest": RestOptions(**rest)})
    body = {
        "Meta": meta,
        "thing_root": source(Thing, "unitRestThings/{thing_id}"),
        "compute": lambda self: {},
        "__module__": __name__,
    }
    if keys is not None:
        body["keys"] = staticmethod(keys)
    return type(name, (ViewModel,), body)


def per_user(thing):
    return [{"uid": "u1", "thing_id": thing.doc_id}]


RichView = make_view("RichView", writes=OpenWrites())


def test_flask_boiler_fields_are_typed_in_the_spec():
    spec = create_api([RichView]).extensions["flask_boiler.rest"]["spec"]
    props = spec["components"]["schemas"]["RichView"]["properties"]
    assert props["thing"]["type"] == "string" and "unitRestThings" in props["thing"]["description"]
    assert props["things"]["type"] == "array" and props["things"]["items"]["type"] == "string"
    assert props["spot"]["type"] == "object" and set(props["spot"]["required"]) == {"latitude", "longitude"}
    assert (props["blob"]["type"], props["blob"]["format"]) == ("string", "byte")
    assert (props["at"]["type"], props["at"]["format"]) == ("string", "date-time")
    assert set(props["color"]["enum"]) >= {"red", "blue"}
    assert props["counts"]["type"] == "object" and props["tags"]["items"]["type"] == "string"
    assert props["thingId"] == {"type": "string", "readOnly": True}


def test_example_spec_has_no_untyped_property():
    spec = create_api(shared_models.REST_VIEWS).extensions["flask_boiler.rest"]["spec"]
    for name, component in spec["components"]["schemas"].items():
        for prop_name, prop in component.get("properties", {}).items():
            assert "type" in prop or "$ref" in prop, f"{name}.{prop_name} is untyped"
    create = spec["components"]["schemas"]["MeetingAttendanceCreate"]
    assert create["required"] == ["uid"] and create["additionalProperties"] is False
    assert set(create["properties"]) == {"uid", "hearingAidRequested", "checkedIn"}
    card_post = spec["paths"]["/meetingCards"]["post"]
    assert card_post["security"] == [{"firebase": []}] and spec["paths"]["/meetingCards"]["get"]["security"] == []


def test_docs_page_is_self_contained():
    page = create_api(shared_models.REST_VIEWS).test_client().get("/docs").get_data(as_text=True)
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert "/meetings/{meeting_id}/attendees/{uid}" in page and "hearingAidRequested" in page


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(mode="computed", filters=("name",)), "stored"),
        (dict(mode="stored", filters=("spot",)), "cannot filter"),
        (dict(mode="stored", filters=("nope",)), "not a field"),
        (dict(writes=type("W", (Writes,), {"fields": ("nope",)})()), "unknown field"),
        (dict(writes=type("W", (Writes,), {"fields": ("name",), "required": ("at",)})()), "subset"),
    ],
)
def test_bad_declarations_fail_when_the_api_is_built(options, message):
    view = make_view(
        "Bad" + str(abs(hash(repr(options)))), path=f"unitRestBad{abs(hash(repr(options)))}/{{thing_id}}", **options
    )
    with pytest.raises(ModelDefinitionError, match=message):
        compile_resource(view)


def test_computed_lists_need_one_view_per_root():
    view = make_view("FanOut", path="unitRestFan/{uid}/things/{thing_id}", keys=per_user)
    with pytest.raises(ModelDefinitionError, match="list=False"):
        compile_resource(view)
    assert compile_resource(
        make_view("FanOutNoList", path="unitRestFan2/{uid}/things/{thing_id}", keys=per_user, list=False)
    )


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


def test_errors_before_firestore_are_json():
    client = create_api([RichView], max_body_bytes=1024).test_client()

    def error(response, status):
        assert response.status_code == status
        assert response.get_json() == error_body(
            status,
            response.get_json()["error"]["message"],
            response.get_json()["error"]["code"],
            response.get_json()["error"]["fields"],
        )
        return response.get_json()["error"]

    assert (
        error(client.post("/unitRestRich", data="{", content_type="application/json"), 400)["code"] == "malformed_json"
    )
    assert (
        error(client.post("/unitRestRich", data="x", content_type="text/plain"), 415)["code"]
        == "unsupported_media_type"
    )
    assert error(client.post("/unitRestRich", json={"name": "x" * 2000}), 413)["code"] == "payload_too_large"
    assert error(client.post("/unitRestRich", json={"name": 1, "color": "red"}), 400)["fields"] == {
        "name": ["Not a valid string."],
        "color": ["Unknown field."],
    }
    assert error(client.delete("/unitRestRich/x"), 405)["code"] == "method_not_allowed"
    assert error(client.get("/unitRestRich/x/y"), 404)["code"] == "not_found"
    assert error(client.get("/unitRestRich?limit=x&extra=1"), 400)["fields"].keys() == {"limit", "extra"}


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

    assert rest_options_of(OnRequest).mode == "computed"
