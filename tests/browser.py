"""Chromium as the browser tests run it (Debian's package, headless, in a container)."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

#: No sandbox (containers run as root), no GPU or QUIC, and nothing that calls home.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch_chromium(playwright: Any) -> Any:
    """Headless Debian Chromium through ``playwright`` (which downloads no browser here)."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("Chromium is not installed: run `make setup` (installs Debian's chromium).")
    return playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
