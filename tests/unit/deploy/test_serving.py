"""``serving``: which entry points this process may serve, from ``FUNCTION_TARGET``."""

from __future__ import annotations

from flask_boiler.endpoints import serving


def test_tooling_without_a_target_serves_everything(monkeypatch):
    monkeypatch.delenv("FUNCTION_TARGET", raising=False)
    assert serving("next_meeting") and serving()


def test_an_instance_serves_only_its_own_target(monkeypatch):
    monkeypatch.setenv("FUNCTION_TARGET", "health")
    assert serving("health") and serving("next_meeting", "health")
    assert not serving("next_meeting")
    assert not serving()


def test_an_empty_target_counts_as_none(monkeypatch):
    monkeypatch.setenv("FUNCTION_TARGET", "")
    assert serving("next_meeting")
