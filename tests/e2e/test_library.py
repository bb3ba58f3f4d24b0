"""Library and usage pages in a real browser: results appear, ZIP several, delete, spend charted,
and collections renamed, deleted and emptied in the page."""
import io
import zipfile

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.test_accessibility import axe_page, check, sign_up  # noqa: F401 (axe_page is a fixture)

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
    assert sorted(archive.namelist()) == ["image_a-red-bicycle_1.png", "image_a-red-bicycle_2.png"]   # as downloaded
    for name in archive.namelist():
        assert Image.open(io.BytesIO(archive.read(name))).size == (320, 200)

    deleted = []
    page.on("request", lambda request: deleted.append(request.url) if request.method == "DELETE" else None)
    page.click("#delete-selected")                                          # asked in the page first
    expect(page.locator("#delete-confirm")).to_be_visible()
    expect(page.locator("#delete-confirm-text")).to_have_text("Delete 2 images? This cannot be undone.")
    expect(page.locator("#delete-confirm [data-confirm-yes]")).to_be_focused()
    page.click("#delete-confirm [data-confirm-no]")
    expect(page.locator("#delete-confirm")).to_be_hidden()
    expect(page.locator("#delete-selected")).to_be_focused()
    page.click("#delete-selected")
    page.keyboard.press("Escape")
    expect(page.locator("#delete-confirm")).to_be_hidden()
    assert deleted == [] and page.locator(".result").count() == 3
    page.click("#delete-selected")
    page.click("#delete-confirm [data-confirm-yes]")
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
    page.check(f".pick[value='{ids[2]}']")                                   # the last one goes too
    page.click("#delete-selected")
    page.click("#delete-confirm [data-confirm-yes]")
    expect(page.locator("#library .empty")).to_have_text("No images here any more.")
    expect(page.locator("#library-count")).to_have_text("0 images")

    page.click("nav >> text=More")
    page.click("nav >> text=Usage")
    page.wait_for_url("**/usage")
    expect(page.locator("#spent-detail")).to_contain_text(
        "3 results made (3 free: the sandbox and in-app work cost nothing)")
    expect(page.locator("#no-spend")).to_be_visible()
    expect(page.locator("svg.chart")).to_have_count(0)


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


def _optimize(page, asset_id: str, platforms: list[str]) -> list[str]:
    body = page.evaluate("""async ([asset, platforms]) => ImageStudio.api('/api/image-studio/social/optimize',
                              {method: 'POST', json: {image_asset_id: asset, platforms}})""", [asset_id, platforms])
    return [result["asset_id"] for result in body["results"]]


def test_favourite_a_card_and_filter_favourites(admin_page):
    page = admin_page
    ids = _create(page, 2)
    page.goto("/library")
    star = page.locator(f"[data-asset-id='{ids[1]}'] .star")
    expect(star).to_have_attribute("aria-pressed", "false")
    with page.expect_response(lambda response: response.request.method == "PUT") as answer:
        star.click()
    assert answer.value.status == 200 and answer.value.json()["favorite"] is True
    expect(star).to_have_attribute("aria-pressed", "true")                 # without a reload
    expect(page.locator(f"[data-asset-id='{ids[0]}'] .star")).to_have_attribute("aria-pressed", "false")
    page.select_option("select[name=favorite]", "true")
    page.wait_for_url("**/library?*favorite=true*")
    expect(page.locator(".result")).to_have_count(1)
    expect(page.locator(".result")).to_have_attribute("data-asset-id", ids[1])
    expect(page.locator("#library-count")).to_have_text("1 image")
    page.locator(".result .star").focus()
    page.keyboard.press("Enter")                                            # by keyboard too
    expect(page.locator(".result .star")).to_have_attribute("aria-pressed", "false")
    page.reload()
    expect(page.locator(".result")).to_have_count(0)
    expect(page.locator(".empty")).to_have_text("No images match these filters.")


def test_create_a_collection_add_two_selected_and_filter_by_it(admin_page):
    page = admin_page
    ids = _create(page, 3)
    page.goto("/library")
    expect(page.locator("#add-selected")).to_be_disabled()
    page.fill("#new-collection input[name=name]", "Spring launch")
    page.click("#new-collection button[type=submit]")
    item = page.locator("#collection-list li", has_text="Spring launch")
    expect(item).to_contain_text("0 images")
    expect(page.locator("#library-status")).to_have_text("Created the collection “Spring launch”.")
    page.fill("#new-collection input[name=name]", "spring LAUNCH")
    page.click("#new-collection button[type=submit]")
    expect(page.locator("#new-collection [data-field-error]")).to_have_text(
        "You already have a collection named “spring LAUNCH”")
    expect(page.locator("#collection-list li")).to_have_count(1)

    page.check(f".pick[value='{ids[0]}']")
    page.check(f".pick[value='{ids[2]}']")
    expect(page.locator("#collection-target")).to_have_value(item.get_attribute("data-collection-id"))
    page.click("#add-selected")
    expect(page.locator("#library-status")).to_have_text("Added 2 images to “Spring launch”.")
    expect(item).to_contain_text("2 images")

    page.select_option(".filters select[name=collection_id]", label="Spring launch")
    page.wait_for_url("**/library?*collection_id=*")
    expect(page.locator(".result")).to_have_count(2)
    assert sorted(page.locator(".result").evaluate_all("cards => cards.map(c => c.dataset.assetId)")) == \
        sorted([ids[0], ids[2]])
    expect(page.locator("#library-count")).to_have_text("2 images in “Spring launch”")
    expect(page.locator("#collection-list li", has_text="Spring launch")).to_contain_text("2 images")
    page.select_option(".filters select[name=collection_id]", "")
    page.wait_for_url("**/library?*")
    expect(page.locator(".result")).to_have_count(3)


def test_open_a_detail_page_and_follow_made_from_to_the_parent(admin_page):
    page = admin_page
    (parent,) = _create(page, 1)
    (child,) = _optimize(page, parent, ["instagram"])
    page.goto("/library")
    page.locator(f"[data-asset-id='{child}'] a", has_text="Details").click()
    page.wait_for_url(f"**/library/{child}")
    expect(page.locator("[data-fact=studio]")).to_have_text("Social")
    expect(page.locator("[data-fact=prompt]")).to_have_text("a red bicycle")
    expect(page.locator("[data-fact=platform]")).to_have_text("Instagram · Feed Post (Square)")
    expect(page.locator(".detail-image img")).to_have_js_property("naturalWidth", 1080)
    expect(page.locator("#open-full")).to_have_attribute("href", f"/api/image-studio/assets/{child}")
    with page.expect_download() as download:
        page.click("#detail-download")
    assert download.value.suggested_filename == "instagram-feed-post-square_a-red-bicycle_1.png"

    page.click("#made-from")
    page.wait_for_url(f"**/library/{parent}")
    expect(page.locator("[data-fact=size]")).to_contain_text("320×200 px")
    expect(page.locator("#used-to-make a")).to_have_attribute("href", f"/library/{child}")
    page.click(".detail-title .star")
    expect(page.locator(".detail-title .star")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".use-in a", has_text="Upscale")).to_have_attribute("href", f"/upscale?asset={parent}")

    page.click("#delete-asset")
    expect(page.locator("#delete-confirm-text")).to_have_text("Delete this image? This cannot be undone.")
    page.click("#delete-confirm [data-confirm-yes]")
    page.wait_for_url("**/library")
    expect(page.locator(".result")).to_have_count(1)
    expect(page.locator(".result")).to_have_attribute("data-asset-id", child)
    page.goto(f"/library/{child}")
    expect(page.locator("[data-fact=parent]")).to_have_text("An image since deleted")


def test_a_social_optimize_calls_renditions_appear_grouped(admin_page):
    page = admin_page
    (source,) = _create(page, 1)
    renditions = _optimize(page, source, ["instagram", "linkedin", "tiktok"])
    assert len(renditions) == 3
    page.goto("/library")
    group = page.locator(".asset-group")
    expect(group).to_have_count(1)
    expect(group.locator("h2")).to_have_text("Social · 3 formats · a red bicycle")
    assert sorted(group.locator(".result").evaluate_all("cards => cards.map(c => c.dataset.assetId)")) == \
        sorted(renditions)
    expect(page.locator(f"#library > .results [data-asset-id='{source}']")).to_have_count(1)  # alone, outside
    group.locator(".pick").first.check()
    page.click("#delete-selected")
    page.click("#delete-confirm [data-confirm-yes]")
    expect(group.locator(".result")).to_have_count(2)
    expect(group.locator("h2")).to_have_text("Social · 3 formats · a red bicycle")


def _collection(page, name: str, asset_ids: list[str]) -> str:
    """A collection holding these images, made through the API the page uses."""
    made = page.evaluate("""async ([name, ids]) => {
        const made = await ImageStudio.api('/api/image-studio/collections', {method: 'POST', json: {name}});
        if (ids.length) {
            await ImageStudio.api(`/api/image-studio/collections/${made.id}/assets`,
                                  {method: 'POST', json: {asset_ids: ids}});
        }
        return made;
    }""", [name, asset_ids])
    return made["id"]


def _collections(page) -> dict[str, int]:
    body = page.evaluate("() => ImageStudio.api('/api/image-studio/collections')")
    return {c["name"]: c["asset_count"] for c in body["collections"]}


def test_rename_a_collection_in_place_cancel_escape_and_a_duplicate_name(admin_page):
    page = admin_page
    ids = _create(page, 1)
    spring = _collection(page, "Spring launch", ids)
    _collection(page, "Autumn", [])
    page.goto(f"/library?collection_id={spring}")
    item = page.locator(f"#collection-list li[data-collection-id='{spring}']")
    rename = page.get_by_role("button", name="Rename Spring launch")
    rename.click()
    field = item.get_by_label("New name for “Spring launch”")
    expect(field).to_be_focused()
    expect(field).to_have_value("Spring launch")
    expect(item.locator("a")).to_be_hidden()
    field.fill("Summer")
    page.keyboard.press("Escape")                                           # cancels
    expect(item.locator("form")).to_have_count(0)
    expect(item.locator("a")).to_have_text("Spring launch")
    expect(rename).to_be_focused()
    rename.click()
    item.get_by_role("button", name="Cancel").click()
    expect(item.locator("form")).to_have_count(0)
    assert set(_collections(page)) == {"Spring launch", "Autumn"}

    rename.click()
    item.get_by_label("New name for “Spring launch”").fill("autumn")
    item.get_by_role("button", name="Save").click()
    expect(item.locator("[data-field-error]")).to_have_text("You already have a collection named “autumn”")
    expect(item.get_by_label("New name for “Spring launch”")).to_have_attribute("aria-invalid", "true")
    expect(item.get_by_label("New name for “Spring launch”")).to_be_focused()
    assert set(_collections(page)) == {"Spring launch", "Autumn"}

    item.get_by_label("New name for “Spring launch”").fill("Summer sale")
    with page.expect_response(lambda r: r.request.method == "PUT") as answer:
        item.get_by_label("New name for “Spring launch”").press("Enter")
    assert answer.value.status == 200
    expect(item.locator("form")).to_have_count(0)
    expect(item.locator("a")).to_have_text("Summer sale")
    expect(page.get_by_role("button", name="Rename Summer sale")).to_be_focused()
    expect(page.locator("#library-status")).to_have_text("Renamed the collection to “Summer sale”.")
    expect(page.locator("#library-count")).to_have_text("1 image in “Summer sale”")
    expect(page.locator(".filters select[name=collection_id] option:checked")).to_have_text("Summer sale")
    expect(page.locator(f"#collection-target option[value='{spring}']")).to_have_text("Summer sale")
    expect(page.locator(".result .remove-from")).to_have_text("Remove from Summer sale")
    expect(page.locator("#remove-selected")).to_have_text("Remove selected from Summer sale")
    assert set(_collections(page)) == {"Summer sale", "Autumn"}


def test_delete_a_collection_keep_then_delete_and_its_images_stay(admin_page):
    page = admin_page
    ids = _create(page, 2)
    spring = _collection(page, "Spring launch", ids)
    autumn = _collection(page, "Autumn", ids[:1])
    page.goto("/library")
    box = page.locator("#collection-confirm")
    delete = page.get_by_role("button", name="Delete Spring launch")
    delete.click()
    expect(box).to_be_visible()
    expect(box.locator("[data-confirm-text]")).to_have_text(
        "Delete collection “Spring launch”? Its images stay in your library.")
    expect(box.get_by_role("button", name="Delete")).to_be_focused()
    box.get_by_role("button", name="Keep").click()
    expect(box).to_be_hidden()
    expect(delete).to_be_focused()
    delete.click()
    page.keyboard.press("Escape")
    expect(box).to_be_hidden()
    assert set(_collections(page)) == {"Spring launch", "Autumn"}

    delete.click()
    with page.expect_response(lambda r: r.request.method == "DELETE") as answer:
        box.get_by_role("button", name="Delete").click()
    assert answer.value.status == 204 and answer.value.url.endswith(f"/collections/{spring}")
    expect(page.locator(f"#collection-list li[data-collection-id='{spring}']")).to_have_count(0)
    expect(page.locator(f"option[value='{spring}']")).to_have_count(0)     # neither select offers it
    expect(page.locator("#library-status")).to_have_text(
        "Deleted the collection “Spring launch”; its images stay in your library.")
    expect(page.locator("#collections-heading")).to_be_focused()
    expect(page.locator(".result")).to_have_count(2)
    assert _collections(page) == {"Autumn": 1}

    page.goto(f"/library?collection_id={autumn}")                       # deleting the one shown
    page.get_by_role("button", name="Delete Autumn").click()
    box.get_by_role("button", name="Delete").click()
    page.wait_for_url("**/library")
    expect(page.locator("#collection-list [data-none]")).to_have_text("No collections yet.")
    expect(page.locator(".result")).to_have_count(2)
    expect(page.locator("#library-count")).to_have_text("2 images")


def test_remove_from_the_collection_on_the_filtered_page_counts_follow(admin_page):
    page = admin_page
    ids = _create(page, 4)
    spring = _collection(page, "Spring launch", ids)
    _collection(page, "Autumn", ids[:2])
    page.goto("/library")
    expect(page.locator(".remove-from")).to_have_count(0)                   # only when filtered
    expect(page.locator("#remove-selected")).to_have_count(0)
    page.select_option(".filters select[name=collection_id]", label="Spring launch")
    page.wait_for_url(f"**/library?*collection_id={spring}*")
    spring_count = page.locator(f"#collection-list li[data-collection-id='{spring}'] [data-count]")
    expect(spring_count).to_have_text("4 images")
    expect(page.locator("#library-count")).to_have_text("4 images in “Spring launch”")

    first, second = page.locator(".result").evaluate_all("cards => cards.map(c => c.dataset.assetId)")[:2]
    card = page.locator(f".result[data-asset-id='{first}']")
    with page.expect_response(lambda r: r.request.method == "DELETE") as answer:
        card.get_by_role("button", name="Remove from Spring launch").click()
    assert answer.value.status == 204 and answer.value.url.endswith(f"/collections/{spring}/assets/{first}")
    expect(card).to_have_count(0)                                           # it left the grid
    expect(page.locator("#library-count")).to_have_text("3 images in “Spring launch”")
    expect(spring_count).to_have_text("3 images")
    expect(page.locator("#library-status")).to_have_text("Removed 1 image from “Spring launch”.")
    expect(page.locator(f".result[data-asset-id='{second}'] .remove-from")).to_be_focused()   # the next card's

    expect(page.locator("#remove-selected")).to_be_disabled()
    rest = [asset for asset in ids if asset != first]
    page.check(f".pick[value='{rest[0]}']")
    page.check(f".pick[value='{rest[1]}']")
    page.click("#remove-selected")
    expect(page.locator(".result")).to_have_count(1)
    expect(page.locator(".result")).to_have_attribute("data-asset-id", rest[2])
    expect(page.locator("#library-count")).to_have_text("1 image in “Spring launch”")
    expect(spring_count).to_have_text("1 image")
    expect(page.locator("#collection-list li:has-text('Autumn') [data-count]")).to_have_text("2 images")
    expect(page.locator("#remove-selected")).to_be_disabled()
    assert _collections(page) == {"Spring launch": 1, "Autumn": 2}
    page.reload()
    expect(page.locator(".result")).to_have_count(1)
    page.goto("/library")
    expect(page.locator(".result")).to_have_count(4)                        # the images stay


def test_counts_follow_deletes_and_adds_without_a_reload(admin_page):
    page = admin_page
    ids = _create(page, 3)
    spring = _collection(page, "Spring launch", ids[:2])
    autumn = _collection(page, "Autumn", ids[1:])
    page.goto("/library")
    counts = {cid: page.locator(f"#collection-list li[data-collection-id='{cid}'] [data-count]")
              for cid in (spring, autumn)}
    expect(counts[spring]).to_have_text("2 images")
    expect(counts[autumn]).to_have_text("2 images")
    page.check(f".pick[value='{ids[1]}']")
    page.click("#delete-selected")
    page.click("#delete-confirm [data-confirm-yes]")
    expect(page.locator(".result")).to_have_count(2)
    expect(counts[spring]).to_have_text("1 image")
    expect(counts[autumn]).to_have_text("1 image")
    expect(page.locator("#library-count")).to_have_text("2 images")
    page.check(f".pick[value='{ids[0]}']")
    page.select_option("#collection-target", autumn)
    page.click("#add-selected")
    expect(counts[autumn]).to_have_text("2 images")
    expect(counts[spring]).to_have_text("1 image")


def test_the_detail_page_lists_its_collections_and_removes_from_one(admin_page):
    page = admin_page
    (asset,) = _create(page, 1)
    spring = _collection(page, "Spring launch", [asset])
    _collection(page, "Autumn", [asset])
    page.goto(f"/library/{asset}")
    memberships = page.locator("#in-collections li")
    expect(memberships).to_have_count(2)
    expect(memberships.locator("a")).to_have_text(["Autumn", "Spring launch"])
    with page.expect_response(lambda r: r.request.method == "DELETE") as answer:
        page.get_by_role("button", name="Remove from Spring launch").click()
    assert answer.value.status == 204 and answer.value.url.endswith(f"/collections/{spring}/assets/{asset}")
    expect(memberships).to_have_count(1)
    expect(memberships.locator("a")).to_have_text("Autumn")
    expect(page.locator("#library-status")).to_have_text("Removed from “Spring launch”.")
    expect(page.get_by_role("button", name="Remove from Autumn")).to_be_focused()
    page.keyboard.press("Enter")                                            # by keyboard too
    expect(memberships).to_have_count(0)
    expect(page.locator("[data-fact=collections]")).to_have_text("None")
    expect(page.locator("#lineage-heading")).to_be_focused()
    assert _collections(page) == {"Spring launch": 0, "Autumn": 0}
    page.reload()
    expect(page.locator("[data-fact=collections]")).to_have_text("None")


def test_the_collection_states_have_no_axe_violations(axe_page):  # noqa: F811 (the imported fixture)
    page, _ = axe_page
    sign_up(page)
    ids = _create(page, 2)
    spring = _collection(page, "Spring launch", ids)
    _collection(page, "Autumn", ids[:1])
    found = []
    for width, height in ((1280, 800), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"/library?collection_id={spring}")
        found += check(page, f"filtered library at {width}px")
        page.get_by_role("button", name="Rename Autumn").click()
        page.get_by_label("New name for “Autumn”").fill("spring launch")
        page.get_by_role("button", name="Save").click()
        expect(page.locator("[data-field-error]")).to_be_visible()
        found += check(page, f"rename with an error at {width}px")
        page.keyboard.press("Escape")
        page.get_by_role("button", name="Delete Autumn").click()
        expect(page.locator("#collection-confirm")).to_be_visible()
        found += check(page, f"collection delete step at {width}px")
        page.keyboard.press("Escape")
        page.goto(f"/library/{ids[0]}")
        found += check(page, f"detail with collections at {width}px")
    assert found == [], "\n".join(found)
