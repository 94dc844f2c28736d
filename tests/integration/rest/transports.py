"""The same requests through two ways in: functions-framework's test client, and real HTTP
to the ``api`` function running in the Functions emulator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests


@dataclass
class Reply:
    status: int
    body: Any
    headers: Any  # case-insensitive (werkzeug Headers / requests CaseInsensitiveDict)
    text: str


class FunctionsFrameworkTransport:
    name = "functions-framework"

    def __init__(self, client: Any) -> None:
        self.client = client

    def request(self, method: str, path: str, *, json: Any = None, headers: dict | None = None, **kwargs: Any) -> Reply:
        response = self.client.open(path, method=method, json=json, headers=headers or {}, **kwargs)
        text = response.get_data(as_text=True)
        return Reply(response.status_code, response.get_json(silent=True), response.headers, text)


class EmulatorTransport:
    name = "functions-emulator"

    def __init__(self, stack: Any) -> None:
        self.stack = stack
        self.session = requests.Session()

    def request(self, method: str, path: str, *, json: Any = None, headers: dict | None = None, **kwargs: Any) -> Reply:
        if "data" in kwargs and "content_type" in kwargs:
            headers = {**(headers or {}), "Content-Type": kwargs.pop("content_type")}
        response = self.session.request(
            method, self.stack.function_url("api", path), json=json, headers=headers or {}, timeout=60, **kwargs
        )
        try:
            body = response.json()
        except ValueError:
            body = None
        return Reply(response.status_code, body, response.headers, response.text)
