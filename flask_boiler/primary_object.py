"""``PrimaryObject``: the flask-boiler 0.0.1 base class for documents.

A :class:`~flask_boiler.models.DocumentModel` with no schema of its own; subclass it
(or use :class:`flask_boiler.factory.ClsFactory`) and give it a schema::

    TestObject = ClsFactory.create(name="TestObject", schema=TestObjectSchema, base=PrimaryObject)
    obj = TestObject.create(doc_id="testObjId1")
    obj.save()                                   # stored at TestObject/testObjId1
"""

from __future__ import annotations

from .models.document import DocumentModel

__all__ = ["PrimaryObject"]


class PrimaryObject(DocumentModel):
    """Base class of stored domain objects (documents)."""

    class Meta:
        abstract = True
