"""What a failed token check tells the client: the token's fault (401) or Google's (503)."""

from __future__ import annotations

import logging

import pytest
import requests
from firebase_admin import _utils, auth, exceptions, tenant_mgt  # _utils: firebase-admin's own HTTP error mapping

from flask_boiler.context import Context
from flask_boiler.rest.auth import verify_token
from flask_boiler.rest.errors import ApiError


def _http_error(status: int) -> exceptions.FirebaseError:
    """What firebase-admin raises when the Auth lookup answers ``status`` (its own mapping)."""
    response = requests.Response()
    response.status_code = status
    response._content = b"{}"
    return _utils.handle_requests_error(requests.exceptions.HTTPError(response=response))


THE_TOKENS_FAULT = [
    auth.InvalidIdTokenError("bad signature"),
    auth.ExpiredIdTokenError("expired", cause=None),
    auth.RevokedIdTokenError("revoked"),
    auth.UserDisabledError("disabled"),
    auth.UserNotFoundError("deleted since"),
    tenant_mgt.TenantIdMismatchError("other tenant"),
    ValueError("not a JWT"),
    TypeError("no iat"),  # what firebase-admin has let escape for odd payloads
    _http_error(400),  # Auth refused the uid the token names
]

GOOGLE_DID_NOT_ANSWER = [
    auth.CertificateFetchError("certificates unreachable", cause=None),
    _utils.handle_requests_error(requests.exceptions.ConnectTimeout()),
    _utils.handle_requests_error(requests.exceptions.ConnectionError()),
    _utils.handle_requests_error(requests.exceptions.ChunkedEncodingError()),  # cut off mid-answer
    _http_error(500),
    _http_error(503),
    _http_error(429),
]


@pytest.fixture
def failing_check(monkeypatch):
    """``verify_id_token`` raising the exception the test sets (no Firebase app is made)."""
    monkeypatch.setattr(Context, "_firebase_app", object())
    raised: list[BaseException] = []

    def verify_id_token(*args, **kwargs):
        raise raised[0]

    monkeypatch.setattr(auth, "verify_id_token", verify_id_token)
    return raised


CASES = [
    *(pytest.param(error, 401, logging.INFO, id=f"401-{type(error).__name__}") for error in THE_TOKENS_FAULT),
    # never a sign-out
    *(pytest.param(error, 503, logging.WARNING, id=f"503-{type(error).__name__}") for error in GOOGLE_DID_NOT_ANSWER),
]


@pytest.mark.parametrize(("error", "status", "level"), CASES)
def test_a_failed_check_is_the_tokens_401_or_googles_503(failing_check, error, status, level, caplog):
    failing_check.append(error)
    with caplog.at_level(logging.INFO, logger="flask_boiler.rest"), pytest.raises(ApiError) as failed:
        verify_token("x.y.z")
    assert failed.value.status == status
    assert [(r.levelno, r.fields) for r in caplog.records] == [(level, {"reason": type(error).__name__})]
