"""Lazy references, batched prefetch (one get_all per level), cycles; type discriminator."""

from __future__ import annotations

import pytest
from google.cloud.firestore_v1.document import DocumentReference

from flask_boiler import fields, schema
from flask_boiler.domain_model import DomainModel
from flask_boiler.errors import UnknownModelTypeError
from flask_boiler.models import prefetch, references


class PersonSchema(schema.Schema):
    name = fields.String()
    friend = fields.Reference("RefPerson")
    city = fields.Reference("RefCity")


class RefPerson(DomainModel):
    class Meta:
        collection_name = "people"
        schema_cls = PersonSchema


class CitySchema(schema.Schema):
    name = fields.String()
    mayor = fields.Reference(RefPerson)


class RefCity(DomainModel):
    class Meta:
        collection_name = "cities"
        schema_cls = CitySchema


class ReadSpy:
    """Counts batched reads (the ORM's ``read_many``, one ``BatchGetDocuments`` each) and
    single-document gets (no behaviour change)."""

    def __init__(self, monkeypatch, db):
        self.get_all_calls: list[int] = []
        self.single_gets = 0
        original_read_many = references.read_many
        original_get = DocumentReference.get

        def read_many(client, refs, *args, **kwargs):
            refs = list(refs)
            self.get_all_calls.append(len(refs))
            return original_read_many(client, refs, *args, **kwargs)

        def get(ref, *args, **kwargs):
            self.single_gets += 1
            return original_get(ref, *args, **kwargs)

        monkeypatch.setattr(references, "read_many", read_many)
        monkeypatch.setattr(DocumentReference, "get", get)


@pytest.fixture
def town(clean_firestore):
    mayors = [RefPerson.new(f"mayor{i}", name=f"Mayor {i}").save() for i in range(3)]
    cities = [RefCity.new(f"city{i}", name=f"City {i}", mayor=mayors[i]).save() for i in range(3)]
    for i in range(10):
        RefPerson.new(f"p{i}", name=f"P{i}", city=cities[i % 3], friend=RefPerson.new(f"p{(i + 1) % 10}")).save()
    return clean_firestore


def test_references_load_lazily_on_first_field_access(town, monkeypatch):
    person = RefPerson.get("p0")
    spy = ReadSpy(monkeypatch, town.db)
    assert not person.city.is_loaded
    assert person.city.doc_id == "city0" and spy.single_gets == 0
    assert person.city.name == "City 0" and spy.single_gets == 1
    assert person.city.mayor.name == "Mayor 0" and spy.single_gets == 2


def test_prefetch_reads_one_batch_per_level(town, monkeypatch):
    people = RefPerson.get_many([f"p{i}" for i in range(10)])
    assert all(p.is_loaded for p in people)
    spy = ReadSpy(monkeypatch, town.db)
    reads = prefetch(people, depth=2)
    # level 1: 3 distinct cities + 0 new friends (all friends are among the loaded people);
    # level 2: 3 mayors.
    assert spy.get_all_calls == [3, 3]
    assert reads == 6
    names = [(p.city.name, p.city.mayor.name, p.friend.name) for p in people]
    assert spy.single_gets == 0 and len(spy.get_all_calls) == 2
    assert names[0] == ("City 0", "Mayor 0", "P1")


def test_prefetch_depth_limit_and_cycles(town, monkeypatch):
    start = [RefPerson.get("p0")]
    spy = ReadSpy(monkeypatch, town.db)
    RefPerson.prefetch(start, depth=1)
    assert spy.get_all_calls == [2]  # p1 (friend) and city0
    assert not start[0].city.mayor.is_loaded  # beyond depth 1
    # The friend chain p0 -> p1 -> ... -> p9 -> p0 is a cycle; a deep prefetch ends.
    RefPerson.prefetch(start, depth=50)
    assert start[0].friend.friend.friend.name == "P3"
    assert spy.single_gets == 0
    assert sum(spy.get_all_calls) <= 2 + 10 + 3


class AnimalSchema(schema.Schema):
    name = fields.String()


class DogSchema(AnimalSchema):
    good = fields.Boolean()


class Animal(DomainModel):
    class Meta:
        collection_name = "animals"
        schema_cls = AnimalSchema
        type_field = True
        abstract = True


class Dog(Animal):
    class Meta:
        schema_cls = DogSchema
        type_name = "dog"


class Cat(Animal):
    class Meta:
        type_name = "cat"


def test_type_discriminator(clean_firestore):
    Dog.new("rex", name="Rex", good=True).save()
    Cat.new("tom", name="Tom").save()
    assert clean_firestore.db.document("animals/rex").get().to_dict() == {"name": "Rex", "good": True, "_type": "dog"}

    rex = Animal.get("rex")
    assert type(rex) is Dog and rex.good is True
    assert {type(a) for a in Animal.query()} == {Dog, Cat}
    assert [c.doc_id for c in Cat.query()] == ["tom"]  # subclass queries filter by type
    assert Cat.query().count() == 1
    with pytest.raises(UnknownModelTypeError):
        Cat.get("rex")

    class OwnerSchema(schema.Schema):
        pet = fields.Reference(Animal)

    class PetOwner(DomainModel):
        class Meta:
            collection_name = "owners"
            schema_cls = OwnerSchema

    PetOwner.new("o", pet=rex).save()
    owner = PetOwner.get("o")
    assert owner.pet.good is True and type(owner.pet) is Dog  # the stub became a Dog when loaded
