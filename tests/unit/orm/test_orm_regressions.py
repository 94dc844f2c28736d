"""Regression tests for the ORM defects of issues 12 and 13; each fails on the code before the fix.

They use only names that existed before (``flask_boiler.errors`` is reached as a module, so
a missing error type fails the one test that needs it), so the file runs against either version.
"""

from __future__ import annotations

import math

import pytest

from flask_boiler import errors, fields, schema
from flask_boiler.domain_model import DomainModel


class FlagsSchema(schema.Schema):
    available = fields.Boolean()
    ratio = fields.Float()
    title = fields.String()
    body = fields.Raw()


class RegressionFlags(DomainModel):
    class Meta:
        collection_name = "regressionFlags"
        schema_cls = FlagsSchema


@pytest.mark.parametrize("value", ["no", "false", "0", 1, 0])
def test_boolean_does_not_load_strings_or_numbers(value):
    """Issue 12: ``from_dict({"available": "no"})`` loaded False (and ``save()`` stored it)."""
    with pytest.raises(errors.ValidationError) as info:
        RegressionFlags.from_dict({"available": value})
    assert info.value.fields == ["available"]


def test_float_does_not_load_numeric_strings():
    """Issue 12: a Float accepted ``"1.5"``."""
    with pytest.raises(errors.ValidationError) as info:
        RegressionFlags.from_dict({"ratio": "1.5"})
    assert info.value.fields == ["ratio"]


def test_float_does_not_store_what_it_cannot_load():
    """``to_dict()`` (what view triggers write) stored NaN, which no load accepts: an unloadable document."""
    with pytest.raises(errors.ValidationError) as info:
        RegressionFlags.new(ratio=math.nan).to_dict()
    assert info.value.fields == ["ratio"]


def test_type_field_may_not_be_a_camel_case_fields_stored_key():
    """Issue 12/13: ``Meta.type_field="myType"`` beside camelCase ``my_type`` was accepted; saving overwrote it."""

    class TypedSchema(schema.Schema):
        class Meta:
            camel_case = True

        my_type = fields.String()

    with pytest.raises(errors.ModelDefinitionError, match="myType"):

        class Typed(DomainModel):
            class Meta:
                collection_name = "typed"
                schema_cls = TypedSchema
                type_field = "myType"


def test_type_field_collision_through_a_model_level_camel_case_option():
    class PlainSchema(schema.Schema):
        my_type = fields.String()

    with pytest.raises(errors.ModelDefinitionError, match="myType"):

        class Typed(DomainModel):
            class Meta:
                collection_name = "typed"
                schema_cls = PlainSchema
                camel_case = True
                type_field = "myType"


def test_lone_surrogate_is_a_typed_error_before_sending():
    """Issue 12: a lone surrogate surfaced as protobuf's ``UnicodeEncodeError`` at write time."""
    with pytest.raises(errors.EncodingError) as info:
        RegressionFlags.new(title="x\ud800").validate()
    assert info.value.fields == ["title"]


def test_document_over_one_mib_is_a_typed_error_before_sending():
    """Issue 12: a document over 1 MiB surfaced as a raw ``InvalidArgument`` from Firestore."""
    obj = RegressionFlags.new(body={"a": "x" * 600_000, "b": "y" * 600_000})
    with pytest.raises(errors.StorageLimitError) as info:
        obj.validate()
    assert info.value.fields == ["body"]
    assert "1,048,576" in info.value.errors["body"][0]


def test_a_bare_model_name_defined_twice_is_ambiguous():
    """Issue 13: ``Reference("Name")`` silently resolved to the last class registered under that name."""
    from flask_boiler.models import registry

    with registry.isolated_registry():
        first = type("Twice", (), {"__module__": "app_one"})
        second = type("Twice", (), {"__module__": "app_two"})
        registry.register_model(first)
        registry.register_model(second)
        with pytest.raises(errors.ModelDefinitionError, match="ambiguous"):
            registry.resolve_model("Twice")
        assert registry.resolve_model("app_two.Twice") is second
