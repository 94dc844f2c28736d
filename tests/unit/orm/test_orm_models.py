"""Model declaration, defaults, validation and query translation without Firestore."""

from __future__ import annotations

import datetime as dt
import enum
import subprocess
import sys

import pytest
from marshmallow import ValidationError as MaValidationError
from marshmallow import validate, validates_schema

from flask_boiler import fields, schema
from flask_boiler.domain_model import DomainModel
from flask_boiler.errors import ModelDefinitionError, QueryError, UnknownFieldError, ValidationError
from flask_boiler.factory import ClsFactory
from flask_boiler.models import EmbeddedModel
from flask_boiler.primary_object import PrimaryObject
from flask_boiler.query import Filter, Or, resolve_attribute


class Status(enum.Enum):
    OPEN = "open"
    CLOSED = "closed"


class AddressSchema(schema.Schema):
    city = fields.String(required=True)
    zip_code = fields.String(data_key="zip")


class Address(EmbeddedModel):
    city: str
    zip_code: str | None

    class Meta:
        schema_cls = AddressSchema


class PersonSchema(schema.Schema):
    name = fields.String(required=True, validate=validate.Length(min=2))
    age = fields.Integer(validate=validate.Range(min=0))
    status = fields.Enum(Status, load_default=Status.OPEN)
    tags = fields.List(fields.String(), load_default=list)
    address = fields.Nested(Address)
    extra = fields.Dict()
    born_at = fields.DateTime()


class Person(DomainModel):
    name: str
    age: int | None

    class Meta:
        collection_name = "people"
        schema_cls = PersonSchema
        camel_case = True


def test_create_fills_defaults_and_auto_id():
    person = Person.create()
    assert person.status is Status.OPEN
    assert person.tags == [] and person.tags is not Person.create().tags
    assert person.age is None
    assert len(person.doc_id) == 20
    assert person.doc_path == f"people/{person.doc_id}"
    assert Person.create(doc_id="p1").doc_path == "people/p1"


def test_new_sets_values_and_rejects_unknown_names():
    person = Person.new(doc_id="p1", name="Ada", age=36)
    assert (person.name, person.age) == ("Ada", 36)
    with pytest.raises(UnknownFieldError, match="nmae"):
        Person.new(nmae="typo")
    with pytest.raises(UnknownFieldError):
        person.nmae = "typo"


def test_validation_lists_every_bad_field_by_attribute_name():
    person = Person.new(
        name="A",  # too short
        age="old",  # wrong type
        born_at=dt.datetime(2000, 1, 1),  # naive
        address=Address(city=None, zip_code=5),  # required missing + wrong type inside
        tags=["ok", 3],
    )
    with pytest.raises(ValidationError) as info:
        person.validate()
    errors = info.value.errors
    assert set(errors) == {"name", "age", "born_at", "address", "tags"}
    assert set(errors["address"]) == {"city", "zip_code"}
    assert errors["tags"] == {1: ["Not a valid string."]}
    assert info.value.fields == ["address", "age", "born_at", "name", "tags"]


def test_missing_required_field_is_reported():
    with pytest.raises(ValidationError) as info:
        Person.create().validate()
    assert info.value.errors == {"name": ["Missing data for required field."]}


def test_schema_level_validators_run():
    class RangeSchema(schema.Schema):
        low = fields.Integer()
        high = fields.Integer()

        @validates_schema
        def ordered(self, data, **kwargs):
            if data.get("low") is not None and data.get("high") is not None and data["low"] > data["high"]:
                raise MaValidationError("low must not exceed high", "low")

    Range = ClsFactory.create(name="Range", schema=RangeSchema, base=PrimaryObject)
    with pytest.raises(ValidationError) as info:
        Range.new(low=5, high=1).validate()
    assert info.value.errors == {"low": ["low must not exceed high"]}


def test_to_dict_uses_stored_keys_camel_case_and_nested_keys():
    person = Person.new(doc_id="p1", name="Ada", address={"city": "London", "zip_code": "N1"}, status=Status.CLOSED)
    stored = person.to_dict()
    assert stored == {
        "name": "Ada",
        "age": None,
        "status": "closed",
        "tags": [],
        "address": {"city": "London", "zip": "N1"},
        "extra": None,
        "bornAt": None,
    }
    again = Person.from_dict(stored, doc_id="p1")
    assert again.address == Address(city="London", zip_code="N1")
    assert again.status is Status.CLOSED


def test_from_dict_keeps_unknown_keys():
    person = Person.from_dict({"name": "Ada", "legacyScore": 7})
    assert person.to_dict()["legacyScore"] == 7


def test_seed_factory_defaults_collection_to_class_name():
    class TestObjectSchema(schema.Schema):
        int_a = fields.Raw(load_from="intA", dump_to="intA")
        int_b = fields.Raw(load_from="intB", dump_to="intB")

    TestObject = ClsFactory.create(name="TestObject", schema=TestObjectSchema, base=PrimaryObject)
    obj = TestObject.create(doc_id="testObjId1")
    obj.int_a, obj.int_b = 1, 2
    assert obj.doc_path == "TestObject/testObjId1"
    assert obj.to_dict() == {"intA": 1, "intB": 2}


def test_declaration_errors():
    class S(schema.Schema):
        save = fields.String()

    with pytest.raises(ModelDefinitionError, match="save"):
        ClsFactory.create(name="Clash", schema=S, base=PrimaryObject)

    class T(schema.Schema):
        a = fields.String(data_key="x")
        b = fields.String(data_key="x")

    with pytest.raises(ModelDefinitionError, match="both stored"):
        ClsFactory.create(name="Dup", schema=T, base=PrimaryObject)

    with pytest.raises(ModelDefinitionError, match="nmae"):

        class Typo(DomainModel):
            nmae: str

            class Meta:
                schema_cls = PersonSchema


def test_abstract_bases_cannot_be_instantiated():
    with pytest.raises(TypeError):
        PrimaryObject.create()


def test_subcollection_models_expose_path_params():
    class TicketSchema(schema.Schema):
        title = fields.String()

    class Ticket(DomainModel):
        class Meta:
            path = "users/{uid}/tickets/{ticket_id}"
            schema_cls = TicketSchema

    ticket = Ticket.create(uid="u1", ticket_id="t1", title="hi")
    assert (ticket.uid, ticket.ticket_id, ticket.doc_id) == ("u1", "t1", "t1")
    assert ticket.doc_path == "users/u1/tickets/t1"
    assert ticket.path_params == {"uid": "u1", "ticket_id": "t1"}
    with pytest.raises(AttributeError):
        ticket.uid = "u2"
    from flask_boiler.errors import PathError

    with pytest.raises(PathError):
        Ticket.create(title="no parent")
    with pytest.raises(PathError, match="uid"):
        Ticket.where(title="x")


def test_resolve_attribute_translates_to_stored_paths():
    assert resolve_attribute(Person, "born_at")[0] == "bornAt"
    assert resolve_attribute(Person, "address.zip_code")[0] == "address.zip"
    assert resolve_attribute(Person, "extra.any-key")[0] == "extra.`any-key`"
    assert resolve_attribute(Person, "doc_id")[0] == "__name__"
    for bad in ("nope", "address.nope", "age.x"):
        with pytest.raises(UnknownFieldError):
            resolve_attribute(Person, bad)


def test_queries_reject_unknown_names_and_operators_immediately():
    with pytest.raises(UnknownFieldError):
        Person.where("nmae", "==", "x")
    with pytest.raises(UnknownFieldError):
        Person.where(nmae="x")
    with pytest.raises(UnknownFieldError):
        Person.where(Or(Filter("name", "==", "x"), ("agee", ">", 3)))
    with pytest.raises(UnknownFieldError):
        Person.query().order_by("nope")
    with pytest.raises(QueryError):
        Person.where("age", "~=", 3)
    with pytest.raises(QueryError):
        Person.where("age", "in", 3)
    with pytest.raises(ValidationError):
        Person.where("age", "==", "three")


def test_import_is_lazy_and_public_names_resolve():
    code = (
        "import sys, flask_boiler;"
        "heavy = [m for m in ('google.cloud.firestore', 'marshmallow', 'firebase_admin') if m in sys.modules];"
        "assert not heavy, heavy;"
        "from flask_boiler import schema, fields, context, config, PrimaryObject, DomainModel, ValidationError;"
        "import flask_boiler.fields;"
        "assert 'google.cloud.firestore' not in sys.modules, 'fields imported firestore';"
        "print('ok')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
