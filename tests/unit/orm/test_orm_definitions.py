"""One definition per primitive: stored keys, Meta lookup, the commit limit, per-item errors."""

from __future__ import annotations

import marshmallow
import pytest

from flask_boiler import batch, fields, schema
from flask_boiler.models import limits
from flask_boiler.models.options import meta_option
from flask_boiler.models.serialization import convert_all, convert_each


class KeysSchema(schema.Schema):
    class Meta:
        camel_case = True

    created_at = fields.DateTime()
    owner_id = fields.String(data_key="owner")
    plain = fields.Integer()


class PlainKeysSchema(marshmallow.Schema):
    created_at = fields.DateTime()


def test_stored_keys_agree_for_declared_and_bound_fields():
    expected = {"created_at": "createdAt", "owner_id": "owner", "plain": "plain"}
    assert schema.stored_keys(KeysSchema) == expected  # from the class, without binding
    assert schema.stored_keys(KeysSchema()) == expected  # bound: data_key set by the same rule
    assert {name: schema.stored_key(name, field) for name, field in KeysSchema().fields.items()} == expected
    assert schema.stored_keys(PlainKeysSchema) == {"created_at": "created_at"}


def test_meta_option_is_the_nearest_setting_in_the_mro():
    class Base:
        class Meta:
            rest = "base"
            access = "open"

    class Child(Base):
        class Meta:
            rest = None  # switches the base's option off

    class GrandChild(Child):
        pass

    assert meta_option(GrandChild, "rest", "default") is None
    assert meta_option(GrandChild, "access") == "open"
    assert meta_option(GrandChild, "access", inherit=False) is None
    assert meta_option(GrandChild, "missing", "default") == "default"


def test_one_commit_limit():
    assert batch.MAX_WRITES_PER_COMMIT is limits.MAX_WRITES_PER_COMMIT == 500


def test_per_item_errors_are_collected_by_key():
    def positive(value):
        if value <= 0:
            raise marshmallow.ValidationError("Must be positive.")
        return value * 2

    converted, errors = convert_each(enumerate([1, -1, 2, 0]), positive)
    assert converted == [(0, 2), (2, 4)]
    assert errors == {1: ["Must be positive."], 3: ["Must be positive."]}
    with pytest.raises(marshmallow.ValidationError) as info:
        convert_all({"a": 1, "b": -5}.items(), positive)
    assert info.value.messages == {"b": ["Must be positive."]}
