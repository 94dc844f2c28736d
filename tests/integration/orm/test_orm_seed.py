"""The flask-boiler 0.0.1 snippet, verbatim (only the Config differs, handled by the fixture)."""

from __future__ import annotations


def test_seed_snippet(clean_firestore):
    from flask_boiler import fields, schema
    from flask_boiler.factory import ClsFactory
    from flask_boiler.primary_object import PrimaryObject  # also importable as `from flask_boiler import PrimaryObject`

    class TestObjectSchema(schema.Schema):
        int_a = fields.Raw(load_from="intA", dump_to="intA")
        int_b = fields.Raw(load_from="intB", dump_to="intB")

    TestObject = ClsFactory.create(name="TestObject", schema=TestObjectSchema, base=PrimaryObject)
    obj = TestObject.create(doc_id="testObjId1")  # not saved yet, defaults filled
    obj.int_a = 1
    obj.int_b = 2
    obj.save()  # document TestObject/testObjId1 = {"intA": 1, "intB": 2}  (exactly those keys)
    assert clean_firestore.db.document("TestObject/testObjId1").get().to_dict() == {"intA": 1, "intB": 2}
    retrieved = TestObject.get(doc_id="testObjId1")
    assert retrieved.int_a == 1
    retrieved.delete()
    assert not clean_firestore.db.document("TestObject/testObjId1").get().exists
    assert TestObject.get(doc_id="testObjId1") is None


def test_package_level_import(clean_firestore):
    from flask_boiler import PrimaryObject
    from flask_boiler.primary_object import PrimaryObject as Direct

    assert PrimaryObject is Direct
