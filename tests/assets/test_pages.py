"""The Library pages as the server renders them: call groups, filters kept by the pager, and
one asset's detail with its lineage."""
import re

import pytest

from tests.assets.helpers import store

pytestmark = pytest.mark.database
API = "/api/image-studio"


def _html(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_a_calls_results_are_one_group_with_a_heading(signed_in, auth, png_payload):
    client = signed_in
    client.post(f"{API}/create", json={"prompt": "Iced latte on a terrace", "num_variations": 2}, headers=auth)
    social = client.post(f"{API}/social/optimize", headers=auth, json={
        "image_base64": png_payload(300, 300), "platforms": ["instagram", "linkedin", "facebook"]}).json
    client.post(f"{API}/create", json={"prompt": "A lone boat"}, headers=auth)
    html = _html(client, "/library")
    headings = re.findall(r'<h2 class="group-heading" id="group-[^"]+">([^<]+)</h2>', html)
    assert headings == ["Social · 3 formats · from an uploaded image",
                        "Create · 2 variations · Iced latte on a terrace"]
    section = html.split('class="group-heading"')[1].split("</section>")[0]
    assert sorted(re.findall(r'data-asset-id="(\w+)"', section)) == sorted(r["asset_id"] for r in social["results"])
    assert html.index("A lone boat") < html.index("Social · 3 formats")   # the newest, alone, comes first
    one = _html(client, "/library?per_page=3&page=2")   # the newest, the first two renditions on page 1
    assert "Social · 3 formats (1 shown) · from an uploaded image" in one


def test_a_rendition_group_without_a_prompt_is_named_after_its_source(app, signed_in, auth, user):
    parent = store(app, user, side=333)
    signed_in.post(f"{API}/social/optimize", headers=auth, json={
        "image_asset_id": parent.asset_id, "platforms": ["instagram", "tiktok"]})
    assert f"Social · 2 formats · from {parent.file_name}" in _html(signed_in, "/library")


def test_the_pager_and_the_selects_keep_the_filters(app, signed_in, auth, user):
    for _ in range(3):
        store(app, user, studio="social", operation="optimize", provider="local", platform="instagram")
    store(app, user, studio="social", operation="optimize", provider="local", platform="tiktok")
    html = _html(signed_in, "/library?platform=instagram&provider=local&per_page=2")
    older = re.search(r'href="([^"]+)">Older', html).group(1).replace("&amp;", "&")
    assert set(older.split("?")[1].split("&")) == {"page=2", "platform=instagram", "provider=local", "per_page=2"}
    second = _html(signed_in, older)
    assert len(re.findall(r'class="card result"', second)) == 1 and "Page 2 of 2" in second
    assert '<option value="instagram" selected>Instagram</option>' in html
    assert '<option value="tiktok" >TikTok</option>' in html
    assert '<option value="local" selected>Local</option>' in html
    assert "3 images" in html


def test_the_detail_page_tells_the_lineage(signed_in, auth):
    created = signed_in.post(f"{API}/create", json={"prompt": "Iced latte on a terrace",
                                                    "template_id": "linkedin_post"}, headers=auth).json
    parent = created["results"][0]
    social = signed_in.post(f"{API}/social/optimize", json={"image_asset_id": parent["asset_id"],
                                                           "platforms": ["instagram"]}, headers=auth).json
    child = social["results"][0]
    html = _html(signed_in, f"/library/{child['asset_id']}")
    facts = dict(re.findall(r'<dd data-fact="(\w+)">\s*(.*?)\s*</dd>', html, re.S))
    assert facts["studio"] == "Social" and facts["operation"] == "optimize"
    assert facts["prompt"] == "Iced latte on a terrace"
    assert facts["platform"] == "Instagram · Feed Post (Square)"
    assert facts["provider"].startswith("local")
    assert re.match(r"1080×1080 px · [\d.]+ KB · image/png", facts["size"])
    assert f'id="made-from" href="/library/{parent["asset_id"]}">{parent["file_name"]}</a>' in facts["parent"]
    assert facts["children"] == "Nothing yet"
    assert f'download="{child["file_name"]}"' in html and 'id="open-full"' in html
    assert f'/social?asset={child["asset_id"]}' in html                                  # "Use in"
    made_from = _html(signed_in, f"/library/{parent['asset_id']}")
    assert f'href="/library/{child["asset_id"]}">{child["file_name"]}</a>' in made_from
    facts = dict(re.findall(r'<dd data-fact="(\w+)">\s*(.*?)\s*</dd>', made_from, re.S))
    assert facts["template"] == "LinkedIn Post" and facts["parent"].startswith("Nothing in your library")


def test_another_users_detail_page_is_404(app, signed_in, make_user):
    theirs = store(app, make_user("other@example.com"))
    assert signed_in.get(f"/library/{theirs.asset_id}").status_code == 404
    assert signed_in.get(f"/library/{'0' * 32}").status_code == 404


def _collection(client, auth, name, asset_ids):
    made = client.post(f"{API}/collections", json={"name": name}, headers=auth).json
    if asset_ids:
        client.post(f"{API}/collections/{made['id']}/assets", json={"asset_ids": asset_ids}, headers=auth)
    return made["id"]


def test_a_page_filtered_by_a_collection_offers_to_remove_from_it(app, signed_in, auth, user):
    inside, outside = store(app, user), store(app, user)
    spring = _collection(signed_in, auth, "Spring <launch>", [inside.asset_id])
    html = _html(signed_in, f"/library?collection_id={spring}")
    buttons = re.findall(r'<button type="button" class="remove-from" data-remove-url="([^"]+)">(.*?)</button>', html)
    assert buttons == [(f"{API}/collections/{spring}/assets/{inside.asset_id}",
                        f'Remove from <span data-collection-name="{spring}">Spring &lt;launch&gt;</span>')]
    assert re.search(r'<button type="button" id="remove-selected" disabled>Remove selected from '
                     rf'<span data-collection-name="{spring}">Spring &lt;launch&gt;</span></button>', html)
    assert (f'<span data-total="1">1 image</span> in “<span data-collection-name="{spring}">'
            "Spring &lt;launch&gt;</span>”") in html
    assert f'data-chosen="{spring}"' in html and 'id="collection-confirm"' in html
    unfiltered = _html(signed_in, "/library")
    assert "remove-from" not in unfiltered and 'id="remove-selected"' not in unfiltered
    assert "data-chosen" not in unfiltered and f'data-asset-id="{outside.asset_id}"' in unfiltered
    assert '<button type="button" data-confirm-no>Keep</button>' in unfiltered       # the collection step
    assert '<button type="button" data-confirm-no>Cancel</button>' in unfiltered     # the images' step


def test_the_detail_page_lists_its_collections_with_remove_buttons(app, signed_in, auth, user):
    asset = store(app, user)
    spring = _collection(signed_in, auth, "Spring launch", [asset.asset_id])
    autumn = _collection(signed_in, auth, "Autumn", [asset.asset_id])
    html = _html(signed_in, f"/library/{asset.asset_id}")
    listed = html.split('id="in-collections"')[1].split("</ul>")[0]
    assert re.findall(r'<a href="/library\?collection_id=(\w+)">([^<]+)</a> <button type="button" '
                      r'class="remove-from" data-remove-url="([^"]+)">', listed) == [
        (autumn, "Autumn", f"{API}/collections/{autumn}/assets/{asset.asset_id}"),
        (spring, "Spring launch", f"{API}/collections/{spring}/assets/{asset.asset_id}")]
    assert '<span class="hidden" data-none>None</span>' in html
    alone = _html(signed_in, f"/library/{store(app, user).asset_id}")
    assert 'class="in-collections hidden"' in alone and '<span class="" data-none>None</span>' in alone


def test_library_tiles_are_small_copies_and_the_detail_shows_the_file(signed_in, auth, png_payload):
    client = signed_in
    made = client.post(f"{API}/create", json={"prompt": "A lone boat", "width": 1024, "height": 1024},
                       headers=auth).json
    asset_id = made["results"][0]["asset_id"]
    tiles = re.findall(r'<img class="preview" loading="lazy" src="([^"]+)"', _html(client, "/library"))
    assert tiles == [f"{API}/assets/{asset_id}/preview?side=640"]
    tile = client.get(tiles[0])                       # the page's session is enough, as for the file
    assert tile.status_code == 200 and tile.mimetype in ("image/jpeg", "image/webp")
    assert f'<img src="{API}/assets/{asset_id}" width="1024"' in _html(client, f"/library/{asset_id}")
