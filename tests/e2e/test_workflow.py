"""A marketer's walks across studios, each by clicks alone: a Create result carried into Social
and downloaded per format, and a Library image picked into Edit, both by asset id (no bytes
uploaded again)."""
import io

import pytest
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

CREATE = "/api/image-studio/create"
OPTIMIZE = "/api/image-studio/social/optimize"


def parent_of(page, asset_id: str) -> str | None:
    """The Library's record of what an asset was made from."""
    listing = page.evaluate("() => ImageStudio.api('/api/image-studio/assets?per_page=100')")
    return next(a["parent_asset_id"] for a in listing["assets"] if a["id"] == asset_id)


def test_create_then_use_in_social_then_download_each_format(admin_page, tmp_path, job_result):
    page = admin_page
    page.click("nav >> text=Create")
    page.wait_for_url("**/create")
    page.fill("textarea[name=prompt]", "Iced latte on a sunny terrace")
    with page.expect_response("**" + CREATE) as created:
        page.click("#generate")
    asset_id = job_result(created.value)["results"][0]["asset_id"]
    card = page.locator("#results .result").first
    card.locator("[data-use-in] a", has_text="Social").click()
    page.wait_for_url(f"**/social?asset={asset_id}")
    expect(page.locator("#upload-info")).to_contain_text("from your library")

    page.check("input[name=platforms][value=linkedin]")
    formats = page.locator("[data-formats-for=linkedin] input[type=checkbox]")
    formats.first.wait_for()
    wanted = ["Feed Post", "Company Cover"]
    for index in range(formats.count()):
        box = formats.nth(index)
        box.set_checked(box.get_attribute("value") in wanted)
    with page.expect_request("**" + OPTIMIZE) as sent:
        with page.expect_response("**" + OPTIMIZE) as answer:
            page.click("#optimize")
    body = sent.value.post_data_json
    assert body["image_asset_id"] == asset_id and "image_base64" not in body
    results = job_result(answer.value)["results"]
    assert [r["format"] for r in results] == wanted
    assert {parent_of(page, r["asset_id"]) for r in results} == {asset_id}

    cards = page.locator("#results .result:not(.pending)")
    expect(cards).to_have_count(2)
    for index, result in enumerate(results):
        with page.expect_download() as info:
            cards.nth(index).locator("a.download").click()
        assert info.value.suggested_filename == result["file_name"]
        path = tmp_path / result["file_name"]
        info.value.save_as(path)
        assert Image.open(path).size == (result["width"], result["height"])
    assert [(r["width"], r["height"]) for r in results] == [(1200, 628), (1128, 191)]


def test_pick_from_the_library_into_edit(admin_page, job_result):
    page = admin_page
    made = page.evaluate("""() => ImageStudio.api('/api/image-studio/create', {method: 'POST', json: {
        prompt: 'A blue boat on a calm lake', provider: 'sandbox', width: 400, height: 300}})""")
    asset_id = made["results"][0]["asset_id"]
    page.click("nav >> text=Edit")
    page.wait_for_url("**/edit")
    page.click("[data-upload=image] [data-library-open]")
    dialog = page.locator("dialog[data-library]")
    expect(dialog.locator(".library-item")).to_have_count(1)
    dialog.locator(f".library-item[data-asset='{asset_id}']").click()
    expect(dialog).not_to_be_visible()
    expect(page.locator("[data-upload=image] .upload-info")).to_contain_text("400×300 px")

    page.select_option("select[name=operation]", "remove_background")
    with page.expect_request("**/api/image-studio/edit/process") as sent:
        with page.expect_response("**/api/image-studio/edit/process") as answer:
            page.click("#edit-form button[type=submit]")
    body = sent.value.post_data_json
    assert body["image_asset_id"] == asset_id and "image_base64" not in body
    result = job_result(answer.value)
    assert parent_of(page, result["asset_id"]) == asset_id
    panel = page.locator("[data-result]")
    expect(panel).to_be_visible()
    data = page.evaluate("async (url) => Array.from(new Uint8Array(await (await fetch(url)).arrayBuffer()))",
                         result["url"])
    assert Image.open(io.BytesIO(bytes(data))).size == (400, 300)


def test_more_like_this_from_the_library_reopens_create_with_the_images_settings(admin_page, job_result):
    page = admin_page
    persona = page.evaluate("""() => ImageStudio.api('/api/image-studio/personas', {method: 'POST',
        json: {name: 'Cafe Luna', style_preset: 'cinematic'}})""")
    asked = {"prompt": "A lighthouse at dawn", "provider": "sandbox", "template_id": "twitter_card",
             "style_preset": "line-art", "quality": "draft", "negative_prompt": "text", "num_variations": 2,
             "seed": 5, "enhance_prompt": False, "use_persona": True, "persona_id": persona["id"]}
    made = page.evaluate("body => ImageStudio.api('/api/image-studio/create', {method: 'POST', json: body})", asked)
    asset_id = made["results"][1]["asset_id"]

    page.click("nav >> text=Library")
    page.locator(f".result[data-asset-id='{asset_id}'] a.more-like-this").click()
    page.wait_for_url(f"**/create?like={asset_id}")
    expect(page.locator("#like-notice")).to_contain_text(made["results"][1]["file_name"])
    expect(page.locator("select[name=persona_id]")).to_have_value(persona["id"])   # filled once loaded
    form = page.evaluate("""() => { const f = document.getElementById('create-form').elements;
        return {prompt: f.prompt.value, template_id: f.template_id.value, provider: f.provider.value,
                style_preset: f.style_preset.value, quality: f.quality.value, seed: f.seed.value,
                negative_prompt: f.negative_prompt.value, num_variations: f.num_variations.value,
                enhance_prompt: f.enhance_prompt.checked, use_persona: f.use_persona.checked}; }""")
    assert form == {"prompt": "A lighthouse at dawn", "template_id": "twitter_card", "provider": "sandbox",
                    "style_preset": "line-art", "quality": "draft", "seed": "", "negative_prompt": "text",
                    "num_variations": "2", "enhance_prompt": False, "use_persona": True}
    expect(page.locator("[data-summary=size]")).to_have_text("1200×600 px")
    expect(page.locator("[data-summary=style]")).to_have_text("line-art")

    with page.expect_request("**" + CREATE) as sent:
        with page.expect_response("**" + CREATE) as again:
            page.click("#generate")
    body = sent.value.post_data_json
    assert {key: value for key, value in asked.items() if key != "seed"} == \
        {key: body[key] for key in asked if key != "seed"}
    assert "seed" not in body
    seeds = [r["seed"] for r in job_result(again.value)["results"]]
    assert seeds != [r["seed"] for r in made["results"]]
