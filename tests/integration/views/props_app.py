"""A second app for the property tests: every kind of source, a two-hop one included.

Flights carry bags; each bag belongs to an owner; flights leave from a gate.

* ``Manifest`` (``propManifests/{flight_id}``): root flight, a followed gate, the followed bags
  (many) and, two hops away, the bags' owners (``via="flight.bags.owner"``).
* ``Tag`` (``propFlights/{flight_id}/tags/{bag_id}``): one view per bag of a flight (fan-out
  by ``keys``), reading its bag and that bag's owner.
* ``Traveller`` (``propTravellers/{owner_id}``): root owner, the bags pointing at the owner
  (a back-reference).
"""

from __future__ import annotations

from flask_boiler import fields, schema
from flask_boiler.domain_model import DomainModel
from flask_boiler.views import ViewModel, public, source


class OwnerSchema(schema.Schema):
    name = fields.String(required=True)
    vip = fields.Boolean(load_default=False, dump_default=False)
    phone = fields.String(load_default="", dump_default="")  # read by no view


class Owner(DomainModel):
    class Meta:
        collection_name = "propOwners"
        schema_cls = OwnerSchema


class BagSchema(schema.Schema):
    label = fields.String(required=True)
    weight = fields.Integer(load_default=0, dump_default=0)  # read by no view
    owner = fields.Reference(Owner, allow_none=True)


class Bag(DomainModel):
    class Meta:
        collection_name = "propBags"
        schema_cls = BagSchema


class GateSchema(schema.Schema):
    name = fields.String(required=True)


class Gate(DomainModel):
    class Meta:
        collection_name = "propGates"
        schema_cls = GateSchema


class FlightSchema(schema.Schema):
    class Meta:
        camel_case = True

    code = fields.String(required=True)
    gate = fields.Reference(Gate, allow_none=True)
    bags = fields.Reference(Bag, many=True, load_default=list, dump_default=list)
    remarks = fields.String(load_default="", dump_default="")  # read by no view


class Flight(DomainModel):
    class Meta:
        collection_name = "propFlights"
        schema_cls = FlightSchema


class ManifestSchema(schema.Schema):
    class Meta:
        camel_case = True

    code = fields.String()
    gate_name = fields.String(allow_none=True)
    labels = fields.List(fields.String())
    owner_names = fields.List(fields.String())
    vips = fields.Integer()


class Manifest(ViewModel):
    class Meta:
        schema_cls = ManifestSchema
        path = "propManifests/{flight_id}"
        access = public()

    flight = source(Flight, "propFlights/{flight_id}")
    gate = source(Gate, via="flight.gate")
    bags = source(Bag, many=True, via="flight.bags")
    owners = source(Owner, many=True, via="flight.bags.owner")

    def compute(self) -> dict:
        return {
            "code": self.flight.code,
            "gate_name": self.gate.name if self.gate else None,
            "labels": [bag.label for bag in self.bags],
            "owner_names": [owner.name for owner in self.owners],
            "vips": sum(1 for owner in self.owners if owner.vip),
        }


class TagSchema(schema.Schema):
    label = fields.String()
    owner_name = fields.String(allow_none=True, data_key="ownerName")


class Tag(ViewModel):
    class Meta:
        schema_cls = TagSchema
        path = "propFlights/{flight_id}/tags/{bag_id}"
        access = public()

    flight = source(Flight, "propFlights/{flight_id}")
    bags = source(Bag, many=True, via="flight.bags")
    owners = source(Owner, many=True, via="flight.bags.owner")

    @staticmethod
    def keys(flight: Flight) -> list[dict[str, str]]:
        return [{"flight_id": flight.doc_id, "bag_id": bag.doc_id} for bag in flight.bags]

    def compute(self) -> dict:
        bag = next((b for b in self.bags if b.doc_id == self.key["bag_id"]), None)
        owner_id = bag.owner.doc_id if bag is not None and bag.owner is not None else None
        owner = next((o for o in self.owners if o.doc_id == owner_id), None)
        return {"label": bag.label if bag else "(missing)", "owner_name": owner.name if owner else None}


class TravellerSchema(schema.Schema):
    name = fields.String()
    labels = fields.List(fields.String())


class Traveller(ViewModel):
    class Meta:
        schema_cls = TravellerSchema
        path = "propTravellers/{owner_id}"
        access = public()

    owner = source(Owner, "propOwners/{owner_id}")
    bags = source(Bag, backref="owner")

    def compute(self) -> dict:
        return {"name": self.owner.name, "labels": sorted(bag.label for bag in self.bags)}


VIEWS = (Manifest, Tag, Traveller)
