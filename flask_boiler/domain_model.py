"""``DomainModel``: the base class for documents declared with ``class Meta`` (flask-boiler style)::

class City(DomainModel):
    name: str

    class Meta:
        collection_name = "cities"
        schema_cls = CitySchema
"""

from __future__ import annotations

from .primary_object import PrimaryObject

__all__ = ["DomainModel"]


class DomainModel(PrimaryObject):
    """A document model of the application's domain."""

    class Meta:
        abstract = True
