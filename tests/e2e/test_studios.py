"""Edit and Upscale studios in a real browser, on the sandbox."""
import base64
import io
import json

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.studio_helpers import photo

pytestmark = pytest.mark.e2e


def _picture(tmp_path, width, height):
    path = tmp_path / f"photo_{width}x{height}.png"
    photo(width, height).save(path)
    return str(path)


def _open_with_picture(page, path, tmp_path, width, height):
    """A studio page with a width×height photo chosen as its image."""
    page.goto(path)
    page.set_input_files("[data-upload=image] input[type=file]", _picture(tmp_path, width, height))
    expect(page.locator("[data-upload=image] .upload-info")).to_contain_text(f"{width}×{height} px")


def test_inpaint_with_a_painted_mask(admin_page, tmp_path, job_result):
    page = admin_page
    page.click("nav >> text=Edit")
    page.wait_for_url("**/edit")
    page.wait_for_selector("select[name=operation] option[value=inpaint]", state="attached")
    page.set_input_files("[data-upload=image] input[type=file]", _picture(tmp_path, 320, 200))
    canvas = page.locator("[data-mask]")
    canvas.wait_for(state="visible")
    assert page.locator("textarea[name=prompt]").is_visible()
    assert not page.locator("[name=expand_left]").is_visible()
    page.fill("textarea[name=prompt]", "a red balloon")

    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=8)
    page.mouse.up()

    with page.expect_response("**/api/image-studio/edit/process") as answer:
        page.click("form.card button[type=submit]")
    body = json.loads(answer.value.request.post_data)
    assert body["operation"] == "inpaint" and body["prompt"] == "a red balloon"
    mask = Image.open(io.BytesIO(base64.b64decode(body["mask_base64"].split(",", 1)[1]))).convert("L")
    assert mask.size == (320, 200)
    assert mask.getpixel((100, 100)) == 255 and mask.getpixel((300, 20)) == 0

    result = job_result(answer.value)
    page.wait_for_selector("[data-result]:not(.hidden)")
    assert page.inner_text("[data-result-size]") == "320×200 px"
    expect(page.locator("[data-after]")).to_have_js_property("naturalWidth", 320)
    assert page.locator("[data-after]").evaluate("img => img.naturalWidth") == 320
    assert page.get_attribute("[data-download]", "href").startswith("/api/image-studio/assets/")
    assert page.get_attribute("[data-download]", "href") == result["url"]
    # The download name is the API's readable file_name (studio, operation, prompt), not one the page derives.
    assert result["file_name"] == "edit-inpaint_a-red-balloon.png"
    expect(page.locator("[data-download]")).to_have_attribute("download", result["file_name"])
    with page.expect_download() as info:
        page.click("[data-download]")
    assert info.value.suggested_filename == result["file_name"]


def test_outpaint_preview_grows_the_canvas(admin_page, tmp_path):
    page = admin_page
    page.goto("/edit")
    page.wait_for_selector("select[name=operation] option[value=outpaint]", state="attached")
    page.set_input_files("[data-upload=image] input[type=file]", _picture(tmp_path, 200, 100))
    expect(page.locator("[data-upload=image] .upload-info")).to_contain_text("200×100 px")
    page.select_option("select[name=operation]", "outpaint")
    page.fill("[name=expand_left]", "50")
    page.fill("[name=expand_right]", "0")
    page.fill("[name=expand_up]", "20")
    expect(page.locator("#outpaint-size")).to_have_text("Result: 250×120 px")
    assert page.inner_text("#outpaint-size") == "Result: 250×120 px"
    assert page.locator("#outpaint-preview").evaluate("c => [c.width, c.height]") == [250, 120]


def test_upscale_with_a_preset_shows_the_size(admin_page, tmp_path, job_result):
    page = admin_page
    page.click("nav >> text=Upscale")
    page.wait_for_url("**/upscale")
    page.set_input_files("[data-upload=image] input[type=file]", _picture(tmp_path, 128, 64))
    expect(page.locator("[data-upload=image] .upload-info")).to_contain_text("128×64 px")
    page.select_option("select[name=preset]", "web")
    expect(page.locator("#planned-size")).to_have_text("2048×1024 px")
    assert page.inner_text("#planned-size") == "2048×1024 px"
    with page.expect_response("**/api/image-studio/upscale") as answer:
        page.click("form.card button[type=submit]")
    result = job_result(answer.value)
    page.wait_for_selector("[data-result]:not(.hidden)", timeout=30000)
    assert page.inner_text("[data-result-size]") == "2048×1024 px"
    expect(page.locator("[data-after]")).to_have_js_property("naturalWidth", 2048)
    assert page.locator("[data-after]").evaluate("img => img.naturalWidth") == 2048
    expect(page.locator("[data-download]")).to_have_attribute("download", result["file_name"])


def test_a_bad_value_is_named_at_its_field_and_cleared_when_fixed(admin_page, tmp_path):
    page = admin_page
    page.goto("/upscale")
    page.set_input_files("[data-upload=image] input[type=file]", _picture(tmp_path, 128, 64))
    expect(page.locator("[data-upload=image] .upload-info")).to_contain_text("128×64 px")
    page.fill("input[name=target_width]", "99999")
    with page.expect_response("**/api/image-studio/upscale") as refused:
        page.click("form.card button[type=submit]")
    assert refused.value.status == 400 and "target_width" in refused.value.json()["errors"]
    note = page.locator("[data-field-error=target_width]")
    expect(note).to_have_text("Choose a size from 1 to 8192 pixels.")
    expect(page.locator("[data-error]")).to_have_text("Please check the highlighted field.")
    expect(page.locator("input[name=target_width]")).to_have_attribute("aria-invalid", "true")
    assert "{" not in page.inner_text("form.card")                     # never a dict on screen
    page.fill("input[name=target_width]", "512")
    expect(note).to_have_count(0)
    expect(page.locator("input[name=target_width]")).not_to_have_attribute("aria-invalid", "true")


def test_upscale_to_another_shape_says_how_and_does_not_distort(admin_page, tmp_path, job_result):
    from tests.upscale.test_fit import disc_picture, red_box

    page = admin_page
    page.goto("/upscale")
    path = tmp_path / "disc.png"
    disc_picture().save(path)
    page.set_input_files("[data-upload=image] input[type=file]", str(path))
    expect(page.locator("select[name=fit]")).to_be_hidden()
    page.fill("input[name=target_width]", "1920")
    page.fill("input[name=target_height]", "1080")
    expect(page.locator("select[name=fit]")).to_be_visible()
    expect(page.locator("#planned-fit")).to_have_text(
        "The most interesting 600×338 px of the picture is kept, then enlarged to 1920×1080 px: nothing is stretched.")
    page.select_option("select[name=fit]", "pad")
    expect(page.locator("select[name=background]")).to_be_visible()
    expect(page.locator("#planned-fit")).to_have_text(
        "The whole picture is enlarged to 1620×1080 px and padded to 1920×1080 px.")
    page.select_option("select[name=fit]", "stretch")
    expect(page.locator("#planned-fit")).to_contain_text("shapes will look distorted")
    page.select_option("select[name=fit]", "crop")
    with page.expect_response("**/api/image-studio/upscale") as answer:
        page.click("form.card button[type=submit]")
    assert json.loads(answer.value.request.post_data)["fit"] == "crop"
    result = job_result(answer.value)
    assert (result["width"], result["height"], result["metadata"]["fit"]) == (1920, 1080, "crop")
    page.wait_for_selector("[data-result]:not(.hidden)", timeout=30000)
    image = Image.open(io.BytesIO(page.request.get(result["url"]).body()))
    left, top, right, bottom = red_box(image)
    assert abs((right - left) / (bottom - top) - 1) < 0.03


def test_errors_show_beside_the_form_in_plain_words(admin_page, tmp_path, job_result):
    page = admin_page
    page.goto("/control")
    page.wait_for_selector("select[name=operation] option[value=sketch]", state="attached")
    page.click("form.card button[type=submit]")
    expect(page.locator("[data-error]")).to_have_text("Add the control image first: your sketch, structure or photo.")
    page.set_input_files("[data-upload=control] input[type=file]", _picture(tmp_path, 96, 64))
    expect(page.locator("[data-upload=control] .upload-info")).to_contain_text("96×64 px")
    with page.expect_response("**/api/image-studio/control/process") as refused:
        page.click("form.card button[type=submit]")
    assert refused.value.json()["detail"] == "Prompt is required for sketch to image"   # the API's sentence
    page.wait_for_selector("[data-error]:not(.hidden)")
    expect(page.locator("[data-field-error=prompt]")).to_have_text("Describe what you want in the prompt.")
    expect(page.locator("[data-error]")).to_have_text("Please check the highlighted field.")
    expect(page.locator("form.card button[type=submit]")).to_be_enabled()
    expect(page.locator("[data-progress].active")).to_have_count(0)

    page.fill("textarea[name=prompt]", "a tidy office")
    expect(page.locator("[data-field-error]")).to_have_count(0)
    with page.expect_response("**/api/image-studio/control/process") as answer:
        page.click("form.card button[type=submit]")
    result = job_result(answer.value)
    page.wait_for_selector("[data-result]:not(.hidden)")
    expect(page.locator("[data-error]")).to_be_hidden()
    expect(page.locator("[data-download]")).to_have_attribute("download", result["file_name"])


def test_the_upscale_page_says_when_a_mode_would_not_make_the_image_larger(admin_page, tmp_path):
    page = admin_page
    _open_with_picture(page, "/upscale", tmp_path, 4500, 4000)
    page.select_option("select[name=mode]", "fast")
    expect(page.locator("#planned-size")).to_have_text(
        "none: this image is already larger than a fast upscale makes; choose a target size or a preset")
    page.select_option("select[name=preset]", "print")
    expect(page.locator("#planned-size")).to_have_text("3072×2731 px")


def test_edit_field_errors_name_no_api_fields(admin_page, tmp_path):
    """"Both prompt and search_prompt are required …" is the API's sentence; the page says
    what to do instead, beside each field."""
    page = admin_page
    _open_with_picture(page, "/edit", tmp_path, 200, 100)
    page.wait_for_selector("select[name=operation] option[value=search_replace]", state="attached")
    page.select_option("select[name=operation]", "search_replace")
    with page.expect_response("**/api/image-studio/edit/process") as refused:
        page.click("main button:has-text('Apply edit')")
    assert refused.value.status == 400
    expect(page.locator("[data-field-error=search_prompt]")).to_have_text(
        "Say what to find and what to put in its place.")
    page.select_option("select[name=operation]", "outpaint")
    for side in ("left", "right", "up", "down"):
        page.fill(f"[name=expand_{side}]", "0")
    with page.expect_response("**/api/image-studio/edit/process"):
        page.click("main button:has-text('Apply edit')")
    expect(page.locator("[data-field-error=expand_left]")).to_have_text("Expand at least one side by 1 to 2000 px.")
