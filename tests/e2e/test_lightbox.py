"""The lightbox (static/js/lightbox.js): any img[data-zoom] opens in a modal dialog at Fit or
100%, steps through the page's zoomable images, offers a download and gives focus back."""
import pytest
from playwright.sync_api import expect

from tests.e2e.test_accessibility import axe_page, violations  # noqa: F401  (axe_page is a fixture)

pytestmark = pytest.mark.e2e
DIALOG = "dialog.lightbox"
SHOWN = DIALOG + " .lightbox-image"


def _rendered(page) -> dict:
    return page.evaluate("""(selector) => { const img = document.querySelector(selector);
        const stage = img.parentElement; return {natural: img.naturalWidth, width: img.getBoundingClientRect().width,
        height: img.getBoundingClientRect().height, naturalHeight: img.naturalHeight,
        overflow: stage.scrollWidth > stage.clientWidth, left: stage.scrollLeft, top: stage.scrollTop}; }""", SHOWN)


def _generate(page, template, count):
    """Two (or `count`) sandbox images from the Create page; returns the job's result."""
    page.goto("/create")
    page.click(f".template-option:has(input[value={template}])")
    page.fill("textarea[name=prompt]", "A lighthouse at dawn")
    page.fill("input[name=num_variations]", str(count))
    page.click("#generate")
    expect(page.locator("#results-summary")).to_contain_text(f"{count} generated", timeout=30000)


def test_a_result_opens_at_fit_and_at_100_percent_and_escape_gives_focus_back(admin_page):
    page = admin_page
    page.set_viewport_size({"width": 1280, "height": 800})
    _generate(page, "twitter_post", 2)                                   # 1920×1080: larger than the window
    thumbs = page.locator("#results .result img[data-zoom]")
    expect(thumbs).to_have_count(2)
    expect(thumbs.first).to_have_attribute("tabindex", "0")
    thumbs.first.click()
    dialog = page.locator(DIALOG)
    expect(dialog).to_have_js_property("open", True)
    assert page.evaluate("document.activeElement.closest('dialog.lightbox') !== null")   # focus moved in
    expect(page.locator(DIALOG + " .lightbox-title")).to_have_text("Variation 1")
    expect(page.locator(DIALOG + " .lightbox-count")).to_have_text("1 of 2")

    fit = _rendered(page)
    assert fit["natural"] == 1920 and fit["width"] < 1280 and not fit["overflow"]
    assert abs(fit["width"] / fit["height"] - 1920 / 1080) < 0.01      # scaled, not stretched

    page.click(DIALOG + " button:text-is('100%')")
    expect(page.locator(DIALOG + " button:text-is('100%')")).to_have_attribute("aria-pressed", "true")
    actual = _rendered(page)
    assert actual["width"] == actual["natural"] == 1920 and actual["height"] == actual["naturalHeight"] == 1080
    assert actual["overflow"]                                            # scrollable at actual pixels
    box = page.locator(DIALOG + " .lightbox-stage").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 300, y - 100, steps=5)
    page.mouse.up()
    dragged = _rendered(page)
    assert dragged["left"] == 300 and dragged["top"] == 100              # dragged like a sheet of paper

    download = page.locator(DIALOG + " a[data-lightbox-download]")
    first_card = page.locator("#results .result").first
    expect(download).to_have_attribute("download", first_card.locator("a.download").get_attribute("download"))
    assert download.get_attribute("href") == thumbs.first.get_attribute("src")

    page.click(DIALOG + " button:text-is('Fit')")                       # the buttons, then the arrow keys
    page.keyboard.press("ArrowRight")
    expect(page.locator(DIALOG + " .lightbox-title")).to_have_text("Variation 2")
    expect(page.locator(DIALOG + " .lightbox-count")).to_have_text("2 of 2")
    assert page.get_attribute(SHOWN, "src") == thumbs.nth(1).get_attribute("src")
    page.keyboard.press("ArrowRight")                                    # round to the first again
    expect(page.locator(DIALOG + " .lightbox-title")).to_have_text("Variation 1")
    page.keyboard.press("ArrowLeft")
    expect(page.locator(DIALOG + " .lightbox-title")).to_have_text("Variation 2")

    page.keyboard.press("Escape")
    expect(dialog).to_have_js_property("open", False)
    expect(thumbs.nth(1)).to_be_focused()                                # the image it ended on

    page.keyboard.press("Enter")                                         # a thumbnail is a keyboard button
    expect(dialog).to_have_js_property("open", True)
    page.click(DIALOG + " button:text-is('Close')")
    expect(dialog).to_have_js_property("open", False)
    expect(thumbs.nth(1)).to_be_focused()


def test_any_pages_zoomable_image_opens_including_ones_added_later(admin_page):
    page = admin_page
    page.goto("/")
    page.evaluate("""() => {
        const canvas = document.createElement('canvas');
        canvas.width = 300; canvas.height = 200;
        const img = document.createElement('img');
        img.src = canvas.toDataURL('image/png'); img.alt = 'Added later'; img.width = 60;
        img.dataset.zoom = ''; img.dataset.fileName = 'later.png';
        document.querySelector('main').appendChild(img);
    }""")
    thumb = page.locator("main img[data-zoom]")
    expect(thumb).to_have_attribute("role", "button")
    thumb.focus()
    page.keyboard.press(" ")
    expect(page.locator(DIALOG)).to_have_js_property("open", True)
    expect(page.locator(DIALOG + " a[data-lightbox-download]")).to_have_attribute("download", "later.png")
    expect(page.locator(DIALOG + " button[aria-label='Next image']")).to_be_hidden()   # only one image
    page.click(DIALOG + " button:text-is('100%')")
    assert _rendered(page)["width"] == 300
    page.keyboard.press("Escape")
    expect(thumb).to_be_focused()


def test_the_open_lightbox_has_no_axe_violations(axe_page):  # noqa: F811
    page, _ = axe_page
    page.goto("/setup")
    page.fill("input[name=email]", "admin@example.com")
    page.fill("input[name=password]", "a-long-admin-password")
    page.fill("input[name=confirm]", "a-long-admin-password")
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    _generate(page, "twitter_card", 1)
    page.locator("#results .result img[data-zoom]").first.click()
    expect(page.locator(DIALOG)).to_have_js_property("open", True)
    assert violations(page) == []
    page.click(DIALOG + " button:text-is('100%')")
    assert violations(page) == []
