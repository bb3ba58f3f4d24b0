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
    page.click(".template-option:has(input[value=twitter_card])")
    page.fill("textarea[name=prompt]", "A lighthouse at dawn")
    page.fill("input[name=num_variations]", "2")
    expect(page.locator("[data-summary=size]")).to_have_text("1200×600 px")
    expect(page.locator("[data-summary=variations]")).to_have_text("2")
    expect(page.locator("#cost-estimate")).to_have_text("0 credits")
    expect(page.locator("[data-summary=provider]")).to_contain_text("sandbox")

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



def _summary(page) -> dict:
    """The request summary as shown: {style, size, provider, variations, cost}."""
    return page.evaluate("""() => Object.fromEntries(Array.from(
        document.querySelectorAll('#request-summary dd[data-summary]'),
        (node) => [node.dataset.summary, node.textContent]))""")


def test_prompt_templates_brand_kit_and_generate_fit_a_1280x800_window(admin_page):
    page = admin_page
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/create")
    for selector in ("textarea[name=prompt]", "#template-grid", "select[name=persona_id]",
                     "input[name=num_variations]", "#request-summary", "#generate"):
        expect(page.locator(selector)).to_be_in_viewport(ratio=1)
    assert page.evaluate("window.scrollY") == 0
    expect(page.locator("a", has_text="manage personas")).to_have_attribute("href", "/create/personas")
    for name in ("provider", "model", "quality", "style_preset", "width", "seed", "negative_prompt"):
        expect(page.locator(f"[name={name}]")).to_be_hidden()          # under Advanced, closed
    page.click("details.advanced summary")
    expect(page.locator("select[name=provider]")).to_be_visible()


def test_the_gallerys_template_is_preselected_and_in_view(admin_page):
    page = admin_page
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/create?template=youtube_thumbnail")
    expect(page.locator("input[name=template_id][value=youtube_thumbnail]")).to_be_checked()
    expect(page.locator(".template-option:has(input[value=youtube_thumbnail])")).to_be_in_viewport(ratio=1)
    expect(page.locator("[data-summary=size]")).to_have_text("1280×720 px")
    expect(page.locator("[data-summary=style]")).to_have_text("cinematic")
    page.goto("/create?template_id=pinterest_pin")                       # the gallery's own link
    expect(page.locator("input[name=template_id][value=pinterest_pin]")).to_be_checked()


def test_a_template_card_is_picked_with_the_keyboard(admin_page):
    page = admin_page
    page.goto("/create")
    create_url = page.get_attribute("#create-form", "data-create-url")
    page.select_option("#template-platform", "twitter")
    shown = page.locator(".template-option:not(.hidden) input")
    expect(shown).to_have_count(4)                                      # No template + Twitter's three
    assert [shown.nth(i).get_attribute("value") for i in range(4)] == ["", "twitter_post", "twitter_card",
                                                                       "twitter_header"]
    page.focus("input[name=template_id][value='']")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    picked = page.locator("input[name=template_id][value=twitter_card]")
    expect(picked).to_be_checked()
    expect(picked).to_be_focused()
    expect(page.locator("[data-summary=size]")).to_have_text("1200×600 px")
    page.fill("textarea[name=prompt]", "A lighthouse at dawn")
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith(create_url)) as sent:
        page.click("#generate")
    assert sent.value.post_data_json["template_id"] == "twitter_card"


def test_the_summary_is_the_request_that_is_sent(admin_page, job_result):
    page = admin_page
    page.goto("/create")
    persona = page.evaluate("""() => ImageStudio.api('/api/image-studio/personas', {method: 'POST',
        json: {name: 'Acme', style_preset: 'anime', brand_keywords: ['rugged']}})""")
    page.reload()
    create_url = page.get_attribute("#create-form", "data-create-url")
    preview_url = page.get_attribute("#create-form", "data-preview-url")
    page.click(".template-option:has(input[value=twitter_card])")
    expect(page.locator("[data-summary=style]")).to_have_text("digital-art")     # the template's
    page.locator("select[name=persona_id] option", has_text="Acme").wait_for(state="attached")
    page.select_option("select[name=persona_id]", persona["id"])
    expect(page.locator("[data-summary=style]")).to_have_text("anime")           # the persona's beats it
    page.fill("textarea[name=prompt]", "A tent at dusk")
    page.fill("input[name=num_variations]", "3")       # sent at once: the summary must follow before the POST
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith(create_url)) as sent:
        page.click("#generate")
    body = sent.value.post_data_json
    assert body["use_persona"] is True and body["persona_id"] == persona["id"] and "style_preset" not in body
    shown = _summary(page)
    resolved = page.evaluate("([url, body]) => ImageStudio.api(url, {method: 'POST', json: body})",
                             [preview_url, body])
    assert shown["style"] == resolved["style_preset"] == "anime"
    assert shown["size"] == f"{resolved['width']}×{resolved['height']} px" == "1200×600 px"
    assert (resolved["provider"], resolved["model"]) == ("sandbox", "sandbox")
    assert shown["provider"] == f"sandbox · {resolved['quality']}"   # the sandbox's model once
    assert shown["variations"] == str(body["num_variations"]) == "3"
    assert shown["cost"] == f"{resolved['estimated_cost']:g} credits"
    applied = job_result(sent.value.response())["request"]
    assert (applied["style_preset"], applied["dimensions"], applied["provider"]) == ("anime", "1200x600",
                                                                                  resolved["provider"])

    # An explicit preset beats the persona's, in the summary and in what is sent.
    page.click("details.advanced summary")
    page.select_option("select[name=style_preset]", "line-art")
    expect(page.locator("[data-summary=style]")).to_have_text("line-art")
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith(create_url)) as again:
        page.click("#generate")
    assert again.value.post_data_json["style_preset"] == "line-art"
    assert job_result(again.value.response())["request"]["style_preset"] == "line-art"


def test_results_scroll_into_view_on_a_phone(admin_page):
    page = admin_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/create")
    page.fill("textarea[name=prompt]", "A lighthouse at dawn")
    page.locator("#generate").scroll_into_view_if_needed()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")      # no sideways scroll
    assert page.evaluate("document.getElementById('results').getBoundingClientRect().bottom > innerHeight")
    page.click("#generate")
    page.locator("#results .result img").first.wait_for()
    page.wait_for_function("""() => {
        const box = document.querySelector('#results .result img').getBoundingClientRect();
        return box.height > 100 && box.top >= 0 && box.bottom <= innerHeight; }""", polling=50)
    expect(page.locator("#results .result").first).to_contain_text("1024×1024 px")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")


def test_a_request_the_server_would_refuse_is_named_in_the_summary(admin_page):
    page = admin_page
    page.goto("/create")
    expect(page.locator("[data-summary=size]")).to_have_text("1024×1024 px")
    page.click("details.advanced summary")
    page.fill("input[name=width]", "10")
    problem = page.locator("[data-summary=problem]")
    expect(problem).to_have_text("Not ready to send: width: Choose a value from 64 to 4096.")
    expect(page.locator("[data-summary=size]")).to_have_text("—")
    page.fill("input[name=width]", "640")
    page.fill("input[name=aspect_ratio]", "16:9")
    expect(page.locator("[data-summary=size]")).to_have_text("640×360 px (16:9)")
    expect(problem).to_be_hidden()
