"""Fixtures for browser tests: the built web page served with the stack's config, and Chromium."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flask_boiler.testing.web import StaticSite, build_web, web_config

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
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
def web_site(emulators):
    build_web(ROOT)
    site = StaticSite(WEB, web_config(emulators))
    yield site
    site.close()


@pytest.fixture
def browser_page(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 900, "height": 700})
        yield page
        browser.close()
