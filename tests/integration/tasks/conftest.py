"""Fixtures of the Cloud Tasks tests."""

from __future__ import annotations

import pytest

from .stack_tools import triggers_paused


@pytest.fixture
def paused(clean_firestore, emulators):
    """An empty database with the stack's Firestore triggers off (tests deliver what they mean
    to), on a stack this session started with the Cloud Tasks emulator."""
    if emulators.process is None or not emulators.tasks_host:
        pytest.skip("needs a stack this session started, with the Cloud Tasks emulator")
    with triggers_paused(emulators):
        yield clean_firestore.db, emulators
