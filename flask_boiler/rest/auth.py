"""Who is calling: Firebase ID tokens from ``Authorization: Bearer <token>``, checked per policy.

Tokens are verified by firebase-admin with ``check_revoked=True`` (a signed-out or
disabled user is refused at once, at the cost of one Auth lookup per request). Locally
firebase-admin itself talks to the Auth emulator when ``FIREBASE_AUTH_EMULATOR_HOST`` is
set, as the Functions emulator does for its workers; there is no switch of ours that
skips verification, so no test back door can be left on in production.

A token is attacker-controlled input to a parser we do not own, so *any* exception while
verifying it is the caller's 401, except those that are ours to fix or wait out: a project
that is not configured (raised before verification starts, so it surfaces as the 500 it
is), and Google failing to answer — certificates that cannot be fetched, or the Auth
lookup that ``check_revoked`` makes failing, timing out, throttled or cut off (503, with
``Retry-After``). The lookup runs only once the token has passed every local check, for
the user it names; its failures say nothing about the token, and a 401 would tell a front
end to sign a user out because Auth had a bad second. firebase-admin has let
``TypeError`` escape for a token without ``iat``, and ``AttributeError`` for a payload
that is not an object; neither can become a 500 here. The verified claims are then
checked once more for their times (``exp`` and ``iat`` must be numbers, the token
unexpired, not issued in the future): production verification already does, but the emulator path of
firebase-admin does not, and the same rules should hold everywhere.

A route whose policy is ``public()`` does not look at the header at all (it needs no
identity); every other route needs a valid token (401 otherwise) that the policy
accepts for the URL's path params (403 otherwise).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from flask import Request

from ..context import Context
from ..views.access import Access
from .errors import ApiError, log_client_error, log_unavailable

__all__ = ["authenticate", "authorize", "bearer_token", "check_access", "verify_token"]

#: Firebase ID tokens are 1-2 KB (custom claims are capped at 1,000 bytes).
MAX_TOKEN_LENGTH = 4096

#: Tolerated clock difference for ``iat``/``auth_time`` in the future (seconds).
_CLOCK_SKEW = 300

_INVALID = "The ID token is invalid, expired or revoked; sign in again."


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header, ``None`` without the header."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        raise ApiError(401, "Send a Firebase ID token as 'Authorization: Bearer <token>'.")
    return token


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_times(claims: Mapping[str, Any]) -> None:
    now = time.time()
    for name in ("exp", "iat"):
        if not _is_number(claims.get(name)):
            raise ValueError(f"the {name!r} claim is missing or not a number")
    if "auth_time" in claims and not _is_number(claims["auth_time"]):
        raise ValueError("the 'auth_time' claim is not a number")
    if claims["exp"] <= now:
        raise ValueError("the token has expired")
    if claims["iat"] > now + _CLOCK_SKEW or claims.get("auth_time", 0) > now + _CLOCK_SKEW:
        raise ValueError("the token was issued in the future")


def _unanswered_errors() -> tuple[type[Exception], ...]:
    """firebase-admin's errors for Google not answering (see the module docs).

    ``UnknownError``: no answer at all (a connection cut mid-response); it is also the base
    of ``CertificateFetchError``. The token's own errors are ``InvalidArgumentError`` and
    ``NotFoundError`` (a deleted user), never one of these.
    """
    from firebase_admin import exceptions

    return (
        exceptions.UnavailableError,
        exceptions.DeadlineExceededError,
        exceptions.InternalError,
        exceptions.ResourceExhaustedError,
        exceptions.UnknownError,
    )


def verify_token(token: str) -> dict[str, Any]:
    """The verified claims of a Firebase ID token (401 when invalid, expired, revoked, disabled)."""
    from firebase_admin import auth

    unanswered = _unanswered_errors()
    app = Context.firebase_app  # configuration problems are ours: raised outside the net below
    try:
        claims = auth.verify_id_token(token, app=app, check_revoked=True)
        if not isinstance(claims, Mapping):
            raise ValueError("the token's payload is not an object")
        _check_times(claims)
        return dict(claims)
    except unanswered as exc:
        log_unavailable("ID token not verified: Google did not answer", exc)
        raise ApiError(503, "Could not verify the token right now; retry shortly.") from exc
    except Exception as exc:
        log_client_error("ID token refused", reason=type(exc).__name__)
        raise ApiError(401, _INVALID) from exc


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
