"""The property of :mod:`.histories` over the example app (``shared_models``)."""

from __future__ import annotations

import pytest

from .histories import ExampleApp, one_parse_at_a_time, run_histories

pytestmark = pytest.mark.emulators

__all__ = ["one_parse_at_a_time"]  # a fixture, used by name


def test_example_app_views_equal_a_recompute_whatever_happens_to_the_events(
    emulators, firestore_context, one_parse_at_a_time
):
    run_histories(emulators, ExampleApp)
