"""Create Studio in a real browser: template, live estimate, two sandbox variations, download."""
import io

import pytest
from PIL import Image

pytestmark = pytest.mark.e2e
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_create_two_variations_and_download_one(admin_page, tmp_path):
    page = admin_page
    page.click("nav >> text=Create")
    page.wait_for_url("**/create")
    page.select_option("select[name=template_id]", "twitter_card")
    page.fill("textarea[name=prompt]", "A lighthouse at dawn")
    page.fill("input[name=num_variations]", "2")
    page.locator("#settings-summary", has_text="size 1200×600 px from the template").wait_for()
    page.locator("#cost-estimate", has_text="0 credits (sandbox").wait_for()

    # Hold the API answer until the progress indicator has been seen.
    release = []
    page.route("**/api/image-studio/create", lambda route: release.append(route))
    page.click("#generate")
    page.locator("#create-progress.active").wait_for()
    assert page.is_disabled("#generate")
    while not release:
        page.wait_for_timeout(50)
    release[0].continue_()

    page.locator("#results .result").nth(1).wait_for()
    assert page.locator("#create-progress.active").count() == 0
    cards = page.locator("#results .result")
    assert cards.count() == 2
    for index in range(2):
        assert "1200×600 px" in cards.nth(index).inner_text()
        assert "sandbox" in cards.nth(index).inner_text()

    with page.expect_download() as info:
        cards.nth(0).locator("a.download").click()
    path = tmp_path / "download.png"
    info.value.save_as(path)
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert Image.open(io.BytesIO(data)).size == (1200, 600)


def test_personas_page_create_edit_delete(admin_page):
    page = admin_page
    page.goto("/create/personas")
    page.fill("input[name=name]", "Acme")
    page.fill("input[name=brand_keywords]", "rugged, sunlit")
    page.fill("input[name=color_palette]", "#1f6f43, nope")
    page.click("#persona-save")
    page.locator("#persona-error:not(.hidden)").wait_for()
    assert "color_palette" in page.inner_text("#persona-error")
    page.fill("input[name=color_palette]", "#1f6f43")
    page.click("#persona-save")
    card = page.locator(".persona", has_text="Acme")
    card.wait_for()
    card.locator("button.edit").click()
    page.fill("input[name=name]", "Acme Outdoor")
    page.click("#persona-save")
    page.locator(".persona", has_text="Acme Outdoor").wait_for()

    page.goto("/create")
    page.locator("select[name=persona_id] option", has_text="Acme Outdoor").wait_for(state="attached")
    page.goto("/create/personas")
    page.locator(".persona button.delete").click()
    page.locator("#persona-count", has_text="0 personas").wait_for()
