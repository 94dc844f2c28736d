"""Queries in attribute names: operators, OR, ordering, cursor pagination, count, groups."""

from __future__ import annotations

import enum

import pytest

from flask_boiler import fields, schema
from flask_boiler.domain_model import DomainModel
from flask_boiler.errors import InvalidCursorError
from flask_boiler.models import EmbeddedModel
from flask_boiler.query import And, Filter, Or


class Region(enum.Enum):
    WEST = "west"
    EAST = "east"


class GeoSchema(schema.Schema):
    country_code = fields.String(data_key="cc")


class Geo(EmbeddedModel):
    class Meta:
        schema_cls = GeoSchema


class CitySchema(schema.Schema):
    city_name = fields.String(data_key="n")
    population = fields.Integer(data_key="pop")
    region = fields.Enum(Region, data_key="r")
    tags = fields.List(fields.String(), data_key="t")
    geo = fields.Nested(Geo, data_key="g")


class City(DomainModel):
    class Meta:
        collection_name = "cities"
        schema_cls = CitySchema


ROWS = [
    ("sf", "San Francisco", 800, Region.WEST, ["coast", "tech"], "US"),
    ("la", "Los Angeles", 4000, Region.WEST, ["coast"], "US"),
    ("ny", "New York", 8000, Region.EAST, ["coast", "finance"], "US"),
    ("bos", "Boston", 600, Region.EAST, ["college"], "US"),
    ("van", "Vancouver", 600, Region.WEST, [], "CA"),
]


@pytest.fixture
def cities(clean_firestore):
    for doc_id, name, population, region, tags, cc in ROWS:
        City.new(
            doc_id, city_name=name, population=population, region=region, tags=tags, geo=Geo(country_code=cc)
        ).save()
    return clean_firestore


def ids(results) -> set[str]:
    return {city.doc_id for city in results}


def test_stored_keys_are_translated(cities):
    raw = cities.db.document("cities/sf").get().to_dict()
    assert set(raw) == {"n", "pop", "r", "t", "g"}
    assert ids(City.where("city_name", "==", "Boston")) == {"bos"}
    assert ids(City.where(region=Region.WEST, population=600)) == {"van"}
    assert ids(City.where("geo.country_code", "==", "CA")) == {"van"}


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("==", 600, {"bos", "van"}),
        ("!=", 600, {"sf", "la", "ny"}),
        ("<", 800, {"bos", "van"}),
        ("<=", 800, {"bos", "van", "sf"}),
        (">", 800, {"la", "ny"}),
        (">=", 4000, {"la", "ny"}),
        ("in", [600, 8000], {"bos", "van", "ny"}),
        ("not-in", [600, 8000], {"sf", "la"}),
    ],
)
def test_comparison_operators(cities, op, value, expected):
    assert ids(City.where("population", op, value)) == expected


def test_array_operators_and_enum_values(cities):
    assert ids(City.where("tags", "array-contains", "coast")) == {"sf", "la", "ny"}
    assert ids(City.where("tags", "array-contains-any", ["tech", "college"])) == {"sf", "bos"}
    assert ids(City.where("region", "in", [Region.EAST])) == {"ny", "bos"}


def test_or_and_composites(cities):
    query = City.where(Or(("city_name", "==", "Boston"), Filter("population", ">", 5000)))
    assert ids(query) == {"bos", "ny"}
    nested = City.where(
        Or(And(("region", "==", Region.WEST), ("population", "<", 700)), ("geo.country_code", "==", "XX"))
    )
    assert ids(nested) == {"van"}


def test_order_limit_first_and_count(cities):
    ordered = City.query().order_by("population", "desc").order_by("city_name").get()
    assert [c.doc_id for c in ordered] == ["ny", "la", "sf", "bos", "van"]
    assert [c.doc_id for c in City.order_by("city_name").limit(2)] == ["bos", "la"]
    assert City.where("region", "==", Region.WEST).order_by("population").first().doc_id == "van"
    assert City.where("population", ">", 10**6).first() is None
    assert City.where("region", "==", Region.WEST).count() == 3
    assert City.query().count() == 5
    assert ids(City.where("doc_id", "in", ["sf", "ny"])) == {"sf", "ny"}


def test_cursor_pagination_has_no_gaps_or_duplicates(clean_firestore):
    for index in range(23):
        City.new(f"c{index:02d}", city_name=f"City {index % 5}", population=index % 4).save()
    query = City.where("population", ">=", 1).order_by("city_name", "desc")
    seen, cursor, pages = [], None, 0
    while True:
        page = query.page(limit=4, cursor=cursor)
        pages += 1
        seen.extend(c.doc_id for c in page)
        if page.next_cursor is None:
            break
        assert len(page) == 4
        cursor = page.next_cursor
    expected = [c.doc_id for c in query.get()]
    assert seen == expected
    assert len(seen) == len(set(seen)) == sum(1 for i in range(23) if i % 4 >= 1)
    assert pages >= 3


def test_garbage_or_foreign_cursors_are_rejected(cities):
    with pytest.raises(InvalidCursorError):
        City.query().page(limit=2, cursor="garbage!!")
    token = City.query().order_by("population").page(limit=2).next_cursor
    assert token is not None
    with pytest.raises(InvalidCursorError):
        City.query().order_by("city_name").page(limit=2, cursor=token)
    assert len(City.query().order_by("population").page(limit=2, cursor=token)) == 2


def test_query_inside_transaction(cities):
    from flask_boiler.transactions import transactional

    @transactional
    def count_west(transaction):
        return len(City.where("region", "==", Region.WEST).get(transaction=transaction))

    assert count_west() == 3


class TicketSchema(schema.Schema):
    title = fields.String()
    status = fields.String()


class Ticket(DomainModel):
    class Meta:
        path = "users/{uid}/tickets/{ticket_id}"
        schema_cls = TicketSchema


def test_subcollections_and_collection_group(clean_firestore):
    Ticket.create(uid="u1", ticket_id="t1", title="a", status="open").save()
    Ticket.create(uid="u1", ticket_id="t2", title="b", status="closed").save()
    Ticket.create(uid="u2", ticket_id="t3", title="c", status="open").save()
    assert clean_firestore.db.document("users/u1/tickets/t1").get().exists
    assert not clean_firestore.db.document("users/u1").get().exists  # parent never written or read

    ticket = Ticket.get("t2", uid="u1")
    assert (ticket.uid, ticket.ticket_id, ticket.title) == ("u1", "t2", "b")
    assert Ticket.get(ticket_id="t2", uid="u1").title == "b"
    assert Ticket.get("t3", uid="u1") is None
    assert ids(Ticket.query(uid="u1")) == {"t1", "t2"}

    group = Ticket.collection_group().where("status", "==", "open").order_by("title").get()
    assert [(t.uid, t.doc_id) for t in group] == [("u1", "t1"), ("u2", "t3")]
    pages = Ticket.collection_group().page(limit=2)
    rest = Ticket.collection_group().page(limit=2, cursor=pages.next_cursor)
    assert ids(pages) | ids(rest) == {"t1", "t2", "t3"} and len(rest) == 1 and rest.next_cursor is None
