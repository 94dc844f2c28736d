"""Credential objects for firebase-admin and google-cloud-firestore.

firebase-admin has no notion of emulator credentials: ``initialize_app`` insists on
a credential, and the default one (Application Default Credentials) fails on a
laptop without ``gcloud auth``. :class:`EmulatorCredential` hands out anonymous
Google credentials instead; the emulators accept any token.
"""

from __future__ import annotations

from typing import Any

import google.auth
import google.auth.credentials
import google.auth.exceptions
from firebase_admin import credentials as admin_credentials

from ..config import Config
from ..errors import ConfigurationError


class EmulatorCredential(admin_credentials.Base):  # type: ignore[misc]  # firebase-admin ships no types
    """A firebase-admin credential for the local emulators: anonymous, no key file."""

    def get_credential(self) -> google.auth.credentials.Credentials:
        return google.auth.credentials.AnonymousCredentials()


def admin_credential(config: Config) -> admin_credentials.Base:
    """The firebase-admin credential that ``config`` asks for."""
    if config.uses_emulators:
        return EmulatorCredential()
    if config.certificate_path is not None:
        return admin_credentials.Certificate(config.certificate_info())
    return admin_credentials.ApplicationDefault()


def google_credentials(config: Config) -> Any:
    """Credentials for ``google.cloud.firestore.Client``; ``None`` lets the client pick ADC."""
    if config.uses_emulators:
        return google.auth.credentials.AnonymousCredentials()
    if config.certificate_path is not None:
        from google.oauth2 import service_account

        return service_account.Credentials.from_service_account_info(
            config.certificate_info(),
            scopes=["https://www.googleapis.com/auth/cloud-platform", "https://www.googleapis.com/auth/datastore"],
        )
    try:
        credentials, _ = google.auth.default()
    except google.auth.exceptions.DefaultCredentialsError as exc:
        raise ConfigurationError(
            "No credentials for Firestore: run on Cloud Functions, set GOOGLE_APPLICATION_CREDENTIALS, "
            "pass Config(certificate_path=...), or set FIRESTORE_EMULATOR_HOST for the local emulators."
        ) from exc
    return credentials
