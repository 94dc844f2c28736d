"""Fixtures for browser tests: the page served by the Hosting emulator, and Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from flask_boiler.testing.web import build_web
from tests.browser import launch_chromium

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture
def site_url(hosting_url) -> str:
    """The page, as Firebase Hosting serves it (the emulator reads web/ from disk: build it first)."""
    build_web(ROOT)
    return hosting_url("/")


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
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
