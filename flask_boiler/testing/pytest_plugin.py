"""pytest fixtures for testing a flask-boiler project against the real Firebase emulators.

Loaded automatically (entry point ``pytest11``) wherever flask-boiler is installed.

* ``emulators`` (session): the running local stack. If ``FIRESTORE_EMULATOR_HOST`` is
  already set (``make dev`` is running, or you started an emulator yourself), it is used
  as is; otherwise the project's Firestore, Functions and Auth emulators are started
  through ``firebase emulators:start`` on free ports and stopped after the session.
* ``clean_firestore``: empties the emulator's database, points :class:`Context` at it and
  returns the ``Context`` class, so a test starts from nothing.

Integration tests mark themselves with ``@pytest.mark.emulators`` or request a fixture.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from ..config import Config
from ..context import Context
from .emulators import EmulatorStack, clear_auth, clear_firestore, running_stack_from_env, start_stack


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "emulators: needs the local Firebase emulators (started automatically)")


@pytest.fixture(scope="session")
def emulators() -> Iterator[EmulatorStack]:
    """The Firebase emulators this test session talks to (started once, stopped at the end)."""
    existing = running_stack_from_env()
    if existing is not None:
        yield existing
        return
    stack = start_stack()
    saved = {name: os.environ.get(name) for name in stack.environment()}
    os.environ.update(stack.environment())
    try:
        yield stack
    finally:
        Context.reset()
        stack.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture
def clean_firestore(emulators: EmulatorStack) -> Iterator[type[Context]]:
    """An empty Firestore database, with ``Context`` configured for it."""
    clear_firestore(emulators)
    Context.read(Config(app_name="flask-boiler-tests", debug=True, testing=True, project_id=emulators.project_id))
    yield Context


@pytest.fixture
def clean_auth(emulators: EmulatorStack) -> EmulatorStack:
    """No user accounts in the Auth emulator."""
    if emulators.auth_host is None:
        pytest.skip("the Auth emulator is not running in this stack")
    clear_auth(emulators)
    return emulators
