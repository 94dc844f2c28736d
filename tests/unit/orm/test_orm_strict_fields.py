"""One rule per field type, the same for saving (to_storage) and loading (deserialize).

Each row of the table in ``flask_boiler/fields.py`` is checked in both directions, plus
the model-level entry points (``from_dict`` and ``validate``/``save``'s checks).
"""

from __future__ import annotations

import datetime as dt
import enum
import math

import marshmallow
import pytest
from google.cloud import firestore

from flask_boiler import fields, schema
from flask_boiler.domain_model import DomainModel
from flask_boiler.errors import EncodingError, ModelDefinitionError, ValidationError
from tests.ids import stable_id

UTC = dt.UTC


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Shade(enum.Enum):
    DARK = "dark"
    LIGHT = "light"


def _both_ways(field: marshmallow.fields.Field, value):
    """(stored, loaded) or the ValidationError each direction raised."""
    results = []
    for convert in (field.to_storage, field.deserialize):
        try:
            results.append(convert(value))
        except marshmallow.ValidationError as exc:
            results.append(exc)
    return results


REJECTED = [
    # field, value that breaks its rule in both directions
    (fields.String(), b"bytes"),
    (fields.String(), 5),
    (fields.Integer(), True),
    (fields.Integer(), False),
    (fields.Integer(), 1.0),
    (fields.Integer(), "3"),
    (fields.Integer(), 2**63),
    (fields.Integer(), -(2**63) - 1),
    (fields.Float(), "1.5"),
    (fields.Float(), True),
    (fields.Float(), float("nan")),
    (fields.Float(), float("inf")),
    (fields.Float(), -float("inf")),
    (fields.Float(), 2**53 + 1),  # no double holds it exactly
    (fields.Float(), 10**400),
    (fields.Boolean(), "no"),
    (fields.Boolean(), "false"),
    (fields.Boolean(), "true"),
    (fields.Boolean(), 1),
    (fields.Boolean(), 0),
    (fields.Raw(), (1, 2)),
    (fields.Raw(), {1, 2}),
    (fields.Raw(), dt.datetime(2024, 1, 1)),  # naive
    (fields.Raw(), Shade.DARK),
    (fields.Raw(), object()),
    (fields.Raw(), {"a": [(1,)]}),
    (fields.Raw(), bytearray(b"x")),
    (fields.List(fields.Integer()), [1, "2"]),
    (fields.List(fields.Integer()), {"a": 1}),
    (fields.List(fields.Integer()), "12"),
    (fields.Dict(values=fields.Integer()), {"a": "x"}),
    (fields.Dict(values=fields.Integer()), {1: 1}),
    (fields.Dict(), {"a": object()}),
    (fields.DateTime(), dt.datetime(2024, 1, 1)),  # naive
    (fields.DateTime(), dt.date(2024, 1, 1)),
    (fields.DateTime(), dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1)))),  # before year 1 UTC
    (fields.DateTime(), 1_700_000_000),
    (fields.Enum(Level), True),  # True == 1, but it is not the stored type
    (fields.Enum(Level), 1.0),
    (fields.Enum(Level), 3),
    (fields.Enum(Shade), "DARK"),
    (fields.GeoPoint(), (91.0, 0.0)),
    (fields.GeoPoint(), (float("nan"), 0.0)),
    (fields.GeoPoint(), (True, 0.0)),
    (fields.GeoPoint(), ("1", "2")),
    (fields.GeoPoint(), (1.0, 2.0, 3.0)),
    (fields.Bytes(), 5),
    (fields.Bytes(), "%%%"),
]


@pytest.mark.parametrize(("field", "value"), REJECTED, ids=stable_id)
def test_a_value_outside_the_rule_is_refused_both_ways(field, value):
    stored, loaded = _both_ways(field, value)
    assert isinstance(loaded, marshmallow.ValidationError), f"loaded {value!r} as {loaded!r}"
    assert isinstance(stored, marshmallow.ValidationError), f"stored {value!r} as {stored!r}"


ACCEPTED = [
    # field, Python value, stored value
    (fields.String(), "héllo\x00", "héllo\x00"),
    (fields.Integer(), 2**63 - 1, 2**63 - 1),
    (fields.Integer(), -(2**63), -(2**63)),
    (fields.Float(), 1.5, 1.5),
    (fields.Float(), 3, 3.0),
    (fields.Float(), 2**53, float(2**53)),
    (fields.Float(), -0.0, -0.0),
    (fields.Boolean(), False, False),
    (fields.Raw(), {"a": [1, "x", None, {"b": 2.5}]}, {"a": [1, "x", None, {"b": 2.5}]}),
    (fields.List(fields.String()), ["a", "b"], ["a", "b"]),
    (fields.Dict(values=fields.Integer()), {"a": 1}, {"a": 1}),
    (
        fields.DateTime(),
        dt.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC),
        dt.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC),
    ),
    (fields.Enum(Level), Level.HIGH, 2),
    (fields.Enum(Shade, by_value=False), Shade.DARK, "DARK"),
    (fields.Bytes(), b"\x00\xff", b"\x00\xff"),
]


@pytest.mark.parametrize(("field", "value", "stored"), ACCEPTED, ids=stable_id)
def test_a_valid_value_is_stored_and_loads_back(field, value, stored):
    assert field.to_storage(value) == stored
    assert type(field.to_storage(value)) is type(stored)
    loaded = field.deserialize(stored)
    assert loaded == value
    if isinstance(value, float):
        assert math.copysign(1, loaded) == math.copysign(1, value)


def test_non_finite_floats_need_allow_nan_and_then_round_trip():
    field = fields.Float(allow_nan=True)
    assert math.isnan(field.deserialize(field.to_storage(float("nan"))))
    assert field.deserialize(field.to_storage(float("-inf"))) == float("-inf")


def test_text_forms_are_accepted_on_load_only_for_types_json_lacks():
    assert fields.DateTime().deserialize("2024-01-02T03:04:05+01:00") == dt.datetime(2024, 1, 2, 2, 4, 5, tzinfo=UTC)
    assert fields.Bytes().deserialize("AAE=") == b"\x00\x01"
    point = fields.GeoPoint().deserialize({"latitude": 1.5, "longitude": -2})
    assert (point.latitude, point.longitude) == (1.5, -2.0)
    with pytest.raises(marshmallow.ValidationError):
        fields.DateTime().deserialize("2024-01-02T03:04:05")  # no offset: which instant?
    with pytest.raises(marshmallow.ValidationError):
        fields.DateTime().to_storage("2024-01-02T03:04:05+01:00")  # attributes hold datetimes


def test_arrays_cannot_directly_hold_arrays():
    with pytest.raises(ModelDefinitionError, match="arrays"):
        fields.List(fields.List(fields.Integer()))
    with pytest.raises(ModelDefinitionError):
        fields.List(fields.Reference(many=True))


def test_enum_values_must_be_storable_scalars():
    class Bad(enum.Enum):
        A = (1, 2)

    with pytest.raises(ModelDefinitionError, match="storable"):
        fields.Enum(Bad)


class FlagsSchema(schema.Schema):
    available = fields.Boolean()
    ratio = fields.Float()
    count = fields.Integer()
    title = fields.String()


class Flags(DomainModel):
    class Meta:
        collection_name = "flags"
        schema_cls = FlagsSchema


def test_lone_surrogates_are_an_encoding_error_naming_the_field_both_ways():
    with pytest.raises(EncodingError) as info:
        Flags.from_dict({"title": "a\ud800b"})
    assert info.value.fields == ["title"]
    with pytest.raises(EncodingError) as info:
        Flags.new(title="a\udc80").validate()
    assert info.value.fields == ["title"] and "index 1" in info.value.errors["title"][0]


def test_validation_error_is_marshmallows_too():
    with pytest.raises(marshmallow.ValidationError) as info:
        Flags.from_dict({"count": "3"})
    assert isinstance(info.value, ValidationError)
    assert info.value.messages == info.value.errors == {"count": ["Not a valid integer."]}


def test_server_values_in_models_follow_the_field():
    with pytest.raises(ValidationError) as info:
        Flags.new(count=firestore.Increment(0.5)).validate()
    assert info.value.fields == ["count"]
    Flags.new(count=firestore.Increment(2), ratio=firestore.Increment(1)).validate()
