"""Firestore as a client app sees it: security rules applied, for asserting who may read what.

Server SDKs (the Firestore client, the ORM) bypass security rules, so a rules test must
talk to the emulator as a browser would: through the Firestore REST API with the end
user's ID token. The emulator accepts unsigned tokens (``alg: none``), so any uid and
claims can be tried without the Auth emulator; a real token from :mod:`.auth` works too::

    ann = FirestoreClient.as_user(stack, "ann")
    assert ann.can_read("userViews/ann")
    assert not ann.can_read("userViews/bob")
    assert not ann.can_read("meetings/standup")        # domain documents are closed
    assert not FirestoreClient.anonymous(stack).can_read("userViews/ann")

``can_write`` *does* the write when the rules allow it: read the data back to check that a
denied write changed nothing.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from .emulators import EmulatorStack
from .http import HttpAnswer, call

__all__ = ["FirestoreClient", "id_token_claims", "unsigned_id_token", "unsigned_jwt"]


def id_token_claims(project_id: str, uid: str | None, claims: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The claims of a Firebase ID token for ``uid``, issued now for an hour, with custom
    ``claims`` (``uid=None``: a token without a subject, to test its refusal)."""
    now = int(time.time())
    return {
        "iss": f"https://securetoken.google.com/{project_id}",
        "aud": project_id,
        "auth_time": now,
        "iat": now,
        "exp": now + 3600,
        "sub": uid,
        "user_id": uid,
        "firebase": {"identities": {}, "sign_in_provider": "custom"},
        **(claims or {}),
    }


def unsigned_jwt(payload: Any) -> str:
    """``payload`` as an unsigned JWT (``alg: none``), as the emulators accept."""

    def encode(part: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")

    return f"{encode({'alg': 'none', 'typ': 'JWT'})}.{encode(payload)}."


def unsigned_id_token(project_id: str, uid: str, claims: Mapping[str, Any] | None = None) -> str:
    """An unsigned Firebase ID token for ``uid`` with custom ``claims`` (the emulator accepts it)."""
    return unsigned_jwt(id_token_claims(project_id, uid, claims))


def _fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """Plain JSON values as Firestore REST ``Value``s (enough for rules tests)."""

    def value(item: Any) -> dict[str, Any]:
        if item is None:
            return {"nullValue": None}
        if isinstance(item, bool):
            return {"booleanValue": item}
        if isinstance(item, int):
            return {"integerValue": str(item)}
        if isinstance(item, float):
            return {"doubleValue": item}
        if isinstance(item, str):
            return {"stringValue": item}
        if isinstance(item, list):
            return {"arrayValue": {"values": [value(v) for v in item]}}
        if isinstance(item, Mapping):
            return {"mapValue": {"fields": _fields(item)}}
        raise TypeError(f"FirestoreClient writes plain JSON values, not {type(item).__name__}")

    return {key: value(item) for key, item in data.items()}


class FirestoreClient:
    """The Firestore emulator's REST API as one end user (or anonymous): rules apply."""

    def __init__(self, stack: EmulatorStack, id_token: str | None = None) -> None:
        self._base = f"http://{stack.firestore_host}/v1/projects/{stack.project_id}/databases/(default)/documents"
        self._headers = {"Authorization": f"Bearer {id_token}"} if id_token else {}

    @classmethod
    def as_user(cls, stack: EmulatorStack, uid: str, claims: Mapping[str, Any] | None = None) -> FirestoreClient:
        """A client signed in as ``uid`` with custom ``claims`` (an unsigned token)."""
        return cls(stack, unsigned_id_token(stack.project_id, uid, claims))

    @classmethod
    def anonymous(cls, stack: EmulatorStack) -> FirestoreClient:
        """A client that is not signed in."""
        return cls(stack)

    def _call(self, method: str, path: str, body: Any = None) -> HttpAnswer:
        return call(method, f"{self._base}/{quote(path.strip('/'))}", body=body, headers=self._headers)

    def get(self, path: str) -> HttpAnswer:
        """``GET`` the document (200 with it, 404 when allowed but missing, 403 when denied)."""
        return self._call("GET", path)

    def can_read(self, path: str) -> bool:
        """Whether the rules let this user read the document at ``path`` (existing or not)."""
        return self.get(path).status in (200, 404)

    def can_list(self, collection: str) -> bool:
        """Whether the rules let this user list (query) the collection at ``collection``."""
        return self._call("GET", collection).status == 200

    def can_write(self, path: str, data: Mapping[str, Any]) -> bool:
        """Try to set the document at ``path`` to ``data``; whether the rules allowed it (it is written then)."""
        return self._call("PATCH", path, {"fields": _fields(data)}).status == 200

    def can_delete(self, path: str) -> bool:
        """Try to delete the document at ``path``; whether the rules allowed it (it is deleted then)."""
        return self._call("DELETE", path).status == 200
