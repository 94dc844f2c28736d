"""The local Firebase stack works end to end: Functions emulator HTTP, Firestore triggers, Context."""

from __future__ import annotations

import uuid

import pytest
import requests

from flask_boiler import __version__, config, context
from flask_boiler.testing import wait_for

pytestmark = pytest.mark.emulators


def test_health_function_served_by_functions_emulator(emulators):
    response = requests.get(emulators.function_url("health"), timeout=30)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["version"] == __version__
    assert body["project"] == emulators.project_id


def test_firestore_trigger_round_trip(clean_firestore):
    """A client write reaches our Python trigger through the emulators, which writes a marker."""
    db = clean_firestore.db
    ping_id = uuid.uuid4().hex
    db.collection("flaskBoilerPings").document(ping_id).set({"n": 42, "who": "test"})

    pong_ref = db.collection("flaskBoilerPongs").document(ping_id)
    pong = wait_for(lambda: (snapshot := pong_ref.get()).exists and snapshot, message="pong document", timeout=60)
    data = pong.to_dict()
    assert data["ping"] == {"n": 42, "who": "test"}
    assert data["eventType"] == "google.cloud.firestore.document.v1.written"
    ping_snapshot = db.collection("flaskBoilerPings").document(ping_id).get()
    assert data["pingUpdateTime"] == ping_snapshot.update_time


def test_seed_config_and_context_reach_the_emulator(emulators):
    """The original's set-up calls, verbatim apart from the certificate."""
    Config = config.Config
    testing_config = Config(app_name="your_app_name", debug=True, testing=True)
    CTX = context.Context
    CTX.read(testing_config)

    doc = CTX.db.collection("seedCheck").document("a")
    doc.set({"intA": 1})
    assert doc.get().to_dict() == {"intA": 1}
    assert CTX.firebase_app.project_id == emulators.project_id
