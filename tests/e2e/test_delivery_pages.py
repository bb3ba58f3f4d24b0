"""The Compress and Convert pages in a real browser: a real photograph dropped in, presets,
a computed estimate, the result's sizes, before/after and zoom, the library pick, downloads."""
from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.delivery_helpers import format_of
from tests.photos import photograph

pytestmark = pytest.mark.e2e


def _problems(page):
    seen = []
    page.on("pageerror", lambda error: seen.append(str(error)))
    page.on("console", lambda message: seen.append(message.text) if message.type == "error" else None)
    return seen


def _saved(tmp_path, image, name, fmt="PNG"):
    path = tmp_path / name
    image.save(path, fmt)
    return str(path)


def test_compress_a_photo_with_a_preset_and_a_target(admin_page, tmp_path):
    page = admin_page
    problems = _problems(page)
    page.click("nav >> text=More")
    page.click("nav >> text=Compress")
    page.wait_for_url("**/compress")
    with page.expect_request(lambda r: r.url.endswith("/compress/estimate")) as sent:
        page.set_input_files("[data-upload=image] input[type=file]", _saved(tmp_path, photograph("chelsea"), "cat.png"))
    assert sent.value.post_data_json["format"] == "jpeg" and sent.value.post_data_json["quality"] == 85
    expect(page.locator("[data-upload-info]")).to_contain_text("cat.png · 451×300 px")
    expect(page.locator("[data-estimate]")).to_contain_text("≈ ")
    expect(page.locator("[data-estimate]")).to_contain_text("% from ")

    page.check("input[name=preset][value=email]")
    expect(page.locator("select[name=format]")).to_have_value("jpeg")
    expect(page.locator("input[name=target_size_kb]")).to_have_value("200")
    expect(page.locator("[data-estimate]")).to_have_text("at most 200 KB (the quality is searched to fit)")

    page.check("input[name=preset][value=web]")
    expect(page.locator("select[name=format]")).to_have_value("webp")
    expect(page.locator("[data-quality-value]")).to_have_text("80")
    page.fill("input[name=target_size_kb]", "12")
    expect(page.locator("input[name=preset][value=custom]")).to_be_checked()
    with page.expect_response("**/api/image-studio/compress") as answer:
        page.click("#compress-form button[type=submit]")
    result = answer.value.json()
    assert answer.value.status == 200 and result["compressed_size_kb"] <= 12
    sizes = page.locator("[data-sizes]")
    expect(sizes).to_contain_text(" → ")
    expect(sizes).to_contain_text(f"WEBP quality {result['quality_used']} · 451×300 px")
    expect(page.locator("[data-notes]")).to_contain_text(
        f"Quality {result['quality_used']} is the highest that fits 12 KB")
    expect(page.locator("[data-after]")).to_have_js_property("naturalWidth", 451)
    # The zoom shows both images at 100%, moved by the pointer over the comparison.
    page.hover("[data-compare]", position={"x": 10, "y": 10})
    zoom = page.locator("[data-zoom-after]")
    assert zoom.evaluate("v => getComputedStyle(v).backgroundSize") == "451px 300px"
    assert zoom.evaluate("v => getComputedStyle(v).backgroundImage").startswith('url("data:image/webp')
    assert page.locator("[data-zoom-before]").evaluate("v => v.style.backgroundPosition") == "0px 0px"
    page.focus("[data-zoom-pair]")
    for _ in range(10):
        page.keyboard.press("ArrowDown")
    left, top = page.locator("[data-zoom-before]").evaluate("v => v.style.backgroundPosition").split()
    assert left == "0px" and float(top.removesuffix("px")) < -20     # moved down into the picture

    link = page.locator("[data-download]")
    expect(link).to_have_attribute("download", result["file_name"])
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / "out"
    download.value.save_as(saved)
    assert format_of(saved.read_bytes()) == "webp" and Image.open(saved).size == (451, 300)

    # The result is in the library, and can be picked as the next source without a file.
    page.click("[data-library-open]")
    item = page.locator(f"[data-library] [data-asset='{result['asset_id']}']")
    expect(item).to_be_visible()
    with page.expect_response(lambda r: r.url.endswith(result["url"]) and r.request.resource_type == "fetch"):
        item.click()
    expect(page.locator("[data-upload-info]")).to_contain_text(result["file_name"])
    with page.expect_request("**/api/image-studio/compress") as again:
        page.click("#compress-form button[type=submit]")
    sent = again.value.post_data_json
    assert sent["image_asset_id"] == result["asset_id"] and "image_base64" not in sent   # not uploaded again
    assert problems == []


def test_a_file_over_the_limit_is_refused_before_it_is_sent(admin_page, tmp_path):
    page = admin_page
    page.goto("/compress")
    noise = Image.fromarray(np.random.default_rng(0).integers(0, 256, (2100, 2100, 3), dtype=np.uint8))
    sent = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    page.set_input_files("[data-upload=image] input[type=file]", _saved(tmp_path, noise, "huge.png"))
    expect(page.locator("[data-upload=image] [data-shrink-offer]")).to_have_text(
        "This photo is 12.6 MB; the limit is 10 MB. Shrink it to fit? Shrink to fit")
    expect(page.locator("[data-upload-info]")).to_have_text("")
    assert sent == []


def test_an_image_wider_than_a_result_can_be_is_offered_a_shrink_before_it_is_sent(admin_page, tmp_path):
    """Compress keeps the pixel size and a result is at most 8192 px a side: the page knows
    before sending, and its shrink brings the longest side to 8192."""
    page = admin_page
    page.goto("/compress")
    sent = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    banner = Image.fromarray(np.random.default_rng(1).integers(0, 256, (40, 9000, 3), dtype=np.uint8))
    page.set_input_files("[data-upload=image] input[type=file]", _saved(tmp_path, banner, "banner.png"))
    expect(page.locator("[data-upload=image] [data-shrink-offer]")).to_have_text(
        "This image is 9000×40 px; a result can be at most 8192 px a side. Shrink it to fit? Shrink to fit")
    assert sent == []
    page.click("[data-upload=image] [data-shrink]")
    expect(page.locator("[data-upload-info]")).to_contain_text("8192×36 px")
    with page.expect_response("**/api/image-studio/compress") as answer:
        page.click("#compress-form button[type=submit]")
    assert answer.value.status == 200 and (answer.value.json()["width"], answer.value.json()["height"]) == (8192, 36)


def test_a_wide_image_is_not_refused_where_the_result_does_not_keep_its_size(admin_page, tmp_path):
    """Upscale's and Social's results have sizes of their own: a 9000 px wide input is fine there."""
    page = admin_page
    page.goto("/social")
    banner = Image.new("RGB", (9000, 1200), (20, 90, 200))
    page.set_input_files("[data-upload=image] input[type=file]", _saved(tmp_path, banner, "wide.png"))
    expect(page.locator("[data-upload-info]")).to_contain_text("9000×1200 px")
    expect(page.locator("[data-upload=image] [data-shrink-offer]")).to_be_hidden()


def test_an_outpaint_past_the_output_limit_is_refused_in_plain_words(admin_page, tmp_path):
    """The image fits (8000 px) but its outpaint would not (9000 px): the server's refusal is
    shown in words a marketer can act on (the API's sentence stays exact for clients)."""
    page = admin_page
    page.goto("/edit")
    page.wait_for_selector("select[name=operation] option[value=outpaint]", state="attached")
    page.set_input_files("[data-upload=image] input[type=file]",
                         _saved(tmp_path, Image.new("RGB", (8000, 100), (20, 90, 200)), "strip.png"))
    expect(page.locator("[data-upload-info]").first).to_contain_text("8000×100 px")
    page.select_option("select[name=operation]", "outpaint")
    for side, pixels in (("left", "1000"), ("right", "0"), ("up", "0"), ("down", "0")):
        page.fill(f"[name=expand_{side}]", pixels)
    with page.expect_response("**/api/image-studio/edit/process") as refused:
        page.click("main button:has-text('Apply edit')")
    assert refused.value.json()["detail"] == "Outpaint result 9000x100 has a side over the 8192 px limit"
    expect(page.locator("[data-error]")).to_have_text(
        "The result would be 9000×100 px, and 8192 px a side is the most it can be. Expand it less.")
    expect(page.locator("main button:has-text('Apply edit')")).to_be_enabled()


def test_a_refused_file_replaces_the_one_chosen_before_so_that_one_is_not_sent(admin_page, tmp_path):
    """A 12 MB photo refused after a cat was chosen: Compress used to compress the cat without
    a word. Now the cat is no longer the input, and the page asks for an image."""
    page = admin_page
    page.goto("/compress")
    page.set_input_files("[data-upload=image] input[type=file]", _saved(tmp_path, photograph("chelsea"), "cat.png"))
    expect(page.locator("[data-upload-info]")).to_contain_text("cat.png")
    noise = Image.fromarray(np.random.default_rng(0).integers(0, 256, (2100, 2100, 3), dtype=np.uint8))
    page.set_input_files("[data-upload=image] input[type=file]", _saved(tmp_path, noise, "huge.png"))
    expect(page.locator("[data-upload=image] [data-shrink-offer]")).to_be_visible()
    expect(page.locator("[data-upload-info]")).to_have_text("")
    sent = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    page.click("#compress-form button[type=submit]")
    expect(page.locator("[data-error]")).to_have_text("Choose an image to compress first")
    assert sent == []


def test_convert_flattens_transparency_onto_the_chosen_colour(admin_page, tmp_path):
    page = admin_page
    problems = _problems(page)
    page.click("nav >> text=More")
    page.click("nav >> text=Convert")
    page.wait_for_url("**/convert")
    image = photograph("coffee").convert("RGBA")
    alpha = Image.new("L", image.size, 255)
    alpha.paste(0, (0, 0, image.width // 2, image.height))
    image.putalpha(alpha)
    page.set_input_files("[data-upload=image] input[type=file]", _saved(tmp_path, image, "cup.png"))
    expect(page.locator("[data-format-help]")).to_contain_text("Keeps transparency.")
    page.select_option("select[name=target_format]", "gif")
    expect(page.locator("[data-format-help]")).to_contain_text("256 colours at most")
    page.select_option("select[name=target_format]", "jpeg")
    expect(page.locator("[data-format-help]")).to_contain_text("flattened onto the background")
    expect(page.locator("input[name=preserve_transparency]")).to_be_hidden()
    page.select_option("select[name=background_kind]", "colour")
    page.locator("input[name=background_colour]").evaluate(
        "input => { input.value = '#2040c0'; input.dispatchEvent(new Event('input')); }")
    with page.expect_response("**/api/image-studio/convert-format") as answer:
        page.click("#convert-form button[type=submit]")
    body = json.loads(answer.value.request.post_data)
    assert (body["target_format"], body["background"]) == ("jpeg", "#2040c0")
    result = answer.value.json()
    expect(page.locator("[data-sizes]")).to_contain_text("PNG ")
    expect(page.locator("[data-sizes]")).to_contain_text(" → JPEG ")
    expect(page.locator("[data-notes]")).to_contain_text("Transparency flattened onto #2040c0: JPEG has none")
    expect(page.locator("[data-provenance]")).to_have_text("No AI mark: the source carried none.")
    with page.expect_download() as download:
        page.click("[data-download]")
    saved = tmp_path / "converted"
    download.value.save_as(saved)
    data = saved.read_bytes()
    assert format_of(data) == "jpeg" and download.value.suggested_filename == result["file_name"]
    pixel = Image.open(io.BytesIO(data)).convert("RGB").getpixel((20, 20))
    assert all(abs(a - b) <= 4 for a, b in zip(pixel, (0x20, 0x40, 0xC0), strict=True))
    assert problems == []


DRAWN = """([selector, width]) => { const images = [...document.querySelectorAll(selector)];
  return images.length > 0 && images.every(i => i.complete && i.naturalWidth === width); }"""


def test_a_tiff_goes_in_and_comes_out_shown_through_the_servers_copy(admin_page, tmp_path):
    page = admin_page
    problems = _problems(page)
    page.goto("/convert")
    page.set_input_files("[data-upload=image] input[type=file]",
                         _saved(tmp_path, photograph("coffee"), "cup.tif", "TIFF"))
    expect(page.locator("[data-upload=image] [data-upload-info]")).to_contain_text("cup.tif · 600×400 px")
    page.select_option("select[name=target_format]", "tiff")
    with page.expect_response("**/api/image-studio/convert-format") as answer:
        page.click("#convert-form button[type=submit]")
    sent = json.loads(answer.value.request.post_data)["image_base64"]
    assert sent.startswith("data:image/tiff;base64,")          # the file itself, not the copy shown
    expect(page.locator("[data-sizes]")).to_contain_text("TIFF ")
    expect(page.locator("[data-sizes]")).to_contain_text(" → TIFF ")
    page.wait_for_function(DRAWN, arg=["[data-result] [data-before], [data-result] [data-after]", 600])
    with page.expect_download() as download:
        page.click("[data-download]")
    saved = tmp_path / "converted"
    download.value.save_as(saved)
    assert format_of(saved.read_bytes()) == "tiff"
    page.goto("/library")
    page.wait_for_function(DRAWN, arg=[".result img.preview", 600])
    page.click(".result .detail-link")
    page.wait_for_function(DRAWN, arg=[".detail-image img", 600])
    assert problems == []
