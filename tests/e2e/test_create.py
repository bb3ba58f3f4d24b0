"""Create Studio in a real browser: template, live estimate, two sandbox variations, download."""
import io
import time

import pytest
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _wait_until(page, condition, message, timeout=10.0):
    """Let Playwright deliver events (route handlers run then) until condition() holds; bounded."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message
        page.wait_for_timeout(50)


def test_create_two_variations_and_download_one(admin_page, tmp_path, job_result):
    page = admin_page
    page.click("nav >> text=Create")
    page.wait_for_url("**/create")
    create_url = page.get_attribute("#create-form", "data-create-url")
    assert create_url == "/api/image-studio/create"
    page.select_option("select[name=template_id]", "twitter_card")
    page.fill("textarea[name=prompt]", "A lighthouse at dawn")
    page.fill("input[name=num_variations]", "2")
    page.locator("#settings-summary", has_text="size 1200×600 px from the template").wait_for()
    page.locator("#cost-estimate", has_text="0 credits (sandbox").wait_for()

    # Hold the API answer until the progress indicator has been seen.
    held = []
    page.route("**" + create_url, lambda route: held.append(route))
    with page.expect_response("**" + create_url) as answer:
        page.click("#generate")
        page.locator("#create-progress.active").wait_for()
        assert page.is_disabled("#generate")
        _wait_until(page, lambda: held, "the create request never reached the route")
        held[0].continue_()
    results = job_result(answer.value)["results"]

    page.locator("#results .result").nth(1).wait_for()
    expect(page.locator("#create-progress.active")).to_have_count(0)
    expect(page.locator("#generate")).to_be_enabled()
    cards = page.locator("#results .result")
    assert cards.count() == 2
    for index in range(2):
        assert "1200×600 px" in cards.nth(index).inner_text()
        assert "sandbox" in cards.nth(index).inner_text()
        # The download name is the API's file_name, not one the page derives.
        expect(cards.nth(index).locator("a.download")).to_have_attribute("download", results[index]["file_name"])
    assert results[0]["file_name"] != results[1]["file_name"]

    with page.expect_download() as info:
        cards.nth(0).locator("a.download").click()
    assert info.value.suggested_filename == results[0]["file_name"]
    assert info.value.suggested_filename.endswith(".png")
    path = tmp_path / "download.png"
    info.value.save_as(path)
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert Image.open(io.BytesIO(data)).size == (1200, 600)

    # Next steps from a result: "Use in" another studio by asset id, or "More like this".
    page.unroute("**" + create_url)
    use_in = cards.nth(0).locator("[data-use-in] a", has_text="Social")
    expect(use_in).to_have_attribute("href", f"/social?asset={results[0]['asset_id']}")
    page.eval_on_selector("input[name=seed]", "input => { input.value = '7'; }")   # a seed set (under Advanced)
    with page.expect_response("**" + create_url) as again:
        cards.nth(1).locator("button.more-like-this").click()
    sent = again.value.request.post_data_json
    assert sent["prompt"] == "A lighthouse at dawn" and sent["template_id"] == "twitter_card"
    assert sent["num_variations"] == 2 and sent.get("seed") is None          # a new seed, the same settings
    job_result(again.value)


def test_create_without_a_prompt_shows_the_error_and_sends_nothing(admin_page):
    page = admin_page
    page.goto("/create")
    sent = []
    page.on("request", lambda request: sent.append(request.url) if request.method == "POST" and
            request.url.endswith("/api/image-studio/create") else None)
    page.click("#generate")
    expect(page.locator("#create-error")).to_have_text("Please enter a prompt.")
    expect(page.locator("#create-error")).to_be_visible()
    expect(page.locator("#generate")).to_be_enabled()
    expect(page.locator("#create-progress.active")).to_have_count(0)
    assert sent == []


def test_personas_page_create_edit_delete(admin_page):
    page = admin_page
    page.goto("/create/personas")
    page.fill("input[name=name]", "Acme")
    page.fill("input[name=brand_keywords]", "rugged, sunlit")
    page.fill("input[name=color_palette]", "#1f6f43, nope")
    page.click("#persona-save")
    page.locator("#persona-error:not(.hidden)").wait_for()
    expect(page.locator("#persona-error")).to_have_text("Please check the highlighted field.")
    expect(page.locator("[data-field-error=color_palette]")).to_have_text("Entry 2: Use a colour code like #1a2b3c.")
    page.fill("input[name=color_palette]", "#1f6f43")
    expect(page.locator("[data-field-error]")).to_have_count(0)
    page.click("#persona-save")
    card = page.locator(".persona", has_text="Acme")
    card.wait_for()
    expect(page.locator("#persona-error")).to_be_hidden()
    persona_id = card.get_attribute("data-persona-id")
    card.locator("button.edit").click()
    page.fill("input[name=name]", "Acme Outdoor")
    with page.expect_request(lambda request: request.method == "PUT") as put:
        page.click("#persona-save")
    assert put.value.url.endswith(f"/api/image-studio/personas/{persona_id}")
    page.locator(".persona", has_text="Acme Outdoor").wait_for()
    expect(page.locator(".persona")).to_have_count(1)

    page.goto("/create")
    page.locator("select[name=persona_id] option", has_text="Acme Outdoor").wait_for(state="attached")
    page.goto("/create/personas")
    with page.expect_request(lambda request: request.method == "DELETE") as deleted:
        page.locator(".persona button.delete").click()
    assert deleted.value.url.endswith(f"/api/image-studio/personas/{persona_id}")
    page.locator("#persona-count", has_text="0 personas").wait_for()
