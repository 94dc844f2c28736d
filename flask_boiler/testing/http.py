"""One small HTTP client for the emulators' REST APIs (standard library only).

The testing kit talks to the emulators' REST endpoints (resetting data, Auth accounts,
Firestore as a client app sees it). Those are a handful of JSON calls on loopback, so the
standard library does it and the kit needs no HTTP package in a project's test venv.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib import error as urlerror
from urllib import request as urlrequest

__all__ = ["HttpAnswer", "call"]


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def call(
    method: str,
    url: str,
    *,
    body: Any = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 30.0,
) -> HttpAnswer:
    """``method url`` with ``body`` sent as JSON (if not ``None``); HTTP errors are answers too."""
    data = None if body is None else json.dumps(body).encode("utf-8")
    all_headers = {"Content-Type": "application/json"} if data is not None else {}
    all_headers.update(headers or {})
    request = urlrequest.Request(url, data=data, method=method, headers=all_headers)
    try:
        with urlrequest.urlopen(request, timeout=timeout) as response:
            return HttpAnswer(int(response.status), response.read())
    except urlerror.HTTPError as exc:
        return HttpAnswer(exc.code, exc.read())
