"""First run in a real browser: set up the admin, sign in, browse the template gallery."""
import pytest

pytestmark = pytest.mark.e2e
PASSWORD = "a-long-admin-password"


def test_first_admin_login_and_template_gallery(page):
    page.goto("/")
    assert page.url.endswith("/setup")
    page.fill("input[name=email]", "admin@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=confirm]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    assert "admin@example.com" in page.inner_text("header")

    page.click("text=Sign out")
    page.wait_for_url("**/login")
    page.fill("input[name=email]", "admin@example.com")
    page.fill("input[name=password]", "wrong-password!")
    page.click("button[type=submit]")
    assert "Invalid email or password" in page.inner_text(".alert.error")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")

    page.click("nav >> text=More")
    page.click("nav >> text=Templates")
    page.wait_for_url("**/templates")
    assert page.locator(".template-card").count() == 26
    page.select_option("select[name=platform]", "linkedin")
    page.wait_for_url("**platform=linkedin**")
    assert page.locator(".template-card").count() == 4
    assert "1200×628 px" in page.inner_text("[data-template-id=linkedin_post]")

    page.fill("input[name=q]", "cover")
    page.click("text=Apply")
    page.wait_for_url("**q=cover**")
    ids = page.locator(".template-card").evaluate_all("cards => cards.map(c => c.dataset.templateId)")
    assert ids[0] == "linkedin_cover"

    page.click("text=Clear")
    page.fill("input[name=q]", "zzzz nothing")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**q=zzzz**")
    assert "No template matches" in page.inner_text(".templates")


def test_api_docs_render_offline(page, live_server):
    page.goto("/api/docs")
    page.wait_for_selector(".swagger-ui .info", timeout=20000)
    assert "Image Studio API" in page.inner_text(".swagger-ui .info")
