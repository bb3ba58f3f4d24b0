"""Social Optimizer in a real browser: upload, two platforms, focal point, previews, ZIP download."""
import io
import re
import zipfile

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.imaging.images import scene

pytestmark = pytest.mark.e2e


def test_optimize_for_two_platforms_and_download_the_zip(admin_page, tmp_path, job_result):
    source = tmp_path / "photo.png"
    scene(600, 400, (0.7, 0.5), 30).save(source)
    page = admin_page
    page.click("nav >> text=Social")
    page.wait_for_url("**/social")

    page.click("#optimize")
    page.locator("#social-error", has_text="Please upload an image first.").wait_for()

    page.set_input_files("#social-file", str(source))
    page.locator("#upload-info", has_text="600×400 px").wait_for()
    page.check("input[name=platforms][value=instagram]")
    page.check("input[name=platforms][value=twitter]")
    page.locator("[data-formats-for=instagram] input[value='Feed Post (Square)']").wait_for()
    page.uncheck("[data-formats-for=instagram] input[value='Feed Post (Square)']")
    page.check("[data-formats-for=instagram] input[value='Story']")

    preview = page.locator("#source-preview")
    box = preview.bounding_box()
    preview.click(position={"x": box["width"] * 0.7, "y": box["height"] * 0.5})
    page.locator("#focal-marker:not(.hidden)").wait_for()
    page.locator("#focal-info", has_text="70%, 50%").wait_for()

    with page.expect_response("**/api/image-studio/social/optimize") as answer:
        page.click("#optimize")
    results = job_result(answer.value)["results"]
    page.locator("#social-error.hidden").wait_for(state="attached")
    cards = page.locator("#results .result:not(.pending)")  # the final render, not the live cards
    cards.nth(1).wait_for()
    assert cards.count() == 2
    assert "1080×1920 px" in cards.nth(0).inner_text() and "KB" in cards.nth(0).inner_text()
    assert "1200×675 px" in cards.nth(1).inner_text()
    expect(cards.nth(0).locator(".preview-wrap img")).to_have_js_property("naturalHeight", 1920)
    natural = cards.nth(0).locator(".preview-wrap img").evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert natural == [1080, 1920]
    assert [r["file_name"] for r in results] == ["instagram-story.png", "twitter-post.png"]
    for index, result in enumerate(results):
        expect(cards.nth(index).locator("a.download")).to_have_attribute("download", result["file_name"])

    with page.expect_download() as info:
        cards.nth(0).locator("a.download").click()
    assert info.value.suggested_filename == "instagram-story.png"
    info.value.save_as(tmp_path / "story.png")
    assert Image.open(tmp_path / "story.png").size == (1080, 1920)

    with page.expect_download() as info:
        page.click("#download-all")
    expect(page.locator("#download-all")).to_be_enabled()
    expect(page.locator("#social-progress.active")).to_have_count(0)
    path = tmp_path / "all.zip"
    info.value.save_as(path)
    assert info.value.suggested_filename == "social-optimized.zip"
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == ["instagram_story.png", "twitter_post.png"]
        sizes = [Image.open(io.BytesIO(archive.read(n))).size for n in archive.namelist()]
    assert sizes == [(1080, 1920), (1200, 675)]

    page.click("#focal-clear")
    page.locator("#focal-marker.hidden").wait_for(state="attached")


def test_a_brand_kit_puts_its_logo_inside_every_safe_zone(admin_page, tmp_path, job_result):
    import base64

    from app.imaging.overlay import safe_box
    from tests.social.test_brand import MAGENTA, box_of, logo

    page = admin_page
    buffer = io.BytesIO()
    logo().save(buffer, "PNG")
    page.evaluate("""async (logo) => ImageStudio.api('/api/image-studio/personas', {method: 'POST', json: {
        name: 'Acme', color_palette: ['#ffcc00'], logo_base64: logo}})""", base64.b64encode(buffer.getvalue()).decode())
    source = tmp_path / "photo.png"
    scene(600, 400, (0.3, 0.5), 30).save(source)
    page.goto("/social")
    expect(page.locator("select[name=brand_position]")).to_be_hidden()
    page.select_option("select[name=brand_persona]", label="Acme")
    expect(page.locator("select[name=brand_position]")).to_be_visible()
    page.select_option("select[name=brand_position]", "top-right")
    page.fill("input[name=brand_headline]", "Summer sale")
    page.set_input_files("#social-file", str(source))
    page.locator("#upload-info", has_text="600×400 px").wait_for()
    page.check("input[name=platforms][value=instagram]")
    page.check("input[name=platforms][value=youtube]")
    with page.expect_response("**/api/image-studio/social/optimize") as answer:
        page.click("#optimize")
    overlay = answer.value.request.post_data_json["brand_overlay"]
    assert (overlay["position"], overlay["size"], overlay["headline"], overlay["cta"]) == (
        "top-right", 0.15, "Summer sale", None)
    results = job_result(answer.value)["results"]
    assert len(results) == 2
    for result in results:
        image = Image.open(io.BytesIO(page.request.get(result["url"]).body()))
        left, top, right, bottom = safe_box(image.width, image.height, result["safe_zone"])
        x0, y0, x1, y1 = box_of(image, MAGENTA)
        assert left <= x0 and x1 <= right and top <= y0 and y1 <= bottom
        assert right - x1 < 0.1 * image.width and y0 - top < 0.1 * image.height   # in its corner


def test_safe_zones_are_drawn_on_screen_and_the_files_stay_clean(admin_page, tmp_path, job_result):
    from tests.photos import photograph

    page = admin_page
    page.goto("/social")
    photo = tmp_path / "cat.png"
    photograph("chelsea").save(photo)          # a 451×300 photograph, no transparency
    page.set_input_files("#social-file", str(photo))
    expect(page.locator("select[name=output_format]")).to_have_value("jpg")
    expect(page.locator("#format-choice")).to_have_text(
        "JPG chosen: a photograph without transparency (smaller files).")
    page.check("input[name=platforms][value=instagram]")
    page.check("input[name=show_safe_zones]")
    with page.expect_response("**/api/image-studio/social/optimize") as answer:
        page.click("#optimize")
    sent = answer.value.request.post_data_json
    assert sent["show_safe_zones"] is False and sent["output_format"] == "jpg"
    (result,) = job_result(answer.value)["results"]
    card = page.locator("#results .result").first
    zone = card.locator(".safe-zone")
    expect(zone).to_be_visible()
    assert zone.evaluate("z => [z.style.top, z.style.left]") == ["15%", "10%"]   # from the rendition's safe_zone
    page.uncheck("input[name=show_safe_zones]")
    expect(zone).to_be_hidden()
    # A 300 px tall photo in a 1080×1080 post: enlarged, and the card says so.
    expect(card.locator(".alert.warning")).to_contain_text("Enlarged ×3.60")
    expect(card).to_have_class(re.compile(r"\benlarged\b"))
    clean = Image.open(io.BytesIO(page.request.get(result["url"]).body())).convert("RGB")
    red, green, blue = clean.getpixel((108, 540))           # where the burned-in outline would be
    assert not (red < 60 and green > 150 and blue > 200), "the safe-zone outline is in the file"

    graphic = tmp_path / "logo.png"
    Image.new("RGBA", (400, 400), (0, 0, 0, 0)).save(graphic)
    page.set_input_files("#social-file", str(graphic))
    expect(page.locator("select[name=output_format]")).to_have_value("png")
    expect(page.locator("#format-choice")).to_have_text("PNG chosen: the image has transparency.")


def test_each_formats_crop_can_be_reviewed_and_moved_by_mouse_and_keys(admin_page, tmp_path, job_result):
    source = tmp_path / "wide.png"
    scene(1200, 400, (0.1, 0.5), 40).save(source)       # a red disc near the left edge
    page = admin_page
    page.goto("/social")
    page.set_input_files("#social-file", str(source))
    page.locator("#upload-info", has_text="1200×400 px").wait_for()
    page.check("input[name=platforms][value=instagram]")
    page.locator("[data-formats-for=instagram] input[value='Story']").wait_for()
    page.check("[data-formats-for=instagram] input[value='Story']")
    with page.expect_response("**/api/image-studio/social/optimize") as answer:
        page.click("#optimize")
    square, story = job_result(answer.value)["results"]
    assert square["crop_box"]["x"] == 0                 # the smart crop chose the disc

    card = page.locator("#results .result[data-format='Feed Post (Square)']")
    handle = card.locator(".crop-window")
    expect(handle).to_be_visible()
    handle.scroll_into_view_if_needed()
    stage = card.locator(".crop-stage").bounding_box()
    box = handle.bounding_box()
    assert box["width"] == pytest.approx(stage["width"] / 3, abs=2)   # a 400×400 window of 1200×400

    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    with page.expect_response("**/api/image-studio/social/optimize") as answer:
        page.mouse.move(box["x"] + box["width"] / 2 + stage["width"] / 3, box["y"] + box["height"] / 2, steps=5)
        page.mouse.up()
    sent = answer.value.request.post_data_json
    assert sent["platforms"] == ["instagram"] and sent["format_names"] == {"instagram": ["Feed Post (Square)"]}
    point = sent["focal_points"]["instagram/Feed Post (Square)"]
    assert point["x"] == pytest.approx(0.5, abs=0.03) and point["y"] == pytest.approx(0.5, abs=0.01)
    moved = answer.value.json()["results"][0]
    assert moved["crop_box"]["x"] == pytest.approx(1 / 3, abs=0.03)
    card = page.locator("#results .result[data-format='Feed Post (Square)']:not(.recropping)")
    expect(card.locator(".preview-wrap img")).to_have_attribute("src", moved["image_base64"])
    picture = Image.open(io.BytesIO(page.request.get(moved["url"]).body())).convert("RGB")
    assert picture.getpixel((20, 540))[0] < 200 or picture.getpixel((20, 540))[1] > 60   # no disc at the left now

    handle = card.locator(".crop-window")
    handle.focus()
    with page.expect_response("**/api/image-studio/social/optimize") as answer:
        page.keyboard.press("Shift+ArrowRight")
    point = answer.value.request.post_data_json["focal_points"]["instagram/Feed Post (Square)"]
    assert point["x"] == pytest.approx(0.6, abs=0.03)
    expect(page.locator("#results .result[data-format='Feed Post (Square)'] .crop-window")).to_be_focused()

    with page.expect_download() as info:
        with page.expect_request("**/social/optimize.zip") as zip_request:
            page.click("#download-all")
    assert "instagram/Feed Post (Square)" in zip_request.value.post_data_json["focal_points"]
    info.value.save_as(tmp_path / "all.zip")

    page.uncheck("[data-formats-for=instagram] input[value='Feed Post (Square)']")   # its point stays behind
    with page.expect_response("**/api/image-studio/social/optimize") as answer:
        page.click("#optimize")
    assert "focal_points" not in answer.value.request.post_data_json
    assert [r["format"] for r in job_result(answer.value)["results"]] == ["Story"]


def test_a_formats_crop_can_be_moved_by_touch(admin_page, tmp_path, job_result):
    """A finger on a phone or tablet: Chromium's own touch input (the DevTools protocol's, as
    a touchscreen sends it), not synthetic DOM events, so the page's handling of it is tested."""
    source = tmp_path / "wide.png"
    scene(1200, 400, (0.1, 0.5), 40).save(source)
    page = admin_page
    page.goto("/social")
    page.set_input_files("#social-file", str(source))
    page.locator("#upload-info", has_text="1200×400 px").wait_for()
    page.check("input[name=platforms][value=instagram]")
    with page.expect_response("**/api/image-studio/social/optimize") as answer:
        page.click("#optimize")
    assert job_result(answer.value)["results"][0]["crop_box"]["x"] == 0
    card = page.locator("#results .result[data-format='Feed Post (Square)']")
    handle = card.locator(".crop-window")
    handle.scroll_into_view_if_needed()
    stage, box = card.locator(".crop-stage").bounding_box(), handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    touch = page.context.new_cdp_session(page)
    touch.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    with page.expect_response("**/api/image-studio/social/optimize") as answer:
        for step in range(1, 6):
            touch.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [
                {"x": x + stage["width"] / 3 * step / 5, "y": y}]})
        touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    point = answer.value.request.post_data_json["focal_points"]["instagram/Feed Post (Square)"]
    assert point["x"] == pytest.approx(0.5, abs=0.03) and point["y"] == pytest.approx(0.5, abs=0.01)
    assert answer.value.json()["results"][0]["crop_box"]["x"] == pytest.approx(1 / 3, abs=0.03)


def test_the_crop_review_of_a_very_wide_banner_stays_grabbable(admin_page, tmp_path, job_result):
    source = tmp_path / "banner.png"
    scene(4000, 250, (0.5, 0.5), 30).save(source)       # 16:1
    page = admin_page
    page.goto("/social")
    page.set_input_files("#social-file", str(source))
    page.locator("#upload-info", has_text="4000×250 px").wait_for()
    page.check("input[name=platforms][value=instagram]")
    with page.expect_response("**/api/image-studio/social/optimize") as answer:
        page.click("#optimize")
    job_result(answer.value)
    handle = page.locator("#results .result .crop-window").first
    expect(handle).to_be_visible()
    box = handle.bounding_box()
    assert box["height"] >= 118 and box["width"] >= 118     # not a 19 px sliver
    assert handle.get_attribute("aria-orientation") == "horizontal"
