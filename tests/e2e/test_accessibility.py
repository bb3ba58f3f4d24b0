"""axe-core (the npm package in tests/e2e/axe, installed by `make test` and .ci/run) on every
page the app serves: each HTML page without URL arguments, found from the URL map so a new page
is checked without being listed here, plus pages with arguments, results and errors on screen,
at desktop and phone widths. Every axe rule that is not experimental must pass."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import ADMIN_EMAIL, set_up_admin

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
NOT_PAGES = ("/api", "/static", "/metrics", "/healthz", "/favicon.ico")
DESKTOP, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}


@pytest.fixture
def axe_page(browser, live_server):
    """A page that may inject axe-core: the app's Content-Security-Policy forbids inline
    scripts, which is what Playwright's add_script_tag adds."""
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed at {AXE}: run `npm ci --prefix tests/e2e/axe` "
                    "(`make test` and .ci/run do)")
    base_url, app = live_server
    context = browser.new_context(base_url=base_url, bypass_csp=True)
    tab = context.new_page()
    tab.set_default_timeout(15000)
    yield tab, app
    context.close()


def violations(page) -> list[str]:
    """axe's violations on the page as it is now, one readable line per failing node."""
    if not page.evaluate("() => 'axe' in window"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .flatMap(v => v.nodes.map(n => `${v.id} (${v.impact}): ${n.target.join(' ')} :: ${n.failureSummary}`))""")
    return found


def check(page, where: str) -> list[str]:
    page.wait_for_load_state("networkidle")
    return [f"{where}: {line}" for line in violations(page)]


def plain_pages(app) -> list[str]:
    return sorted(rule.rule for rule in app.url_map.iter_rules()
                  if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith(NOT_PAGES))


def sign_up(page) -> list[str]:
    """The setup page's violations, then the first administrator's setup."""
    found = []
    page.goto("/setup")
    found += check(page, "/setup")
    set_up_admin(page)
    return found


def test_every_page_has_no_axe_violations(axe_page):
    page, app = axe_page
    found = sign_up(page)
    asset = page.evaluate("""() => ImageStudio.api('/api/image-studio/create', {method: 'POST', json: {
        prompt: 'Iced latte on a terrace', provider: 'sandbox', width: 320, height: 200,
        template_id: 'linkedin_post', num_variations: 2}})""")["results"][0]["asset_id"]
    pages = plain_pages(app)
    assert {"/", "/create", "/library", "/social", "/usage", "/templates"} <= set(pages), pages
    for path in pages + [f"/library/{asset}", "/no-such-page"]:
        if path in ("/login", "/setup"):
            continue
        page.set_viewport_size(DESKTOP)
        page.goto(path)
        found += check(page, f"{path} at {DESKTOP['width']}px")
        page.set_viewport_size(PHONE)   # the same page laid out for a phone, without a reload
        found += [f"{path} at {PHONE['width']}px: {line}" for line in violations(page)]
    assert found == [], "\n".join(found)


def test_pages_with_results_and_errors_on_screen_have_no_axe_violations(axe_page):
    page, _ = axe_page
    found = sign_up(page)
    page.goto("/create")
    page.fill("textarea[name=prompt]", "Modern minimalist workspace with laptop")
    page.click("#generate")
    page.wait_for_selector("#results .result img")
    found += check(page, "/create with results")

    page.goto("/create")
    page.click("#generate")   # no prompt: the error appears at the field
    page.wait_for_selector("[data-error]:not(.hidden), .field-error:not(:empty)")
    found += check(page, "/create with an error")

    page.context.clear_cookies()
    page.goto("/login")
    page.fill("input[name=email]", ADMIN_EMAIL)
    page.fill("input[name=password]", "wrong-password!")
    page.click("button[type=submit]")
    page.wait_for_selector(".alert.error")
    found += check(page, "/login with an error")
    assert found == [], "\n".join(found)
