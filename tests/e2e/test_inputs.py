"""Image inputs in a real browser: four ways in (pick, drop, paste, library), remembered across
navigation, checked before anything is sent (type by bytes, size with an offer to shrink), and
the Edit page's mask check and aligned outpaint comparison."""
from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e import test_accessibility as accessibility
from tests.e2e.conftest import serving
from tests.studio_helpers import photo

pytestmark = pytest.mark.e2e
LIMIT_MB = 0.3   # small, so an "oversized photo" is quick to make and to shrink
axe_page = accessibility.axe_page   # the page that may inject axe-core, on this module's live_server


@pytest.fixture
def live_server(make_app):
    """The app with a 0.3 MB image limit (the pages render it; nothing here hard-codes it)."""
    app = make_app(MAX_IMAGE_MB=LIMIT_MB)
    with serving(app) as base_url:
        yield base_url, app


def _png(width=160, height=100) -> bytes:
    buffer = io.BytesIO()
    photo(width, height).save(buffer, "PNG")
    return buffer.getvalue()


def _noise_png(height, width, channels=3, alpha=None) -> bytes:
    """Random pixels: a PNG that no encoder can make small."""
    pixels = np.random.default_rng(height).integers(0, 256, (height, width, channels), dtype=np.uint8)
    if alpha is not None:
        pixels[..., 3] = alpha
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGBA" if channels == 4 else "RGB").save(buffer, "PNG")
    return buffer.getvalue()


def _saved(tmp_path, name, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def _posts(page, fragment):
    """The URLs of POSTs whose URL holds `fragment`, collected from now on."""
    sent = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" and fragment in r.url else None)
    return sent


def _paste(page, data: bytes, name="image.png", kind="image/png"):
    """Paste a file the way a browser does: a paste event whose clipboardData holds it."""
    page.evaluate("""([b64, name, kind]) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const data = new DataTransfer();
        data.items.add(new File([bytes], name, {type: kind}));
        const target = document.activeElement || document.body;
        target.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
    }""", [base64.b64encode(data).decode(), name, kind])


def _create(page, prompt, count=1):
    body = page.evaluate("""([prompt, count]) => ImageStudio.api('/api/image-studio/create', {method: 'POST',
        json: {prompt, provider: 'sandbox', width: 320, height: 200, num_variations: count}})""", [prompt, count])
    return [r["asset_id"] for r in body["results"]]


def test_a_paste_fills_the_focused_input_or_the_first(admin_page):
    page = admin_page
    page.goto("/upscale")
    _paste(page, _png(160, 100))
    expect(page.locator("[data-upload=image] [data-upload-info]")).to_contain_text("image.png · 160×100 px")
    expect(page.locator("#planned-size")).not_to_have_text("upload an image")

    page.goto("/edit")
    page.wait_for_selector("select[name=operation] option[value=relight]", state="attached")
    page.select_option("select[name=operation]", "relight")
    page.focus("[data-upload=background] .dropzone")
    _paste(page, _png(90, 60), name="backdrop.png")
    expect(page.locator("[data-upload=background] [data-upload-info]")).to_contain_text("backdrop.png · 90×60 px")
    expect(page.locator("[data-upload=image] [data-upload-info]")).to_have_text("")


def test_a_dropped_file_fills_the_input(admin_page):
    page = admin_page
    page.goto("/control")
    dropped = page.evaluate_handle("""(b64) => {
        const data = new DataTransfer();
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        data.items.add(new File([bytes], "sketch.png", {type: "image/png"}));
        return data;
    }""", base64.b64encode(_png(96, 64)).decode())
    page.dispatch_event("[data-upload=style] .dropzone", "drop", {"dataTransfer": dropped})
    expect(page.locator("[data-upload=style] [data-upload-info]")).to_contain_text("sketch.png · 96×64 px")
    expect(page.locator("[data-upload=control] [data-upload-info]")).to_have_text("")


def test_a_library_pick_is_sent_by_asset_id_and_the_dialog_searches_and_pages(admin_page, job_result):
    page = admin_page
    page.goto("/")
    lighthouses = _create(page, "a lighthouse at dawn", 10)
    bicycles = _create(page, "a red bicycle", 3)
    page.goto("/upscale")
    page.click("[data-upload=image] [data-library-open]")
    dialog = page.locator("dialog[data-library]")
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-library-status]")).to_have_text("Page 1 of 2 · 13 images, newest first.")
    expect(dialog.locator(".library-item")).to_have_count(12)
    expect(dialog.locator("[data-library-prev]")).to_be_disabled()
    dialog.locator("[data-library-next]").click()
    expect(dialog.locator("[data-library-status]")).to_have_text("Page 2 of 2 · 13 images, newest first.")
    expect(dialog.locator(".library-item")).to_have_count(1)
    expect(dialog.locator(f"[data-asset='{lighthouses[0]}']")).to_be_visible()   # the oldest comes last

    dialog.locator("input[name=q]").fill("bicycle")
    dialog.locator("input[name=q]").press("Enter")
    expect(dialog.locator("[data-library-status]")).to_have_text("Page 1 of 1 · 3 images, newest first.")
    assert sorted(dialog.locator(".library-item").evaluate_all("items => items.map((i) => i.dataset.asset)")) \
        == sorted(bicycles)
    expect(dialog.locator(".library-item img").first).to_have_attribute("alt", "a red bicycle")
    dialog.locator(f"[data-asset='{bicycles[1]}']").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("[data-upload=image] [data-upload-info]")).to_contain_text("320×200 px · from your library")

    with page.expect_request("**/api/image-studio/upscale") as sent:
        page.click("form.card button[type=submit]")
    body = sent.value.post_data_json
    assert body["image_asset_id"] == bicycles[1] and "image_base64" not in body
    result = job_result(sent.value.response())
    assert result["metadata"]["parent_asset_id"] == bicycles[1]


def test_the_input_survives_navigation_until_cleared(admin_page, tmp_path):
    page = admin_page
    page.goto("/edit")
    page.set_input_files("[data-upload=image] input[type=file]", _saved(tmp_path, "beach.png", _png(200, 120)))
    info = page.locator("[data-upload=image] [data-upload-info]")
    expect(info).to_contain_text("beach.png · 200×120 px")
    expect(page.locator("#edit-stage")).to_be_visible()

    page.click("nav >> text=Upscale")
    page.wait_for_url("**/upscale")
    expect(page.locator("[data-upload=image] [data-upload-info]")).to_have_text("")   # per page
    page.go_back()
    page.wait_for_url("**/edit")
    expect(info).to_contain_text("beach.png · 200×120 px")
    page.goto("/upscale")
    page.click("nav >> text=Edit")                      # a fresh load: restored from IndexedDB
    page.wait_for_url("**/edit")
    expect(info).to_contain_text("beach.png · 200×120 px")
    expect(info).to_contain_text(" KB · restored")
    expect(page.locator("#edit-stage")).to_be_visible()
    assert page.locator("[data-photo]").evaluate("img => img.naturalWidth") == 200

    page.click("[data-upload=image] [data-upload-clear]")
    expect(info).to_have_text("")
    expect(page.locator("#edit-stage")).to_be_hidden()
    expect(page.locator("[data-upload=image] [data-upload-clear]")).to_be_hidden()
    page.reload()
    page.wait_for_selector("select[name=operation] option[value=inpaint]", state="attached")
    page.wait_for_timeout(300)
    expect(info).to_have_text("")


def test_a_use_in_link_wins_over_the_remembered_input(admin_page, tmp_path):
    page = admin_page
    asset_id = _create(page, "a lighthouse at dawn")[0]
    page.goto("/compress")
    page.set_input_files("[data-upload=image] input[type=file]", _saved(tmp_path, "mine.png", _png()))
    expect(page.locator("[data-upload-info]")).to_contain_text("mine.png")
    page.goto(f"/compress?asset={asset_id}")
    expect(page.locator("[data-upload-info]")).to_contain_text("320×200 px · from your library")
    page.goto("/compress")                                 # the pick is now what is kept
    expect(page.locator("[data-upload-info]")).to_contain_text("320×200 px · from your library")
    expect(page.locator("[data-upload-info]")).to_contain_text("restored")


def test_signing_out_forgets_the_inputs(admin_page, tmp_path):
    page = admin_page
    page.goto("/upscale")
    page.set_input_files("[data-upload=image] input[type=file]", _saved(tmp_path, "private.png", _png()))
    expect(page.locator("[data-upload-info]")).to_contain_text("private.png")
    page.click("form.logout button[type=submit]")
    page.wait_for_url("**/login**")
    kept = page.evaluate("""() => new Promise((resolve) => {
        const request = indexedDB.open("image-studio-inputs", 1);
        request.onupgradeneeded = () => request.result.createObjectStore("inputs");
        request.onsuccess = () => {
            const get = request.result.transaction("inputs").objectStore("inputs").count();
            get.onsuccess = () => { request.result.close(); resolve(get.result); };
        };
    })""")
    assert kept == 0


def test_a_text_file_named_png_is_refused_at_the_field_before_any_request(admin_page, tmp_path):
    page = admin_page
    page.goto("/compress")
    posts = _posts(page, "/api/")
    page.set_input_files("[data-upload=image] input[type=file]",
                         _saved(tmp_path, "notes.png", b"Meeting notes: bring the photos.\n" * 20))
    error = page.locator("[data-upload=image] [data-input-error]")
    expect(error).to_have_text("This file is not an image we can read (PNG, JPEG, WebP, GIF, BMP, TIFF or AVIF).")
    expect(page.locator("[data-upload-info]")).to_have_text("")
    page.click("#compress-form button[type=submit]")
    expect(page.locator("#compress-form > [data-error]")).to_have_text("Choose an image to compress first")
    assert posts == []

    # A real image clears the message. A PNG header over garbage is refused by decoding, too.
    page.set_input_files("[data-upload=image] input[type=file]", _saved(tmp_path, "ok.png", _png()))
    expect(error).to_be_hidden()
    expect(page.locator("[data-upload-info]")).to_contain_text("ok.png · 160×100 px")
    page.set_input_files("[data-upload=image] input[type=file]",
                         _saved(tmp_path, "broken.png", _png()[:40] + b"\0" * 200))
    expect(error).to_have_text("This file is not an image we can read (PNG, JPEG, WebP, GIF, BMP, TIFF or AVIF).")


def test_a_photo_over_the_limit_is_offered_a_shrink_that_fits(admin_page, tmp_path):
    page = admin_page
    page.goto("/compress")
    assert page.get_attribute("[data-upload=image]", "data-max-mb") == str(LIMIT_MB)   # rendered by the server
    expect(page.locator("#upload-image-limits")).to_have_text("Up to 0.3 MB and 40,000,000 pixels.")
    big = _noise_png(600, 800)
    assert len(big) > LIMIT_MB * 1024 * 1024
    posts = _posts(page, "/api/")
    page.set_input_files("[data-upload=image] input[type=file]", _saved(tmp_path, "noise.png", big))
    offer = page.locator("[data-upload=image] [data-shrink-offer]")
    expect(offer).to_contain_text(
        f"This photo is {len(big) / 1024 / 1024:.1f} MB; the limit is 0.3 MB. Shrink it to fit?")
    expect(page.locator("[data-upload-info]")).to_have_text("")
    assert posts == []

    with page.expect_request("**/compress/estimate") as estimate:
        offer.get_by_role("button", name="Shrink to fit").click()
    expect(offer).to_be_hidden()
    info = page.locator("[data-upload-info]")
    expect(info).to_contain_text("noise.jpg · ")
    expect(info).to_contain_text(f"shrunk from {len(big) / 1024 / 1024:.1f} MB")
    sent = estimate.value.post_data_json["image_base64"]
    data = base64.b64decode(sent.split(",", 1)[1])
    assert data[:3] == b"\xff\xd8\xff" and len(data) <= LIMIT_MB * 1024 * 1024
    kb = round(len(data) / 1024)
    expect(info).to_contain_text(f" · {kb} KB · ")
    with page.expect_response("**/api/image-studio/compress") as answer:
        page.click("#compress-form button[type=submit]")
    assert answer.value.status == 200


def test_a_transparent_image_is_shrunk_to_a_png(admin_page, tmp_path):
    page = admin_page
    page.goto("/convert")
    page.set_input_files("[data-upload=image] input[type=file]",
                         _saved(tmp_path, "glass.png", _noise_png(500, 500, channels=4, alpha=128)))
    with page.expect_request("**/convert-format") as sent:
        page.locator("[data-upload=image] [data-shrink]").click()
        expect(page.locator("[data-upload-info]")).to_contain_text("glass.png · ")
        page.click("#convert-form button[type=submit]")
    data = base64.b64decode(sent.value.post_data_json["image_base64"].split(",", 1)[1])
    assert data[:4] == b"\x89PNG" and len(data) <= LIMIT_MB * 1024 * 1024
    shrunk = Image.open(io.BytesIO(data))
    assert shrunk.mode == "RGBA" and shrunk.getpixel((10, 10))[3] == 128


def _erase_with(page, path: str) -> None:
    """The Edit page on its erase operation, with the file at `path` as its image."""
    page.goto("/edit")
    page.wait_for_selector("select[name=operation] option[value=erase]", state="attached")
    page.select_option("select[name=operation]", "erase")
    page.set_input_files("[data-upload=image] input[type=file]", path)


def test_erase_with_nothing_painted_says_so_at_the_mask_and_sends_nothing(admin_page, tmp_path):
    page = admin_page
    _erase_with(page, _saved(tmp_path, "room.png", _png(200, 120)))
    canvas = page.locator("[data-mask]")
    canvas.wait_for(state="visible")
    posts = _posts(page, "/edit/process")
    page.click("form.card button[type=submit]")
    note = page.locator("[data-mask-error]")
    expect(note).to_have_text("Paint over the area to erase first.")
    expect(canvas).to_have_attribute("aria-invalid", "")
    expect(page.locator("#edit-form > [data-error]")).to_have_text("Paint over the area to erase first.")
    assert posts == []

    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 30)
    page.mouse.down()
    expect(note).to_be_hidden()
    page.mouse.move(box["x"] + 80, box["y"] + 60, steps=5)
    page.mouse.up()
    with page.expect_request("**/edit/process") as sent:
        page.click("form.card button[type=submit]")
    assert sent.value.post_data_json["operation"] == "erase" and sent.value.post_data_json["mask_base64"]


def test_the_outpaint_comparison_puts_the_original_at_its_offset(admin_page, tmp_path, job_result):
    page = admin_page
    page.goto("/edit")
    page.wait_for_selector("select[name=operation] option[value=outpaint]", state="attached")
    page.set_input_files("[data-upload=image] input[type=file]", _saved(tmp_path, "shore.png", _png(200, 100)))
    page.select_option("select[name=operation]", "outpaint")
    for side, value in (("left", "100"), ("right", "20"), ("up", "60"), ("down", "0")):
        page.fill(f"[name=expand_{side}]", value)
    with page.expect_response("**/api/image-studio/edit/process") as answer:
        page.click("form.card button[type=submit]")
    result = job_result(answer.value)
    assert (result["width"], result["height"]) == (320, 160)
    page.wait_for_selector("[data-result]:not(.hidden)")
    expect(page.locator("[data-after]")).to_have_js_property("naturalWidth", 320)
    expect(page.locator("[data-before]")).to_have_js_property("complete", True)
    after = page.locator("[data-after]").bounding_box()
    before = page.locator("[data-before]").bounding_box()
    scale = after["width"] / 320
    assert abs(before["x"] - (after["x"] + 100 * scale)) < 1.5
    assert abs(before["y"] - (after["y"] + 60 * scale)) < 1.5
    assert abs(before["width"] - 200 * scale) < 1.5 and abs(before["height"] - 100 * scale) < 1.5

    # The slider's line crosses both images at the same place: at 50% of the result the
    # original (from 31% to 94% of it) shows its left part only.
    clip = page.locator("[data-before]").evaluate("img => img.style.clipPath")
    hidden = float(clip.split()[1].removesuffix("%"))
    assert abs(hidden - (300 - 160) / 200 * 100) < 0.5


def test_inputs_their_messages_and_the_library_dialog_pass_axe(axe_page, tmp_path):
    page, _ = axe_page
    accessibility.sign_up(page)
    _create(page, "an iced latte", 2)
    found = []
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto("/edit")
        page.wait_for_selector("select[name=operation] option[value=erase]", state="attached")
        page.select_option("select[name=operation]", "relight")
        page.set_input_files("[data-upload=image] input[type=file]", _saved(tmp_path, "a.png", _png()))
        page.set_input_files("[data-upload=background] input[type=file]", _saved(tmp_path, "t.png", b"text " * 50))
        page.wait_for_selector("[data-upload=background] [data-input-error]:not(.hidden)")
        page.select_option("select[name=operation]", "erase")
        page.click("form.card button[type=submit]")
        page.wait_for_selector("[data-mask-error]:not(.hidden)")
        found += [f"/edit at {width}px: {line}" for line in accessibility.violations(page)]
        page.click("[data-upload=image] [data-library-open]")
        page.wait_for_selector("dialog[data-library] .library-item")
        found += [f"library dialog at {width}px: {line}" for line in accessibility.violations(page)]
        page.keyboard.press("Escape")
        expect(page.locator("[data-upload=image] [data-library-open]")).to_be_focused()   # focus comes back
        page.goto("/compress")
        page.set_input_files("[data-upload=image] input[type=file]", _saved(tmp_path, "big.png", _noise_png(600, 800)))
        page.wait_for_selector("[data-shrink-offer]:not(.hidden)")
        found += [f"shrink offer at {width}px: {line}" for line in accessibility.violations(page)]
    assert found == [], "\n".join(found)


def _tiff(width, height) -> bytes:
    buffer = io.BytesIO()
    photo(width, height).save(buffer, "TIFF")
    return buffer.getvalue()


def test_a_tiff_is_painted_on_through_the_servers_copy_and_sent_as_itself(admin_page, tmp_path):
    page = admin_page
    _erase_with(page, _saved(tmp_path, "scan.tif", _tiff(200, 120)))
    expect(page.locator("[data-upload=image] [data-upload-info]")).to_contain_text("scan.tif · 200×120 px")
    page.wait_for_function("() => document.querySelector('[data-photo]').naturalWidth === 200")
    canvas = page.locator("[data-mask]")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 30)
    page.mouse.down()
    page.mouse.move(box["x"] + 80, box["y"] + 60, steps=5)
    page.mouse.up()
    with page.expect_request("**/edit/process") as sent:
        page.click("form.card button[type=submit]")
    body = sent.value.post_data_json
    assert body["image_base64"].startswith("data:image/tiff;base64,")
    mask = Image.open(io.BytesIO(base64.b64decode(body["mask_base64"].split(",", 1)[1])))
    assert mask.size == (200, 120)


def test_a_tiff_over_the_limit_says_how_to_make_it_fit(admin_page, tmp_path):
    page = admin_page
    page.goto("/compress")
    posts = _posts(page, "/api/image-studio/")
    page.set_input_files("[data-upload=image] input[type=file]", _saved(tmp_path, "scan.tif", _tiff(400, 300)))
    expect(page.locator("[data-upload=image] [data-input-error]")).to_have_text(
        "This photo is 0.3 MB; the limit is 0.3 MB. A browser cannot shrink a TIFF: "
        "save it compressed, or as JPEG or PNG, and retry.")
    expect(page.locator("[data-upload=image] [data-shrink-offer]")).to_be_hidden()
    assert posts == []
