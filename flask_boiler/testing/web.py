"""Serve a front end's static files plus a generated ``config.json`` (emulator hosts, project id).

The page learns where the emulators and the REST function listen from ``config.json``, so
the same build works on any ports (tests pick free ones, ``make dev`` the configured ones).
Used by ``make dev`` and by browser tests.
"""

from __future__ import annotations

import functools
import json
import subprocess
import threading
from collections.abc import Mapping
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from ..errors import FlaskBoilerError
from .emulators import EmulatorStack

__all__ = ["StaticSite", "WebBuildError", "build_web", "web_config"]


class WebBuildError(FlaskBoilerError):
    """The front end cannot be bundled (esbuild is not installed)."""


class _Handler(SimpleHTTPRequestHandler):
    site_config: bytes = b"{}"

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] == "/config.json":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(self.site_config)))
            self.end_headers()
            self.wfile.write(self.site_config)
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:  # keep test and dev output quiet
        pass


class StaticSite:
    """A running static file server (a daemon thread); ``url`` is its base address."""

    def __init__(self, directory: Path, config: Mapping[str, Any], host: str = "127.0.0.1", port: int = 0) -> None:
        handler = type("SiteHandler", (_Handler,), {"site_config": json.dumps(dict(config)).encode()})
        self._server = ThreadingHTTPServer((host, port), functools.partial(handler, directory=str(directory)))
        self._thread = threading.Thread(target=self._server.serve_forever, name="static-site", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def build_web(root: Path) -> Path:
    """Bundle ``web/src/app.js`` with the project's esbuild into ``web/dist/app.js`` when stale."""
    web = root / "web"
    bundle = web / "dist" / "app.js"
    sources = list((web / "src").rglob("*.js"))
    if bundle.exists() and sources and bundle.stat().st_mtime >= max(p.stat().st_mtime for p in sources):
        return bundle
    esbuild = root / "node_modules" / ".bin" / "esbuild"
    if not esbuild.exists():
        raise WebBuildError(f"{esbuild} is missing: run `make setup` (npm ci) first.")
    subprocess.run(
        [
            str(esbuild),
            "web/src/app.js",
            "--bundle",
            "--format=esm",
            "--target=es2022",
            "--minify",
            "--outfile=web/dist/app.js",
            "--log-level=warning",
        ],
        cwd=root,
        check=True,
    )
    return bundle


def web_config(stack: EmulatorStack, api_function: str = "api") -> dict[str, Any]:
    """What the page needs to reach ``stack``."""
    return {
        "projectId": stack.project_id,
        "apiKey": "demo-api-key",
        "firestoreHost": stack.firestore_host,
        "authHost": stack.auth_host,
        "apiBase": stack.function_url(api_function) if stack.functions_host else None,
    }
