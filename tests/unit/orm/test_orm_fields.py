"""Field conversions (Python <-> stored) without Firestore."""

from __future__ import annotations

import datetime as dt
import enum

import marshmallow
import pytest
from google.api_core.datetime_helpers import DatetimeWithNanoseconds
from google.cloud import firestore

from flask_boiler import fields, schema
from flask_boiler.errors import ModelDefinitionError


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


def test_load_from_and_dump_to_become_data_key():
    field = fields.Raw(load_from="intA", dump_to="intA")
    assert field.data_key == "intA"
    assert fields.Integer(dump_to="n").data_key == "n"


def test_load_from_and_dump_to_must_agree():
    with pytest.raises(ModelDefinitionError, match="intA"):
        fields.Raw(load_from="intA", dump_to="int_a")


def test_marshmallow2_missing_and_default_keywords():
    field = fields.Integer(missing=3, default=4)
    assert field.load_default == 3
    assert field.dump_default == 4


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        (fields.Integer(), "3"),
        (fields.Integer(), True),
        (fields.Integer(), 1.5),
        (fields.Float(), "1.0"),
        (fields.Float(), False),
        (fields.String(), 5),
        (fields.Boolean(), 1),
        (fields.DateTime(), "2024-01-01T00:00:00+00:00"),
        (fields.Enum(Color), "red"),
        (fields.Bytes(), "abc"),
        (fields.GeoPoint(), (100.0, 0.0)),
        (fields.List(fields.Integer()), (1, "2")),
        (fields.Dict(values=fields.Integer()), {"a": "x"}),
    ],
)
def test_to_storage_rejects_wrong_types(field, bad):
    with pytest.raises(marshmallow.ValidationError):
        field.to_storage(bad)


def test_to_storage_converts_to_firestore_values():
    when = dt.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert fields.Integer().to_storage(7) == 7
    assert fields.Float().to_storage(2) == 2.0 and isinstance(fields.Float().to_storage(2), float)
    assert fields.DateTime().to_storage(when) is when
    assert fields.Enum(Color).to_storage(Color.BLUE) == "blue"
    assert fields.Enum(Color, by_value=False).to_storage(Color.BLUE) == "BLUE"
    assert fields.Bytes().to_storage(bytearray(b"\x00\x01")) == b"\x00\x01"
    point = fields.GeoPoint().to_storage((1.5, -2.5))
    assert isinstance(point, firestore.GeoPoint) and (point.latitude, point.longitude) == (1.5, -2.5)
    assert fields.List(fields.Enum(Color)).to_storage([Color.RED]) == ["red"]
    assert fields.Dict(values=fields.Enum(Color)).to_storage({"x": Color.RED}) == {"x": "red"}


def test_naive_datetime_rejected_both_ways():
    field = fields.DateTime()
    with pytest.raises(marshmallow.ValidationError, match="Naive"):
        field.to_storage(dt.datetime(2024, 1, 1))
    with pytest.raises(marshmallow.ValidationError, match="Naive"):
        field.deserialize(dt.datetime(2024, 1, 1))
    with pytest.raises(marshmallow.ValidationError, match="Naive"):
        field.deserialize("2024-01-01T00:00:00")


def test_datetime_loads_as_plain_aware_datetime_with_microseconds():
    stored = DatetimeWithNanoseconds(2024, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC)
    loaded = fields.DateTime().deserialize(stored)
    assert type(loaded) is dt.datetime
    assert loaded == dt.datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC)
    assert fields.DateTime().deserialize("2024-01-02T03:04:05.678901+01:00").utcoffset() == dt.timedelta(hours=1)


def test_enum_loads_by_value_and_rejects_unknown():
    assert fields.Enum(Color).deserialize("red") is Color.RED
    with pytest.raises(marshmallow.ValidationError):
        fields.Enum(Color).deserialize("green")


@pytest.mark.parametrize(
    ("field", "server_value"),
    [
        (fields.DateTime(), firestore.SERVER_TIMESTAMP),
        (fields.Raw(), firestore.SERVER_TIMESTAMP),
        (fields.Integer(validate=marshmallow.validate.Range(min=100)), firestore.Increment(2)),
        (fields.Float(), firestore.Maximum(2.5)),
        (fields.List(fields.String()), firestore.ArrayUnion(["a"])),
        (fields.List(fields.String()), firestore.ArrayRemove(["b"])),
        (fields.Integer(), firestore.DELETE_FIELD),
    ],
)
def test_server_values_are_checked_by_the_field_and_skip_validators(field, server_value):
    stored = field.to_storage(server_value)
    assert type(stored) is type(server_value)
    assert field.deserialize(server_value) is server_value  # validators never see what Firestore computes


@pytest.mark.parametrize(
    ("field", "server_value"),
    [
        (fields.Integer(), firestore.SERVER_TIMESTAMP),  # a timestamp is not an integer
        (fields.Integer(), firestore.Increment(1.5)),  # would make the integer a double
        (fields.Integer(), firestore.Increment(True)),
        (fields.String(), firestore.Increment(1)),
        (fields.String(), firestore.ArrayUnion(["a"])),  # not an array field
        (fields.List(fields.Integer()), firestore.ArrayUnion([1, "2"])),  # elements follow the inner rule
        (fields.Integer(required=True), firestore.DELETE_FIELD),
    ],
)
def test_server_values_that_break_the_field_rule_are_refused(field, server_value):
    with pytest.raises(marshmallow.ValidationError):
        field.to_storage(server_value)


def test_array_union_elements_are_converted_like_list_elements():
    stored = fields.List(fields.Enum(Color)).to_storage(firestore.ArrayUnion([Color.RED]))
    assert stored.values == ["red"]


def test_list_errors_name_the_bad_index():
    with pytest.raises(marshmallow.ValidationError) as info:
        fields.List(fields.Integer()).to_storage([1, "x", 3, "y"])
    assert set(info.value.messages) == {1, 3}


def test_optional_fields_accept_none_required_do_not():
    assert fields.Integer().deserialize(None) is None
    with pytest.raises(marshmallow.ValidationError):
        fields.Integer(required=True).deserialize(None)


def test_bytes_accepts_base64_on_load():
    assert fields.Bytes().deserialize("AAE=") == b"\x00\x01"
    with pytest.raises(marshmallow.ValidationError):
        fields.Bytes().deserialize("%%%")


@pytest.mark.parametrize(
    ("name", "expected"),
    [("int_a", "intA"), ("created_at_utc", "createdAtUtc"), ("name", "name"), ("_private", "_private"), ("a__b", "aB")],
)
def test_camelize(name, expected):
    assert schema.camelize(name) == expected


def test_camel_case_schema_option():
    class S(schema.Schema):
        class Meta:
            camel_case = True

        first_name = fields.String()
        last_name = fields.String(data_key="surname")

    bound = S().fields
    assert bound["first_name"].data_key == "firstName"
    assert bound["last_name"].data_key == "surname"
