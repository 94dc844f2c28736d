"""Fixtures for the REST tests: Auth-emulator accounts and the functions-framework client."""

from __future__ import annotations

from pathlib import Path

import functions_framework
import pytest

from .auth_emulator import AuthEmulator

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def accounts(clean_firestore, clean_auth) -> AuthEmulator:
    """Make users with real ID tokens (Firestore and Auth emptied first)."""
    return AuthEmulator(clean_auth)


@pytest.fixture(scope="session")
def ff_client(emulators):
    """functions-framework's own app for ``functions/main.py``'s ``api`` (what Cloud Run runs)."""
    app = functions_framework.create_app(
        target="api", source=str(ROOT / "functions" / "main.py"), signature_type="http"
    )
    return app.test_client()
