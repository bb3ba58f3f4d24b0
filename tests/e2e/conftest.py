"""Browser fixtures: the app on a loopback port and Debian's headless Chromium via Playwright."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@pytest.fixture
def live_server(make_app):
    """Serve a fresh app on 127.0.0.1; yields (base_url, app)."""
    app = make_app()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed: run `apt-get install -y chromium` (as .ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server):
    """A page whose requests may only go to the live server: anything else fails the test."""
    base_url, _ = live_server
    context = browser.new_context(base_url=base_url, accept_downloads=True)
    outside: list[str] = []

    def guard(route):
        if route.request.url.startswith(base_url) or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    tab = context.new_page()
    tab.set_default_timeout(15000)
    yield tab
    context.close()
    assert outside == [], f"page requested off-site resources: {outside}"


ADMIN_EMAIL, ADMIN_PASSWORD = "admin@example.com", "a-long-admin-password"


@pytest.fixture
def admin_page(page):
    """The browser page after creating the first administrator through /setup (signed in)."""
    page.goto("/")
    page.fill("input[name=email]", ADMIN_EMAIL)
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.fill("input[name=confirm]", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    return page
