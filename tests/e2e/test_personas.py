"""The Personas page in a real browser: the palette as colour swatches, the logo as the shared
image input (pick, drop, paste or library; forgotten once saved or cancelled), a font with its
live sample, errors at their field, and a delete that asks first."""
from __future__ import annotations

import base64
import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.test_accessibility import axe_page, sign_up, violations  # noqa: F401 (a fixture)
from tests.e2e.test_inputs import _create, _paste

pytestmark = pytest.mark.e2e
PERSONAS = "/api/image-studio/personas"
KEPT_LOGO = "/create/personas logo"   # inputs.js keeps an input per page path and field


def png(size=(120, 60), colour=(255, 0, 255, 255)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def personas(page) -> list[dict]:
    return page.evaluate("url => ImageStudio.api(url)", PERSONAS)["personas"]


def save(page):
    """Click Save and return the JSON body the page sent, once the API has answered."""
    with page.expect_response(lambda r: r.request.method in ("POST", "PUT") and PERSONAS in r.url) as answer:
        page.click("#persona-save")
    assert answer.value.ok, answer.value.text()
    return answer.value.request.post_data_json


def logo_is_kept(page) -> bool:
    """Whether inputs.js keeps a logo for this page in IndexedDB (a file or a library pick)."""
    return page.evaluate("""(key) => new Promise((resolve) => {
        const request = indexedDB.open("image-studio-inputs", 1);
        request.onsuccess = () => {
            const count = request.result.transaction("inputs").objectStore("inputs").count(key);
            count.onsuccess = () => { request.result.close(); resolve(count.result === 1); };
        };
    })""", KEPT_LOGO)


def wait_until_kept(page, kept: bool):
    """inputs.js keeps and forgets without waiting, so poll (for up to 5 s)."""
    for _ in range(50):
        if logo_is_kept(page) == kept:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the logo is {'not ' if kept else ''}kept")


def expect_preview_width(page, width: int):
    page.wait_for_function("""(width) => { const i = document.getElementById('logo-preview-image');
        return !document.getElementById('logo-preview').classList.contains('hidden')
            && i.complete && i.naturalWidth === width; }""", arg=width)


def expect_card_logo_width(page, width: int):
    page.wait_for_function("(width) => document.querySelector('.persona img.persona-logo')?.naturalWidth === width",
                           arg=width)


@pytest.fixture
def personas_page(admin_page):
    admin_page.goto("/create/personas")
    admin_page.locator("#persona-count", has_text="0 personas").wait_for()
    return admin_page


def test_two_colours_from_the_picker_are_the_saved_palette(personas_page):
    page = personas_page
    page.fill("input[name=name]", "Acme")
    expect(page.locator("#palette-status")).to_have_text("0 of 12 colours")
    page.click("#add-colour")
    page.click("#add-colour")
    page.get_by_label("Colour 1", exact=True).fill("#1f6f43")
    page.get_by_label("Colour 2", exact=True).fill("#f2c14e")
    expect(page.get_by_label("Colour 1 hex code")).to_have_value("#1f6f43")      # the hex is shown
    expect(page.get_by_label("Colour 2 hex code")).to_have_value("#f2c14e")
    page.click("#add-colour")
    page.get_by_role("button", name="Remove colour 3").click()
    expect(page.get_by_role("button", name="Remove colour 3")).to_have_count(0)
    expect(page.get_by_label("Colour 2", exact=True)).to_be_focused()
    assert save(page)["color_palette"] == ["#1f6f43", "#f2c14e"]
    card = page.locator(".persona", has_text="Acme")
    expect(card.locator(".swatch-code")).to_have_text(["#1f6f43", "#f2c14e"])
    (saved,) = personas(page)
    assert saved["color_palette"] == ["#1f6f43", "#f2c14e"]

    # Editing shows the palette again; a change goes out as a PUT of that persona.
    card.locator("button.edit").click()
    expect(page.get_by_label("Colour 2", exact=True)).to_have_value("#f2c14e")
    page.get_by_label("Colour 2 hex code").fill("#abc")
    expect(page.get_by_label("Colour 2", exact=True)).to_have_value("#aabbcc")   # the picker follows
    page.fill("input[name=name]", "Acme Outdoor")
    with page.expect_request(lambda r: r.method == "PUT") as put:
        page.click("#persona-save")
    assert put.value.url.endswith(f"{PERSONAS}/{saved['id']}")
    page.locator(".persona", has_text="Acme Outdoor").wait_for()
    assert personas(page)[0]["color_palette"] == ["#1f6f43", "#abc"]
    page.goto("/create")
    page.locator("select[name=persona_id] option", has_text="Acme Outdoor").wait_for(state="attached")


def test_the_palette_stops_at_the_apis_limit(personas_page):
    page = personas_page
    for _ in range(12):
        page.click("#add-colour")
    expect(page.locator("#add-colour")).to_be_disabled()
    expect(page.locator("#palette-status")).to_have_text("The palette is full: 12 colours at most.")
    page.get_by_role("button", name="Remove colour 12").click()
    expect(page.locator("#add-colour")).to_be_enabled()


def test_a_logo_from_the_picker_or_a_drop_shows_on_the_card(personas_page):
    page = personas_page
    page.fill("input[name=name]", "Acme")
    page.set_input_files("#logo-file", files=[{"name": "logo.png", "mimeType": "image/png", "buffer": png()}])
    expect(page.locator("#logo-info")).to_contain_text("logo.png · 120×60 px")
    expect_preview_width(page, 120)
    sent = save(page)
    assert sent["logo_base64"].startswith("data:image/png;base64,") and "logo_asset_id" not in sent
    (saved,) = personas(page)
    logo = page.locator(".persona img.persona-logo")
    expect(logo).to_have_attribute("src", saved["logo_url"])
    expect(logo).to_have_attribute("alt", "Logo of Acme")
    expect_card_logo_width(page, 120)

    # Editing puts the saved logo in the input: saved unchanged, it goes back by its asset id.
    page.locator(".persona button.edit").click()
    expect(page.locator("#logo-info")).to_contain_text("120×60 px · from your library")
    expect(page.locator("#logo-info")).to_contain_text("the saved logo")
    expect_preview_width(page, 120)
    sent = save(page)
    assert sent["logo_asset_id"] == saved["logo_asset_id"] and "logo_base64" not in sent
    assert personas(page)[0]["logo_asset_id"] == saved["logo_asset_id"]

    # A dropped logo replaces it, and Remove logo takes it away.
    page.locator(".persona button.edit").click()
    expect(page.locator("#logo-info")).to_contain_text("the saved logo")
    page.evaluate("""(data) => {
        const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], "dropped.png", { type: "image/png" }));
        const drop = new DragEvent("drop", { dataTransfer: transfer, bubbles: true });
        document.querySelector("[data-upload=logo] .dropzone").dispatchEvent(drop);
    }""", base64.b64encode(png((40, 40), (0, 200, 0, 255))).decode())
    expect(page.locator("#logo-info")).to_contain_text("dropped.png · 40×40 px")
    expect_preview_width(page, 40)
    assert save(page)["logo_base64"].startswith("data:image/png;base64,")
    expect_card_logo_width(page, 40)
    replaced = personas(page)[0]
    assert replaced["logo_asset_id"] != saved["logo_asset_id"]

    page.locator(".persona button.edit").click()
    expect(page.locator("#logo-preview")).to_be_visible()
    page.click("#remove-logo")
    expect(page.locator("#logo-preview")).to_be_hidden()
    expect(page.locator("#logo-info")).to_have_text("")
    expect(page.locator("[data-upload=logo] .dropzone")).to_be_focused()
    sent = save(page)
    assert sent["logo_asset_id"] is None and "logo_base64" not in sent
    expect(page.locator(".persona img.persona-logo")).to_have_count(0)
    assert personas(page)[0]["logo_url"] is None


def test_a_logo_from_the_library_is_sent_by_its_asset_id(personas_page):
    page = personas_page
    (asset_id,) = _create(page, "a fox logo")
    page.fill("input[name=name]", "Fox & Co")
    page.click("[data-upload=logo] [data-library-open]")
    page.locator(f"dialog[data-library] [data-asset='{asset_id}']").click()
    expect(page.locator("dialog[data-library]")).to_be_hidden()
    expect(page.locator("#logo-info")).to_contain_text("320×200 px · from your library")
    expect_preview_width(page, 320)
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith(PERSONAS)) as sent:
        page.click("#persona-save")
    body = sent.value.post_data_json
    assert body["logo_asset_id"] == asset_id and "logo_base64" not in body
    assert sent.value.response().ok
    page.locator(".persona img.persona-logo").wait_for()
    (saved,) = personas(page)
    assert saved["logo_asset_id"] == asset_id
    expect(page.locator(".persona img.persona-logo")).to_have_attribute("src", saved["logo_url"])

    # On an existing persona, a library pick goes out in the PUT the same way.
    (other,) = _create(page, "a second fox logo")
    page.locator(".persona button.edit").click()
    expect(page.locator("#logo-info")).to_contain_text("the saved logo")
    page.click("[data-upload=logo] [data-library-open]")
    page.locator(f"dialog[data-library] [data-asset='{other}']").click()
    expect(page.locator("#logo-info")).not_to_contain_text("the saved logo")
    with page.expect_request(lambda r: r.method == "PUT") as sent:
        page.click("#persona-save")
    body = sent.value.post_data_json
    assert body["logo_asset_id"] == other and "logo_base64" not in body
    page.locator("#persona-form-title", has_text="New persona").wait_for()
    assert personas(page)[0]["logo_asset_id"] == other


def test_a_pasted_logo_is_saved(personas_page):
    page = personas_page
    page.fill("input[name=name]", "Acme")
    _paste(page, png((64, 32), (0, 0, 255, 128)), name="clipboard.png")
    expect(page.locator("#logo-info")).to_contain_text("clipboard.png · 64×32 px")
    expect_preview_width(page, 64)
    assert save(page)["logo_base64"].startswith("data:image/png;base64,")
    expect_card_logo_width(page, 64)


def test_a_new_personas_logo_is_kept_until_saved_and_not_given_to_the_next(personas_page):
    page = personas_page
    page.set_input_files("#logo-file", files=[{"name": "draft.png", "mimeType": "image/png", "buffer": png()}])
    expect(page.locator("#logo-info")).to_contain_text("draft.png")
    wait_until_kept(page, True)
    page.reload()                                      # a draft survives navigating away
    expect(page.locator("#logo-info")).to_contain_text("draft.png · 120×60 px")
    expect(page.locator("#logo-info")).to_contain_text("restored")
    expect_preview_width(page, 120)

    page.fill("input[name=name]", "Acme")
    assert "logo_base64" in save(page)
    expect(page.locator("#logo-info")).to_have_text("")   # saving empties the input...
    expect(page.locator("#logo-preview")).to_be_hidden()
    wait_until_kept(page, False)                          # ...and forgets it
    page.reload()
    page.locator(".persona", has_text="Acme").wait_for()
    page.fill("input[name=name]", "Brio")
    sent = save(page)
    assert "logo_base64" not in sent and "logo_asset_id" not in sent
    page.locator(".persona", has_text="Brio").wait_for()
    assert [p["logo_url"] is None for p in personas(page)] == [False, True]

    # Editing shows a persona's logo without keeping it, and cancelling empties the input.
    page.locator(".persona", has_text="Acme").locator("button.edit").click()
    expect(page.locator("#logo-info")).to_contain_text("the saved logo")
    page.wait_for_timeout(300)                            # time enough for inputs.js to have kept it
    wait_until_kept(page, False)
    page.set_input_files("#logo-file", files=[{"name": "other.png", "mimeType": "image/png", "buffer": png((30, 30))}])
    expect(page.locator("#logo-info")).to_contain_text("other.png")
    wait_until_kept(page, True)
    page.click("#persona-cancel")
    expect(page.locator("#logo-info")).to_have_text("")
    expect(page.locator("#logo-preview")).to_be_hidden()
    wait_until_kept(page, False)
    page.reload()
    page.locator(".persona", has_text="Brio").wait_for()
    page.fill("input[name=name]", "Cato")
    sent = save(page)
    assert "logo_base64" not in sent and "logo_asset_id" not in sent


def sample_pixels(page) -> str:
    page.wait_for_function("() => { const i = document.getElementById('font-sample');"
                           " return i.complete && i.naturalWidth > 0; }")
    return page.evaluate("""() => {
        const image = document.getElementById("font-sample");
        const canvas = document.createElement("canvas");
        canvas.width = image.naturalWidth; canvas.height = image.naturalHeight;
        canvas.getContext("2d").drawImage(image, 0, 0);
        return canvas.toDataURL();
    }""")


def test_a_chosen_font_changes_the_sample_and_is_saved(personas_page):
    page = personas_page
    options = page.locator("select[name=font] option")
    if options.count() < 2:
        pytest.skip("only the built-in font is available: install a TrueType font (e.g. fonts-dejavu-core)")
    expect(page.locator("#font-sample")).to_have_attribute("alt", "“Summer sale · Shop now” in Aileron (built in)")
    before = sample_pixels(page)
    chosen, name = options.nth(1).get_attribute("value"), options.nth(1).inner_text()
    page.select_option("select[name=font]", chosen)
    expect(page.locator("#font-sample")).to_have_attribute("src", f"/api/image-studio/fonts/{chosen}/sample?text="
                                                           "Summer%20sale%20%C2%B7%20Shop%20now")
    expect(page.locator("#font-sample")).to_have_attribute("alt", f"“Summer sale · Shop now” in {name}")
    assert sample_pixels(page) != before
    page.fill("input[name=name]", "Acme")
    page.locator("input[name=name]").dispatch_event("change")
    expect(page.locator("#font-sample")).to_have_attribute("alt", f"“Acme” in {name}")

    assert save(page)["font"] == chosen
    card = page.locator(".persona", has_text="Acme")
    expect(card.locator(".persona-font")).to_have_text(f"Font: {name}")
    assert personas(page)[0]["font"] == chosen
    card.locator("button.edit").click()
    expect(page.locator("select[name=font]")).to_have_value(chosen)


def test_a_bad_colour_is_told_at_its_swatch_in_plain_words_until_fixed(personas_page):
    page = personas_page
    page.click("#add-colour")
    page.click("#add-colour")
    page.get_by_label("Colour 2 hex code").fill("#12")
    page.click("#persona-save")
    name_error = page.locator("[data-field-error=name]")
    expect(name_error).to_have_text("This is needed.")
    colour_error = page.locator("[data-field-error=colour_2]")
    expect(colour_error).to_have_text("Use a colour code like #1a2b3c.")
    expect(page.locator("#persona-error")).to_have_text("Please check the highlighted fields.")
    expect(page.locator("li.swatch-edit").nth(1).locator("[data-field-error]")).to_have_count(1)   # at swatch 2
    expect(page.get_by_label("Colour 2 hex code")).to_have_attribute("aria-invalid", "true")
    assert "{" not in page.locator("#persona-form").inner_text()

    page.get_by_label("Colour 2 hex code").fill("#123456")
    expect(colour_error).to_have_count(0)
    expect(page.get_by_label("Colour 2 hex code")).not_to_have_attribute("aria-invalid", "true")
    page.fill("input[name=name]", "Acme")
    expect(name_error).to_have_count(0)
    page.click("#persona-save")
    page.locator(".persona", has_text="Acme").wait_for()
    expect(page.locator("#persona-error")).to_be_hidden()
    assert personas(page)[0]["color_palette"] == ["#000000", "#123456"]


def test_delete_asks_first_and_keep_keeps(personas_page):
    page = personas_page
    page.evaluate("url => ImageStudio.api(url, {method: 'POST', json: {name: 'Acme'}})", PERSONAS)
    page.reload()
    (persona,) = personas(page)
    card = page.locator(".persona", has_text="Acme")
    deletes = []
    page.on("request", lambda r: deletes.append(r.url) if r.method == "DELETE" else None)

    card.locator("button.delete").click()
    expect(card.locator(".confirm")).to_contain_text("Delete Acme?")
    expect(card.get_by_role("button", name="Keep")).to_be_focused()
    card.get_by_role("button", name="Keep").click()
    expect(card.locator(".confirm")).to_have_count(0)
    expect(card.locator("button.delete")).to_be_focused()
    card.locator("button.delete").click()
    page.keyboard.press("Escape")                                   # Escape keeps it too
    expect(card.locator(".confirm")).to_have_count(0)
    assert deletes == [] and len(personas(page)) == 1

    card.locator("button.delete").click()
    with page.expect_request(lambda r: r.method == "DELETE") as deleted:
        card.locator("button.confirm-delete").click()
    assert deleted.value.url.endswith(f"{PERSONAS}/{persona['id']}")
    page.locator("#persona-count", has_text="0 personas").wait_for()
    assert personas(page) == []


def test_the_page_in_every_state_passes_axe(axe_page):  # noqa: F811 (the imported fixture)
    page, _ = axe_page
    sign_up(page)
    page.evaluate("url => ImageStudio.api(url, {method: 'POST', json: {name: 'Acme', color_palette: ['#1f6f43']}})",
                  PERSONAS)
    page.goto("/create/personas")
    page.locator(".persona", has_text="Acme").wait_for()
    page.click("#add-colour")
    page.click("#add-colour")
    page.get_by_label("Colour 2 hex code").fill("#12")
    page.set_input_files("#logo-file", files=[{"name": "logo.png", "mimeType": "image/png", "buffer": png()}])
    page.locator("#logo-preview:not(.hidden)").wait_for()
    page.click("#persona-save")
    page.locator("[data-field-error=colour_2]").wait_for()
    page.locator(".persona button.delete").click()
    page.locator(".persona .confirm").wait_for()
    for width, height in ((1280, 800), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        assert violations(page) == []
