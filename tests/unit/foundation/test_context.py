"""Context validates on read, builds clients lazily and never hands out None."""

from __future__ import annotations

import pytest

from flask_boiler.config import Config
from flask_boiler.context import Context
from flask_boiler.errors import ConfigurationError


@pytest.fixture(autouse=True)
def fresh_context(monkeypatch):
    for name in (
        "FIRESTORE_EMULATOR_HOST",
        "FLASK_BOILER_PROJECT_ID",
        "GCLOUD_PROJECT",
        "GOOGLE_CLOUD_PROJECT",
        "FIREBASE_CONFIG",
    ):
        monkeypatch.delenv(name, raising=False)
    Context.reset()
    yield
    Context.reset()


def test_read_fails_fast_when_no_project_can_be_found():
    with pytest.raises(ConfigurationError, match="project id"):
        Context.read(Config(app_name="a"))
    assert Context._config is None


def test_first_use_without_read_configures_from_environment_or_explains():
    with pytest.raises(ConfigurationError):
        Context.db


def test_read_rejects_something_that_is_not_a_config():
    with pytest.raises(ConfigurationError, match="Config"):
        Context.read({"app_name": "a"})


def test_clients_are_built_lazily_and_once(monkeypatch):
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", "127.0.0.1:9")  # nothing listens; building needs no I/O
    Context.read(Config(app_name="lazy", project_id="demo-lazy"))
    assert Context._db is None, "read() must not build clients"
    db = Context.db
    assert db.project == "demo-lazy"
    assert Context.db is db


def test_context_is_not_instantiable():
    with pytest.raises(ConfigurationError, match="used as a class"):
        Context()


def test_using_db_swaps_the_client_for_the_block_only(monkeypatch):
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", "127.0.0.1:9")
    Context.read(Config(app_name="swap", project_id="demo-swap"))
    usual = Context.db
    other = object()
    with Context.using_db(other) as given:  # type: ignore[arg-type]
        assert given is other and Context.db is other
    assert Context.db is usual


def test_a_read_inside_using_db_wins_over_the_restore(monkeypatch):
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", "127.0.0.1:9")
    Context.read(Config(app_name="swap", project_id="demo-swap"))
    with Context.using_db(object()):  # type: ignore[arg-type]
        Context.read(Config(app_name="swap", project_id="demo-other"))
    assert Context.db.project == "demo-other"
