"""Config resolves where to connect, and says clearly when it cannot."""

from __future__ import annotations

import json

import pytest

from flask_boiler.config import DEMO_PROJECT_ID, Config
from flask_boiler.errors import ConfigurationError

ENV_VARS = (
    "FIRESTORE_EMULATOR_HOST",
    "FLASK_BOILER_PROJECT_ID",
    "GCLOUD_PROJECT",
    "GOOGLE_CLOUD_PROJECT",
    "FIREBASE_CONFIG",
)


@pytest.fixture(autouse=True)
def bare_environment(monkeypatch):
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


def write_key(tmp_path, **overrides):
    key = {"type": "service_account", "project_id": "from-cert", "client_email": "x@y", **overrides}
    path = tmp_path / "key.json"
    path.write_text(json.dumps(key))
    return path


def test_seed_style_arguments_are_accepted():
    config = Config(app_name="your_app_name", debug=True, testing=True, project_id="p1")
    assert (config.app_name, config.debug, config.testing) == ("your_app_name", True, True)
    assert config.resolve_project_id() == "p1"


def test_missing_certificate_file_fails_at_construction(tmp_path):
    with pytest.raises(ConfigurationError, match="not a file"):
        Config(app_name="a", certificate_path=str(tmp_path / "nope.json"))


def test_certificate_that_is_not_a_service_account_key_is_rejected(tmp_path):
    path = write_key(tmp_path, type="authorized_user")
    with pytest.raises(ConfigurationError, match="service-account key"):
        Config(app_name="a", certificate_path=str(path)).resolve_project_id()


def test_project_id_order_explicit_then_certificate_then_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "from-env")
    key = str(write_key(tmp_path))
    assert Config(project_id="explicit", certificate_path=key).resolve_project_id() == "explicit"
    assert Config(certificate_path=key).resolve_project_id() == "from-cert"
    assert Config().resolve_project_id() == "from-env"


def test_firebase_config_json_supplies_the_project(monkeypatch):
    monkeypatch.setenv("FIREBASE_CONFIG", json.dumps({"projectId": "from-firebase-config"}))
    assert Config().resolve_project_id() == "from-firebase-config"


def test_emulators_without_project_use_a_demo_project(monkeypatch):
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", "127.0.0.1:1")
    assert Config().resolve_project_id() == DEMO_PROJECT_ID


def test_nothing_configured_raises_with_advice():
    with pytest.raises(ConfigurationError, match="GOOGLE_CLOUD_PROJECT"):
        Config().resolve_project_id()


def test_empty_app_name_is_rejected():
    with pytest.raises(ConfigurationError, match="app_name"):
        Config(app_name="")
