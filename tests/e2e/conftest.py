"""Browser fixtures: the app on a loopback port and Debian's headless Chromium via Playwright."""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@contextmanager
def serving(app):
    """Serve `app` on 127.0.0.1 for the block; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def live_server(make_app):
    """Serve a fresh app on 127.0.0.1; yields (base_url, app)."""
    app = make_app()
    with serving(app) as base_url:
        yield base_url, app


@pytest.fixture
def provider_server(provider_config, make_app):
    """The app with every provider at its fake (slow calls allowed) and a quick job heartbeat,
    so a cancel stops a running job at once; a module uses it as its `live_server`."""
    app = make_app(**{**provider_config, "PROVIDER_TIMEOUT": 15.0, "JOBS_HEARTBEAT": 0.1})
    with serving(app) as base_url:
        yield base_url, app


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


@pytest.fixture
def job_result(page):
    """The synchronous body of the job a studio page started (its 202 answer), once finished."""
    def wait(accepted, timeout: float = 30.0) -> dict:
        assert accepted.status == 202, accepted.status
        status_url = accepted.json()["status_url"]
        deadline = time.monotonic() + timeout
        while True:
            doc = page.evaluate("url => ImageStudio.api(url)", status_url)
            if doc["status"] in ("succeeded", "failed", "cancelled"):
                break
            assert time.monotonic() < deadline, f"job still {doc['status']} after {timeout} s"
            page.wait_for_timeout(100)
        assert doc["status"] == "succeeded", doc
        return doc["result"]
    return wait


ADMIN_EMAIL, ADMIN_PASSWORD = "admin@example.com", "a-long-admin-password"


def set_up_admin(page) -> None:
    """Create the first administrator through the /setup form the page shows; signed in after."""
    page.fill("input[name=email]", ADMIN_EMAIL)
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.fill("input[name=confirm]", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


@pytest.fixture
def admin_page(page):
    """The browser page after creating the first administrator through /setup (signed in)."""
    page.goto("/")
    set_up_admin(page)
    return page
