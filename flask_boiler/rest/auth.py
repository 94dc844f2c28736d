"""Who is calling: Firebase ID tokens from ``Authorization: Bearer <token>``, checked per policy.

Tokens are verified by firebase-admin with ``check_revoked=True`` (a signed-out or
disabled user is refused at once, at the cost of one Auth lookup per request). Locally
firebase-admin itself talks to the Auth emulator when ``FIREBASE_AUTH_EMULATOR_HOST`` is
set, as the Functions emulator does for its workers; there is no switch of ours that
skips verification, so no test back door can be left on in production.

A route whose policy is ``public()`` does not look at the header at all (it needs no
identity); every other route needs a valid token (401 otherwise) that the policy
accepts for the URL's path params (403 otherwise).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Request

from ..context import Context
from ..views.access import Access
from .errors import ApiError

__all__ = ["authenticate", "authorize", "bearer_token", "check_access", "verify_token"]

_MAX_TOKEN_LENGTH = 8192


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header, ``None`` without the header."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > _MAX_TOKEN_LENGTH:
        raise ApiError(401, "Send a Firebase ID token as 'Authorization: Bearer <token>'.")
    return token


def verify_token(token: str) -> dict[str, Any]:
    """The verified claims of a Firebase ID token (401 when invalid, expired, revoked, disabled)."""
    from firebase_admin import auth, exceptions

    try:
        return dict(auth.verify_id_token(token, app=Context.firebase_app, check_revoked=True))
    except (auth.CertificateFetchError, exceptions.UnavailableError) as exc:
        raise ApiError(503, "Could not verify the token right now; retry.") from exc
    except (ValueError, exceptions.FirebaseError) as exc:
        # InvalidIdTokenError, ExpiredIdTokenError, RevokedIdTokenError, UserDisabledError,
        # UserNotFoundError (a deleted user), or a token that is not a JWT at all.
        raise ApiError(401, "The ID token is invalid, expired or revoked; sign in again.") from exc


def authenticate(policy: Access, request: Request) -> dict[str, Any] | None:
    """The caller's verified claims; ``None`` on public routes; 401 when a needed token is missing or bad."""
    if not policy.requires_sign_in:
        return None
    token = bearer_token(request)
    if token is None:
        raise ApiError(401, "Sign in: this resource needs a Firebase ID token ('Authorization: Bearer <token>').")
    return verify_token(token)


def check_access(policy: Access, claims: Mapping[str, Any] | None, path_params: Mapping[str, str]) -> None:
    """403 unless ``policy`` lets ``claims`` reach the resource at ``path_params``."""
    if policy.requires_sign_in and not policy.allows(claims, path_params):
        raise ApiError(403, "Your account may not access this resource.")


def authorize(policy: Access, request: Request, path_params: Mapping[str, str]) -> dict[str, Any] | None:
    """Both steps, for requests whose key is known from the URL alone (reads, updates, deletes)."""
    claims = authenticate(policy, request)
    check_access(policy, claims, path_params)
    return claims
