"""Properties of every field type, on the Firestore emulator (hypothesis).

* Any valid value round-trips exactly: ``save()`` then ``get()`` gives it back (type
  included: ``1`` never comes back as ``1.0`` or ``True``; ``-0.0`` keeps its sign), and
  saving the loaded object again stores the same document.
* Any invalid value raises a typed error naming the field from ``save()`` and from
  ``from_dict()``, and nothing is written (read back through the emulator); a document
  holding such a value, written by someone else, fails to load, naming the field.

Each hypothesis example is a *list* of values, written with one batch commit and read
back with one ``get_all`` (the first also through plain ``save()``/``get()``), so a few
hundred values per type cost a few dozen emulator round trips. Examples are derandomized
(the same ones on every run, no example database), so CI is deterministic.
"""

from __future__ import annotations

import datetime as dt
import enum
import itertools
import math
import re
from typing import Any

import pytest
from google.cloud import firestore
from google.cloud.firestore_v1.base_document import BaseDocumentReference
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flask_boiler import fields, schema
from flask_boiler.context import Context
from flask_boiler.domain_model import DomainModel
from flask_boiler.errors import ValidationError
from flask_boiler.models import DocumentModel, EmbeddedModel, Model, limits

pytestmark = pytest.mark.emulators

SETTINGS = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
_ids = itertools.count()


# -- models -------------------------------------------------------------------------------------


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class TargetSchema(schema.Schema):
    name = fields.String()


class PropTarget(DomainModel):
    class Meta:
        collection_name = "propTargets"
        schema_cls = TargetSchema


class AddressSchema(schema.Schema):
    city = fields.String(required=True)
    zip_code = fields.String(data_key="zip")
    floor = fields.Integer()


class PropAddress(EmbeddedModel):
    class Meta:
        schema_cls = AddressSchema


def _model(name: str, field: fields.Field) -> type[DomainModel]:
    schema_cls = type(f"Prop{name}Schema", (schema.Schema,), {"value": field})
    meta = type("Meta", (), {"collection_name": f"prop{name}", "schema_cls": schema_cls})
    return type(f"Prop{name}", (DomainModel,), {"Meta": meta, "__module__": __name__})


# -- valid values --------------------------------------------------------------------------------

int64 = st.integers(limits.INT64_MIN, limits.INT64_MAX)
texts = st.text(max_size=30)
keys = st.text(min_size=1, max_size=8).filter(lambda key: not re.fullmatch(r"__.*__", key, re.DOTALL))
offsets = st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=5, minutes=30)), dt.timezone(dt.timedelta(hours=-8))])
aware = st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30), timezones=offsets)
points = st.builds(
    firestore.GeoPoint,
    st.floats(-90, 90, allow_nan=False),
    st.floats(-180, 180, allow_nan=False),
)
doc_ids = st.from_regex(r"[A-Za-z0-9_-]{1,12}", fullmatch=True).filter(lambda name: not re.fullmatch(r"__.*__", name))
target_refs = doc_ids.map(lambda doc_id: Context.db.document(f"propTargets/{doc_id}"))
targets = st.one_of(doc_ids.map(PropTarget.create), target_refs, doc_ids.map(lambda doc_id: f"propTargets/{doc_id}"))
addresses = st.builds(PropAddress, city=texts, zip_code=st.none() | texts, floor=st.none() | int64)
raw_scalars = st.one_of(
    st.none(), st.booleans(), int64, st.floats(), texts, st.binary(max_size=20), aware, points, target_refs
)
raw_values = st.recursive(
    raw_scalars,
    lambda children: (
        st.lists(children.filter(lambda value: not isinstance(value, list)), max_size=4)
        | st.dictionaries(keys, children, max_size=4)
    ),
    max_leaves=12,
)

VALID: dict[str, tuple[fields.Field, st.SearchStrategy[Any]]] = {
    "String": (fields.String(), texts),
    "Integer": (fields.Integer(), int64),
    "Float": (fields.Float(), st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(2**53), 2**53)),
    "FloatNaN": (fields.Float(allow_nan=True), st.floats()),
    "Boolean": (fields.Boolean(), st.booleans()),
    "Raw": (fields.Raw(), raw_values),
    "List": (fields.List(fields.Integer()), st.lists(int64, max_size=6)),
    "Dict": (fields.Dict(values=fields.String()), st.dictionaries(keys, texts, max_size=5)),
    "Nested": (fields.Nested(PropAddress), addresses),
    "NestedMany": (fields.Nested(PropAddress, many=True), st.lists(addresses, max_size=3)),
    "Reference": (fields.Reference(PropTarget), targets),
    "ReferenceMany": (fields.Reference(PropTarget, many=True), st.lists(targets, max_size=4)),
    "ReferenceMap": (fields.Reference(PropTarget, as_map=True), st.dictionaries(keys, targets, max_size=3)),
    "DateTime": (fields.DateTime(), aware),
    "Enum": (fields.Enum(Color), st.sampled_from(Color)),
    "IntEnum": (fields.Enum(Level), st.sampled_from(Level)),
    "GeoPoint": (fields.GeoPoint(), points),
    "Bytes": (fields.Bytes(), st.binary(max_size=50)),
}
MODELS = {name: _model(name, field) for name, (field, _strategy) in VALID.items()}


def _path(value: Any) -> str:
    if isinstance(value, DocumentModel):
        return value.doc_path
    if isinstance(value, BaseDocumentReference):
        return value.path
    return str(value).strip("/")


def same(expected: Any, loaded: Any) -> bool:
    """Exact equality: types (bool/int/float apart), NaN and the sign of zero, instants, reference paths."""
    if isinstance(expected, float) and isinstance(loaded, float):
        if math.isnan(expected) or math.isnan(loaded):
            return math.isnan(expected) and math.isnan(loaded)
        return expected == loaded and math.copysign(1, expected) == math.copysign(1, loaded)
    if isinstance(expected, list) and isinstance(loaded, list):
        return len(expected) == len(loaded) and all(map(same, expected, loaded))
    if isinstance(expected, dict) and isinstance(loaded, dict):
        return expected.keys() == loaded.keys() and all(same(expected[key], loaded[key]) for key in expected)
    if isinstance(expected, (DocumentModel, BaseDocumentReference)) or isinstance(loaded, DocumentModel):
        return _path(expected) == _path(loaded)
    if isinstance(expected, Model) and isinstance(loaded, Model):
        return type(expected) is type(loaded) and same(expected.attributes(), loaded.attributes())
    if isinstance(expected, dt.datetime) and isinstance(loaded, dt.datetime):
        return expected == loaded
    return type(expected) is type(loaded) and expected == loaded


def expected_value(name: str, value: Any) -> Any:
    """What loading gives back for a saved ``value`` (the documented conversions)."""
    if name == "Float" and isinstance(value, int):
        return float(value)
    if value is None:
        return None
    if name == "Reference":
        return _path(value)
    if name in ("ReferenceMany", "ReferenceMap"):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        paths = {key: _path(item) for key, item in items}
        return paths if isinstance(value, dict) else list(paths.values())
    return value


def loaded_value(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name == "Reference":
        return _path(value)
    if name == "ReferenceMany":
        return [_path(item) for item in value]
    if name == "ReferenceMap":
        return {key: _path(item) for key, item in value.items()}
    return value


@pytest.mark.parametrize("name", sorted(VALID))
def test_every_valid_value_round_trips_exactly(clean_firestore, name):
    model = MODELS[name]
    _field, strategy = VALID[name]

    @SETTINGS
    @given(st.lists(st.none() | strategy, min_size=1, max_size=8))
    def check(values: list[Any]) -> None:
        objects = [model.new(f"v{next(_ids)}", value=value) for value in values]
        objects[0].save()
        with model.batch() as batch:
            for obj in objects[1:]:
                obj.save(batch=batch)
        loaded = [model.get(objects[0].doc_id), *model.get_many([obj.doc_id for obj in objects[1:]])]
        for value, obj, back in zip(values, objects, loaded, strict=True):
            assert back is not None
            assert same(expected_value(name, value), loaded_value(name, back.value)), (value, back.value)
            assert same(back.to_dict(), obj.to_dict())

    check()


# -- invalid values ----------------------------------------------------------------------------


class Other(enum.Enum):
    RED = "red"


surrogates = st.builds(lambda head, tail: f"{head}\ud800{tail}", texts, texts)
too_big_ints = st.integers(min_value=2**63) | st.integers(max_value=-(2**63) - 1)
naive = st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30))
inexact_ints = st.integers(min_value=2**53 + 1, max_value=2**80).filter(lambda n: float(n) != n)
other_refs = doc_ids.map(lambda doc_id: f"elsewhere/{doc_id}")

INVALID: dict[str, st.SearchStrategy[Any]] = {
    "String": st.integers() | st.binary(min_size=1) | st.booleans() | st.floats() | surrogates,
    "Integer": st.booleans() | st.floats() | texts | too_big_ints,
    "Float": st.booleans() | texts | st.sampled_from([math.nan, math.inf, -math.inf]) | inexact_ints,
    "FloatNaN": st.booleans() | texts | inexact_ints,
    "Boolean": st.integers() | texts | st.floats(),
    "Raw": st.one_of(
        st.tuples(st.integers()),
        st.frozensets(st.integers(), max_size=3),
        naive,
        st.sampled_from(Color),
        st.lists(st.lists(st.integers(), max_size=2), min_size=1, max_size=2),
        surrogates,
        too_big_ints,
        st.dictionaries(keys, st.just(object()), min_size=1, max_size=2),
        st.just({"": 1}),
        st.just({"__reserved__": 1}),
    ),
    "List": st.integers()
    | texts
    | st.lists(texts, min_size=1, max_size=3)
    | st.lists(too_big_ints, min_size=1, max_size=2),
    "Dict": st.lists(texts, max_size=2) | st.integers() | st.dictionaries(keys, st.integers(), min_size=1, max_size=2),
    "Nested": st.integers() | texts | st.builds(PropTarget.create, doc_ids) | st.just({"city": 5}),
    "NestedMany": st.lists(st.integers(), min_size=1, max_size=2)
    | st.just([{"city": None}])
    | st.builds(PropAddress, city=texts),
    "Reference": st.integers() | other_refs | st.builds(PropAddress, city=texts) | st.just("propTargets"),
    "ReferenceMany": st.lists(other_refs, min_size=1, max_size=2) | targets,
    "ReferenceMap": st.lists(targets, min_size=1, max_size=2)
    | st.dictionaries(keys, other_refs, min_size=1, max_size=2),
    "DateTime": naive
    | st.dates()
    | st.integers()
    | st.builds(
        lambda when: when.replace(tzinfo=dt.timezone(dt.timedelta(hours=3))),
        st.datetimes(max_value=dt.datetime(1, 1, 1, 2)),
    ),
    "Enum": st.sampled_from([*Other, "RED", "green", 1, None.__class__]),
    "IntEnum": st.sampled_from([True, 1.0, 3, "1"]),
    "GeoPoint": st.tuples(st.floats().filter(lambda x: not -90 <= x <= 90), st.floats(-180, 180))
    | texts
    | st.booleans()
    | st.just((True, 0.0)),
    "Bytes": st.integers() | st.lists(st.integers(0, 255), min_size=1, max_size=3) | st.booleans(),
}
#: Types whose load accepts a text form that an invalid *save* value may happen to be.
TEXT_FORMS = {"DateTime", "Bytes", "GeoPoint", "Reference", "ReferenceMany", "ReferenceMap"}


def _storable(value: Any) -> bool:
    """Whether Firestore could hold ``value`` (so another client could have written it)."""
    if isinstance(value, (Model, enum.Enum, type)):
        return False
    return not limits.value_problems(value)


@pytest.mark.parametrize("name", sorted(INVALID))
def test_every_invalid_value_is_refused_by_name_and_writes_nothing(clean_firestore, name):
    model = MODELS[name]
    attempted: list[str] = []

    @SETTINGS
    @given(st.lists(INVALID[name], min_size=1, max_size=8))
    def check(values: list[Any]) -> None:
        stored_elsewhere = []
        for value in values:
            obj = model.new(f"i{next(_ids)}", value=value)
            attempted.append(obj.doc_path)
            with pytest.raises(ValidationError) as info:
                obj.save()
            assert info.value.fields == ["value"], (value, info.value.errors)
            if not (name in TEXT_FORMS and isinstance(value, (str, list, dict, tuple))):
                with pytest.raises(ValidationError) as info:
                    model.from_dict({"value": value})
                assert info.value.fields == ["value"]
            if _storable(value):
                stored_elsewhere.append((f"{model._meta.path.collection_id}/x{next(_ids)}", value))
        if not stored_elsewhere:
            return
        batch = Context.db.batch()  # another client writes data that breaks the rule
        for path, value in stored_elsewhere:
            batch.set(Context.db.document(path), {"value": value})
        batch.commit()
        first_path = stored_elsewhere[0][0]
        with pytest.raises(ValidationError) as info:
            model.get(first_path.rsplit("/", 1)[1])
        assert info.value.fields == ["value"]
        for snapshot in Context.db.get_all([Context.db.document(path) for path, _value in stored_elsewhere[1:]]):
            with pytest.raises(ValidationError) as info:
                model.from_snapshot(snapshot)
            assert info.value.fields == ["value"]

    check()
    assert attempted
    written = [
        snapshot
        for snapshot in Context.db.get_all([Context.db.document(path) for path in attempted])
        if snapshot.exists
    ]
    assert written == []
