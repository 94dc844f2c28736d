"""The testing kit's public surface: everything importable from ``flask_boiler.testing``, lazily."""

from __future__ import annotations

import base64
import json
import subprocess
import sys

import flask_boiler.testing as kit
from flask_boiler.testing.rules import _fields, unsigned_id_token


def test_every_export_resolves_and_all_lists_exactly_them():
    assert sorted(kit.__all__) == sorted(kit._EXPORTS)
    for name in kit.__all__:
        assert getattr(kit, name) is not None, name
    for name in ("count_operations", "document_event", "recorded_event", "deliver", "AuthEmulator", "FirestoreClient"):
        assert name in kit.__all__


def test_importing_the_kit_loads_no_view_machinery():
    """The CLI imports flask_boiler.testing.emulators: that must not pull in triggers, views or gRPC."""
    code = (
        "import sys, flask_boiler.testing.emulators; "
        "print([m for m in ('flask_boiler.triggers', 'flask_boiler.views', 'grpc') if m in sys.modules])"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"


def test_unsigned_tokens_carry_the_uid_and_claims():
    token = unsigned_id_token("demo-x", "ann", {"organizer": True})
    header, payload, signature = token.split(".")
    decode = lambda part: json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    assert decode(header)["alg"] == "none" and signature == ""
    claims = decode(payload)
    assert (claims["sub"], claims["user_id"], claims["aud"], claims["organizer"]) == ("ann", "ann", "demo-x", True)


def test_rules_client_writes_plain_json_as_firestore_values():
    assert _fields({"a": 1, "b": "x", "c": [True, None], "d": {"e": 1.5}}) == {
        "a": {"integerValue": "1"},
        "b": {"stringValue": "x"},
        "c": {"arrayValue": {"values": [{"booleanValue": True}, {"nullValue": None}]}},
        "d": {"mapValue": {"fields": {"e": {"doubleValue": 1.5}}}},
    }
