"""The property of :mod:`.histories` over the second app (:mod:`.props_app`: a two-hop source, a fan-out keyed by a list, a back-reference)."""

from __future__ import annotations

import pytest

from .histories import PropsApp, one_parse_at_a_time, run_histories

pytestmark = pytest.mark.emulators

__all__ = ["one_parse_at_a_time"]  # a fixture, used by name


def test_props_app_views_equal_a_recompute_whatever_happens_to_the_events(
    emulators, firestore_context, one_parse_at_a_time
):
    run_histories(emulators, PropsApp)
