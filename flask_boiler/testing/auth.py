"""Firebase Auth users and ID tokens from the Auth emulator, for tests and seeds.

Tokens are made the way a client app gets them — ``accounts:signUp`` /
``accounts:signInWithPassword`` / ``accounts:signInWithCustomToken`` on the emulator's
REST API — so code under test verifies real (emulator-issued) ID tokens, with the same
``firebase_admin.auth.verify_id_token(..., check_revoked=True)`` it runs in production::

    users = AuthEmulator(stack)                 # or the ``auth_emulator`` fixture
    ann = users.create_user("ann", email="ann@example.com", claims={"organizer": True})
    requests.get(url, headers=ann.headers)      # Authorization: Bearer <ann's ID token>

firebase-admin's own calls need ``app=Context.firebase_app``: the framework's Firebase app
is a named one, so ``auth.create_user(...)`` without ``app=`` fails with "The default
Firebase app does not exist" — these helpers pass it for you.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from firebase_admin import auth

from ..context import Context
from ..errors import FlaskBoilerError
from .emulators import EmulatorStack, clear_auth
from .http import call

__all__ = ["API_KEY", "AuthEmulator", "AuthEmulatorError", "SignedInUser"]

#: Any key works with the emulator; client SDKs send one, so the helpers do too.
API_KEY = "fake-api-key"
DEFAULT_PASSWORD = "password-for-tests"


class AuthEmulatorError(FlaskBoilerError):
    """The Auth emulator refused a call (or is not running); the message carries its answer."""


@dataclass(frozen=True)
class SignedInUser:
    """A user of the Auth emulator and a fresh ID token for them."""

    uid: str
    id_token: str
    email: str | None = None
    password: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        """``Authorization: Bearer <ID token>``, as a client sends it."""
        return {"Authorization": f"Bearer {self.id_token}"}


class AuthEmulator:
    """The Auth emulator of ``stack``: create users, sign them in, set claims, clear everything."""

    def __init__(self, stack: EmulatorStack) -> None:
        if not stack.auth_host:
            raise AuthEmulatorError("the Auth emulator is not running in this stack (start it with 'auth').")
        self.stack = stack
        self._base = f"http://{stack.auth_host}/identitytoolkit.googleapis.com/v1"

    def _accounts(self, method: str, body: Mapping[str, Any]) -> dict[str, Any]:
        answer = call("POST", f"{self._base}/accounts:{method}?key={API_KEY}", body=dict(body))
        if not answer.ok:
            raise AuthEmulatorError(
                f"accounts:{method} answered {answer.status}: {answer.body.decode(errors='replace')}"
            )
        result: dict[str, Any] = answer.json()
        return result

    def create_user(
        self,
        uid: str | None = None,
        *,
        email: str | None = None,
        password: str | None = None,
        display_name: str | None = None,
        claims: Mapping[str, Any] | None = None,
    ) -> SignedInUser:
        """A new account (replacing one with the same uid), signed in: its ID token carries ``claims``.

        Without ``email`` the user signs in with a custom token; with one, with the password
        (``password`` defaults to a fixed test password).
        """
        uid = uid or uuid.uuid4().hex[:20]
        app = Context.firebase_app
        with contextlib.suppress(auth.UserNotFoundError):
            auth.delete_user(uid, app=app)
        if email is not None:
            password = password or DEFAULT_PASSWORD
        auth.create_user(uid=uid, email=email, password=password, display_name=display_name, app=app)
        if claims:
            auth.set_custom_user_claims(uid, dict(claims), app=app)
        if email is not None and password is not None:
            return self.sign_in(email, password)
        return SignedInUser(uid=uid, id_token=self.id_token(uid))

    def sign_in(self, email: str, password: str) -> SignedInUser:
        """Sign in with email and password, as a client app does."""
        data = self._accounts("signInWithPassword", {"email": email, "password": password, "returnSecureToken": True})
        return SignedInUser(uid=data["localId"], id_token=data["idToken"], email=email, password=password)

    def id_token(self, uid: str, claims: Mapping[str, Any] | None = None) -> str:
        """An ID token for the existing user ``uid`` (through a custom token, with extra ``claims``)."""
        custom = auth.create_custom_token(uid, dict(claims) if claims else None, app=Context.firebase_app)
        data = self._accounts("signInWithCustomToken", {"token": custom.decode(), "returnSecureToken": True})
        token: str = data["idToken"]
        return token

    def set_claims(self, uid: str, claims: Mapping[str, Any]) -> None:
        """Set custom claims; tokens issued afterwards carry them (as in production)."""
        auth.set_custom_user_claims(uid, dict(claims), app=Context.firebase_app)

    def clear(self) -> None:
        """Delete every account."""
        clear_auth(self.stack)
