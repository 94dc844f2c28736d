"""Fixtures for browser tests: the page served by the Hosting emulator, and Chromium."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flask_boiler.testing.web import build_web

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("Chromium is not installed: run `make setup` (installs Debian's chromium).")
    return path


@pytest.fixture
def site_url(hosting_url) -> str:
    """The page, as Firebase Hosting serves it (the emulator reads web/ from disk: build it first)."""
    build_web(ROOT)
    return hosting_url("/")


@pytest.fixture
def browser_page(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 900, "height": 900})
        messages: list[str] = []
        page.on("console", lambda message: messages.append(f"console.{message.type}: {message.text}"))
        page.on("pageerror", lambda error: messages.append(f"page error: {error}"))
        page.on(
            "response",
            lambda response: response.status >= 400 and messages.append(f"{response.status} {response.url}"),
        )
        yield page
        print("\n".join(messages))  # shown when the test fails
        browser.close()
