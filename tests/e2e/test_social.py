"""Social Optimizer in a real browser: upload, two platforms, focal point, previews, ZIP download."""
import io
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
    expect(cards.nth(0).locator("img")).to_have_js_property("naturalHeight", 1920)
    natural = cards.nth(0).locator("img").evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert natural == [1080, 1920]
    assert [r["file_name"] for r in results] == ["instagram-story.png", "twitter-post.png"]
    for index, result in enumerate(results):
        expect(cards.nth(index).locator("a.download")).to_have_attribute("download", result["file_name"])

    with page.expect_download() as info:
        cards.nth(0).locator("a.download").click()
    assert info.value.suggested_filename == "instagram_story.png"
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
