"""Linked studios in a real browser: "Use in …" from a Library card and from a result opens the
next studio with that image, which is then sent by asset id, never uploaded again."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_library_to_upscale_to_social_to_compress_without_reuploading(admin_page, job_result):
    page = admin_page
    created = page.evaluate("""async () => ImageStudio.api('/api/image-studio/create', {method: 'POST', json: {
        prompt: 'a lighthouse at dawn', provider: 'sandbox', width: 320, height: 200}})""")
    asset_id = created["results"][0]["asset_id"]

    page.goto("/library")
    card = page.locator(f"[data-asset-id='{asset_id}']")
    card.locator("[data-use-in] a", has_text="Upscale").click()
    page.wait_for_url(f"**/upscale?asset={asset_id}")
    expect(page.locator("[data-upload=image] .upload-info")).to_contain_text("320×200 px · from your library")
    page.fill("input[name=target_width]", "640")
    with page.expect_response("**/api/image-studio/upscale") as answer:
        page.click("form.card button[type=submit]")
    sent = answer.value.request.post_data_json
    assert sent["image_asset_id"] == asset_id and "image_base64" not in sent
    upscaled = job_result(answer.value)
    assert (upscaled["width"], upscaled["height"]) == (640, 400)
    assert upscaled["metadata"]["parent_asset_id"] == asset_id

    page.wait_for_selector("[data-result]:not(.hidden)")
    social_link = page.locator("[data-result] [data-use-in] a", has_text="Social")
    expect(social_link).to_have_attribute("href", f"/social?asset={upscaled['asset_id']}")
    social_link.click()
    page.wait_for_url("**/social?asset=*")
    expect(page.locator("#source-block")).to_be_visible()
    page.check("input[name=platforms][value=instagram]")
    with page.expect_response("**/api/image-studio/social/optimize") as answer:
        page.click("#optimize")
    sent = answer.value.request.post_data_json
    assert sent["image_asset_id"] == upscaled["asset_id"] and "image_base64" not in sent
    rendition = job_result(answer.value)["results"][0]

    page.goto(f"/compress?asset={rendition['asset_id']}")
    expect(page.locator("[data-upload-info]")).to_contain_text("1080×1080 px")
    with page.expect_response("**/api/image-studio/compress") as answer:
        page.click("#compress-form button[type=submit]")
    sent = answer.value.request.post_data_json
    assert sent["image_asset_id"] == rendition["asset_id"] and "image_base64" not in sent
    assert answer.value.json()["metadata"]["parent_asset_id"] == rendition["asset_id"]
    convert = page.locator("[data-result] [data-use-in] a", has_text="Convert")
    expect(convert).to_have_attribute("href", f"/convert?asset={answer.value.json()['asset_id']}")
