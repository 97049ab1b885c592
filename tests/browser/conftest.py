"""Browser fixtures: Debian's Chromium driven by Playwright, and a live server on 127.0.0.1.

Without /usr/bin/chromium the browser tests skip loudly; in CI (CI=true) that is a failure instead.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Iterator

import pytest

from tests.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.live_server import LiveServer
from tests.utils import ADMIN_TOKEN, TEST_SCRYPT_N


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """The system Chromium; skip (or fail in CI) when it is missing."""
    if not CHROMIUM.exists():
        message = f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message + " -- CI=true, so a missing browser is a failure", pytrace=False)
        print(f"\n*** SKIPPING BROWSER TESTS: {message} ***")
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path):
    """One headless Chromium for the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=str(chromium_path), headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def live_settings(tmp_path_factory):
    """Settings for a module's live server, in their own data dir; a cheap scrypt, since tests sign people up."""
    from server.settings import Settings

    return Settings(data_dir=tmp_path_factory.mktemp("live") / "var", admin_token=ADMIN_TOKEN, scrypt_n=TEST_SCRYPT_N)


@pytest.fixture(scope="session")
def demo_data_dir(tmp_path_factory) -> Path:
    """A data dir holding the small demo catalog (12 products, variants built), imported once per session."""
    from catalog.demo import write_demo_catalog
    from server.cli.main import main as cli_main

    data_dir = tmp_path_factory.mktemp("demo-template") / "var"
    demo = write_demo_catalog(data_dir / "demo", count=12, seed=3)
    env = {"LASTMILE_DATA_DIR": str(data_dir), "LASTMILE_ADMIN_TOKEN": ADMIN_TOKEN}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        assert 0 == cli_main(["import-catalog", str(demo), "--quiet"])
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return data_dir


@pytest.fixture(scope="module")
def live_server(live_settings, demo_data_dir) -> Iterator[LiveServer]:
    """The whole app with a small demo catalog (12 products with photo-like images), served for real.

    Each module gets its own copy of the session's demo data dir, so modules never see each other's
    shoppers while the (slow) variant encoding happens once.
    """
    from server.app import create_app

    shutil.copytree(demo_data_dir, live_settings.data_dir, dirs_exist_ok=True)
    with LiveServer(create_app(live_settings)) as server:
        yield server


# Puts `lm.load(name)` on a page: imports pwa/<name>.js by the hashed URL the live server's worker precaches.
MODULE_LOADER = """() => {
  window.lm = {
    async load(name) {
      const sw = await (await fetch("/sw.js")).text();
      const urls = JSON.parse(sw.match(/const PRECACHE = (\\[.*\\]);/)[1]).map((entry) => entry.url);
      const url = urls.find((u) => u.startsWith(`/static/${name}.`) && /^[0-9a-f]+\\.js$/.test(u.slice(name.length + 9)));
      if (!url) throw new Error(`no pwa/${name}.js in the bundle`);
      return import(url);
    },
  };
}"""


@pytest.fixture(scope="module")
def bare_server(live_settings) -> Iterator[LiveServer]:
    """The app served for real with an empty catalog (for tests that need only its origin and the bundle)."""
    from server.app import create_app

    with LiveServer(create_app(live_settings)) as server:
        yield server


@pytest.fixture(scope="module")
def module_pages(browser, bare_server):
    """Opens a blank page of a live server's origin (no app shell, no service worker), each in a browser
    context of its own (its own IndexedDB), where ``lm.load(name)`` imports one pwa/ module on its own."""
    contexts = []

    def open_page():
        context = browser.new_context(service_workers="block")
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{bare_server.url}/health")
        page.evaluate(MODULE_LOADER)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def module_page(module_pages):
    """One blank page for a module's pure-module tests (see module_pages)."""
    return module_pages()


@pytest.fixture
def db_kind() -> str:
    """Browser tests stay on SQLite: they cover the pages, and the API tests cover both databases."""
    return "sqlite"
