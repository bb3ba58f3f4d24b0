"""Library and usage pages in a real browser: results appear, ZIP several, delete, spend charted."""
import io
import zipfile

import pytest
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _create(page, count: int) -> list[str]:
    """Make sandbox images through the same JSON API the pages use (session + CSRF)."""
    body = page.evaluate(
        """async (count) => ImageStudio.api('/api/image-studio/create', {method: 'POST', json: {
               prompt: 'a red bicycle', provider: 'sandbox', width: 320, height: 200,
               num_variations: count}})""", count)
    return [result["asset_id"] for result in body["results"]]


def test_library_selects_zips_and_deletes(admin_page, tmp_path):
    page = admin_page
    ids = _create(page, 3)
    page.click("nav >> text=Library")
    page.wait_for_url("**/library")
    cards = page.locator(".result")
    assert cards.count() == 3
    expect(page.locator("#library-count")).to_have_text("3 images")
    assert "320×200" in cards.first.inner_text()
    expect(page.locator("img.preview").first).to_have_js_property("naturalWidth", 320)
    assert page.locator("img.preview").first.evaluate("img => img.complete && img.naturalWidth") == 320

    page.check(f".pick[value='{ids[0]}']")
    page.check(f".pick[value='{ids[1]}']")
    with page.expect_download() as download:
        page.click("#zip-selected")
    assert download.value.suggested_filename == "image-studio-assets.zip"  # the server's name
    archive = zipfile.ZipFile(download.value.path())
    assert sorted(name.rsplit("_", 1)[1].split(".")[0] for name in archive.namelist()) == sorted(ids[:2])
    for name in archive.namelist():
        assert Image.open(io.BytesIO(archive.read(name))).size == (320, 200)

    deleted = []
    page.on("request", lambda request: deleted.append(request.url) if request.method == "DELETE" else None)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#delete-selected")
    page.locator(f"[data-asset-id='{ids[0]}']").wait_for(state="detached")
    page.locator(f"[data-asset-id='{ids[1]}']").wait_for(state="detached")
    assert sorted(url.rsplit("/", 1)[1] for url in deleted) == sorted(ids[:2])
    assert all("/api/image-studio/assets/" in url for url in deleted)
    expect(page.locator("#library-count")).to_have_text("1 image")          # follows the deletes
    expect(page.locator("#delete-selected")).to_be_disabled()
    expect(page.locator("#zip-selected")).to_be_disabled()
    expect(page.locator("#library-error")).to_be_hidden()
    page.reload()
    assert page.locator(".result").count() == 1

    page.click("nav >> text=Usage")
    page.wait_for_url("**/usage")
    assert "3 results charged" in page.inner_text("main")
    assert page.locator("svg.chart rect").count() >= 1


def test_library_searches_prompts_and_downloads_readable_names(admin_page):
    page = admin_page
    for prompt in ("Iced latte on a terrace", "A blue boat"):
        page.evaluate("""async (prompt) => ImageStudio.api('/api/image-studio/create', {method: 'POST', json: {
                           prompt, provider: 'sandbox', width: 320, height: 200, template_id: 'linkedin_post'}})""",
                      prompt)
    page.goto("/library")
    expect(page.locator(".result")).to_have_count(2)
    page.fill("input[name=q]", "LATTE")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/library?*q=LATTE*")
    expect(page.locator(".result")).to_have_count(1)
    expect(page.locator(".result .prompt")).to_have_text("Iced latte on a terrace")
    expect(page.locator("#library-count")).to_have_text("1 image for “LATTE”")
    link = page.locator(".result a.button[download]")
    expect(link).to_have_attribute("download", "linkedin-post_iced-latte-on-a_1.png")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "linkedin-post_iced-latte-on-a_1.png"
