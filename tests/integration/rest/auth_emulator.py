"""Real Firebase Auth users and ID tokens, made through the Auth emulator's REST API.

Tokens come from the emulator exactly as a client SDK would get them
(``accounts:signUp`` / ``accounts:signInWithPassword``); custom claims are set with
firebase-admin and picked up by signing in again, as in production.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from firebase_admin import auth

from flask_boiler.context import Context
from flask_boiler.testing import EmulatorStack

API_KEY = "fake-api-key"
PASSWORD = "correct-horse-battery"


@dataclass
class Account:
    uid: str
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class AuthEmulator:
    def __init__(self, stack: EmulatorStack) -> None:
        assert stack.auth_host, "the Auth emulator is not running"
        self.base = f"http://{stack.auth_host}/identitytoolkit.googleapis.com/v1"

    def _call(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        response = requests.post(f"{self.base}/accounts:{method}?key={API_KEY}", json=body, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def sign_in(self, email: str) -> Account:
        data = self._call("signInWithPassword", {"email": email, "password": PASSWORD, "returnSecureToken": True})
        return Account(uid=data["localId"], email=email, token=data["idToken"])

    def create(self, name: str, claims: dict[str, Any] | None = None) -> Account:
        email = f"{name}@example.com"
        data = self._call("signUp", {"email": email, "password": PASSWORD, "returnSecureToken": True})
        account = Account(uid=data["localId"], email=email, token=data["idToken"])
        if claims:
            auth.set_custom_user_claims(account.uid, claims, app=Context.firebase_app)
            account = self.sign_in(email)
        return account
