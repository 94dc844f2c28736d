"""pytest fixtures for testing a flask-boiler project against the real Firebase emulators.

Loaded automatically (entry point ``pytest11``) wherever flask-boiler is installed.

* ``emulators`` (session): the running local stack. If ``FIRESTORE_EMULATOR_HOST`` is
  already set (``make dev`` is running, or you started an emulator yourself), it is used
  as is; otherwise the project's emulators (Firestore, Functions, Auth, and Hosting when
  firebase.json has a site) are started through ``firebase emulators:start`` on free ports
  and stopped after the session.
* ``clean_firestore``: empties the emulator's database, points :class:`Context` at it and
  returns the ``Context`` class, so a test starts from nothing.
* ``firestore_context``: :class:`Context` pointed at the stack, no data cleared (for tests that
  work in databases of their own, which need not wait for a lock held in the default one).
* ``clean_auth``: no accounts in the Auth emulator (returns the stack).
* ``auth_emulator``: no accounts, and an :class:`~.auth.AuthEmulator` to create users and
  ID tokens with.
* ``function_url``: ``function_url("api", "/items")``, the URL of an HTTP function in the
  Functions emulator; ``hosting_url("/api/items")``, a path on the Hosting emulator's site.
* ``view_registry``: a fresh, empty view registry for the test (restored afterwards), so
  view models a test declares never meet another test's.

Integration tests mark themselves with ``@pytest.mark.emulators`` or request a fixture.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from ..config import Config
from ..context import Context
from ..views.registry import ViewRegistry, registry
from .auth import AuthEmulator
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


def _use(stack: EmulatorStack) -> type[Context]:
    Context.read(Config(app_name="flask-boiler-tests", debug=True, testing=True, project_id=stack.project_id))
    return Context


@pytest.fixture
def firestore_context(emulators: EmulatorStack) -> type[Context]:
    """``Context`` configured for the stack, its data left as it is: for tests that work in
    databases of their own (``clear_firestore(stack, database=...)`` empties one). Clearing
    the default database waits while a transaction holds locks there, which those tests need not do."""
    return _use(emulators)


@pytest.fixture
def clean_firestore(emulators: EmulatorStack) -> Iterator[type[Context]]:
    """An empty Firestore database, with ``Context`` configured for it."""
    clear_firestore(emulators)
    yield _use(emulators)


@pytest.fixture
def clean_auth(emulators: EmulatorStack) -> EmulatorStack:
    """No user accounts in the Auth emulator."""
    if emulators.auth_host is None:
        pytest.skip("the Auth emulator is not running in this stack")
    clear_auth(emulators)
    return emulators


@pytest.fixture
def auth_emulator(clean_auth: EmulatorStack) -> AuthEmulator:
    """No user accounts, and the helper that creates them (with their ID tokens)."""
    return AuthEmulator(clean_auth)


@pytest.fixture
def function_url(emulators: EmulatorStack) -> Callable[..., str]:
    """``function_url(name, path="")``: the URL of an HTTP function in the Functions emulator."""
    return emulators.function_url


@pytest.fixture
def hosting_url(emulators: EmulatorStack) -> Callable[..., str]:
    """``hosting_url(path="/")``: a URL on the site the Hosting emulator serves (its rewrites apply)."""
    if emulators.hosting_host is None:
        pytest.skip("the Hosting emulator is not running in this stack (firebase.json has no hosting)")
    return emulators.hosting_url


@pytest.fixture
def view_registry() -> Iterator[ViewRegistry]:
    """A fresh, empty view registry for the test; the previous registrations come back afterwards."""
    with registry.isolated() as fresh:
        yield fresh
