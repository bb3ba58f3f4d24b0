"""Favourites, the filters of the asset list (combined, and with the pager), and the call groups."""
import re

import pytest

from tests.assets.helpers import store
from tests.jobs.helpers import ASYNC, SQUARE, wait_for

pytestmark = pytest.mark.database
API = "/api/image-studio"


def _ids(client, auth, query=""):
    body = client.get(f"{API}/assets{query}", headers=auth).json
    return [a["id"] for a in body["assets"]], body


def test_favorite_is_toggled_by_its_owner_only(app, client, user, auth, make_user, token_for):
    stored = store(app, user)
    assert _ids(client, auth)[1]["assets"][0]["favorite"] is False
    marked = client.put(f"{stored.url}/favorite", json={"favorite": True}, headers=auth)
    assert marked.status_code == 200 and marked.json["favorite"] is True and marked.json["id"] == stored.asset_id
    assert _ids(client, auth)[1]["assets"][0]["favorite"] is True
    unmarked = client.put(f"{stored.url}/favorite", json={"favorite": False}, headers=auth)
    assert unmarked.json["favorite"] is False
    make_user("other@example.com")
    other = {"Authorization": f"Bearer {token_for('other@example.com')}"}
    denied = client.put(f"{stored.url}/favorite", json={"favorite": True}, headers=other)
    assert denied.status_code == 404 and denied.json == {"detail": "Asset not found"}
    assert client.put(f"{API}/assets/{'0' * 32}/favorite", json={"favorite": True}, headers=auth).status_code == 404
    assert _ids(client, auth)[1]["assets"][0]["favorite"] is False


@pytest.mark.parametrize("body", [{}, {"favorite": "maybe"}, {"favorite": None}, {"favorite": True, "x": 1}])
def test_bad_favorite_bodies_are_400(app, client, user, auth, body):
    stored = store(app, user)
    response = client.put(f"{stored.url}/favorite", json=body, headers=auth)
    assert response.status_code == 400 and "detail" in response.json


def test_filters_combine_and_page(app, client, user, auth, make_user):
    def rendition(platform, provider="local"):
        return store(app, user, studio="social", operation="optimize", provider=provider,
                     platform=platform, format="Story").asset_id

    insta = [rendition("instagram") for _ in range(3)]
    tiktok = rendition("tiktok")
    other_provider = rendition("instagram", provider="sandbox")
    created = store(app, user).asset_id
    store(app, make_user("other@example.com"), studio="social", operation="optimize", provider="local",
          platform="instagram", format="Story")
    for asset_id in (insta[0], insta[2], tiktok, created):
        client.put(f"{API}/assets/{asset_id}/favorite", json={"favorite": True}, headers=auth)

    assert set(_ids(client, auth, "?platform=instagram")[0]) == {*insta, other_provider}
    assert set(_ids(client, auth, "?platform=instagram&provider=local")[0]) == set(insta)
    assert set(_ids(client, auth, "?favorite=true")[0]) == {insta[0], insta[2], tiktok, created}
    assert set(_ids(client, auth, "?favorite=false")[0]) == {insta[1], other_provider}
    both = _ids(client, auth, "?platform=instagram&provider=local&favorite=true&studio=social")[0]
    assert set(both) == {insta[0], insta[2]}
    first, body = _ids(client, auth, "?platform=instagram&favorite=true&per_page=1")
    assert (body["total"], body["pages"], body["page"]) == (2, 2, 1)
    second, body = _ids(client, auth, "?platform=instagram&favorite=true&per_page=1&page=2")
    assert body["page"] == 2 and set(first + second) == {insta[0], insta[2]}
    past = client.get(f"{API}/assets?platform=instagram&favorite=true&per_page=1&page=3", headers=auth)
    assert past.status_code == 404 and past.json == {"detail": "Page 3 is past the last page (2)"}
    assert _ids(client, auth, "?provider=stability")[1]["total"] == 0


def test_the_collection_filter_combines_with_the_others(app, client, user, auth):
    inside = [store(app, user, studio="social", operation="optimize", platform="instagram").asset_id,
              store(app, user).asset_id]
    store(app, user)
    spring = client.post(f"{API}/collections", json={"name": "Spring"}, headers=auth).json
    client.post(f"{API}/collections/{spring['id']}/assets", json={"asset_ids": inside}, headers=auth)
    assert set(_ids(client, auth, f"?collection_id={spring['id']}")[0]) == set(inside)
    assert _ids(client, auth, f"?collection_id={spring['id']}&platform=instagram")[0] == inside[:1]
    paged, body = _ids(client, auth, f"?collection_id={spring['id']}&per_page=1&page=2")
    assert body["total"] == 2 and len(paged) == 1
    unknown = client.get(f"{API}/assets?collection_id={'0' * 32}", headers=auth)
    assert unknown.status_code == 404 and unknown.json == {"detail": "Collection not found"}


@pytest.mark.parametrize("query", ["favorite=perhaps", "platform=" + "x" * 41, "provider=" + "x" * 41,
                                   "collection_id=" + "x" * 33, "group_id=" + "x" * 41])
def test_bad_filters_are_400(client, auth, query):
    response = client.get(f"{API}/assets?{query}", headers=auth)
    assert response.status_code == 400 and response.json["detail"].startswith("Invalid value for")


def test_one_calls_results_share_a_group_id(client, auth, png_payload):
    varied = client.post(f"{API}/create", json={"prompt": "a red kite", "num_variations": 3}, headers=auth).json
    single = client.post(f"{API}/create", json={"prompt": "a blue boat"}, headers=auth).json
    social = client.post(f"{API}/social/optimize", headers=auth, json={
        "image_base64": png_payload(300, 300), "platforms": ["instagram", "linkedin"]}).json
    listed = {a["id"]: a for a in client.get(f"{API}/assets", headers=auth).json["assets"]}
    groups = [{listed[r["asset_id"]]["group_id"] for r in body["results"]} for body in (varied, social)]
    assert all(len(group) == 1 and None not in group for group in groups)
    assert groups[0] != groups[1] and len(social["results"]) == 2
    assert all(re.fullmatch(r"[0-9a-f]{32}", next(iter(group))) for group in groups)   # random, not a counter
    assert listed[single["results"][0]["asset_id"]]["group_id"] is None
    (group_id,) = groups[1]
    assert set(_ids(client, auth, f"?group_id={group_id}")[0]) == {r["asset_id"] for r in social["results"]}


def test_a_jobs_results_share_a_group_id_too(client, auth):
    accepted = client.post(f"{API}/social/optimize", headers={**auth, **ASYNC}, json={
        "image_base64": SQUARE, "platforms": ["instagram", "linkedin"]})
    assert accepted.status_code == 202
    done = wait_for(client, accepted.json["status_url"], auth)
    assert done["status"] == "succeeded"
    made = {r["asset_id"] for r in done["result"]["results"]}
    groups = {a["group_id"] for a in client.get(f"{API}/assets", headers=auth).json["assets"] if a["id"] in made}
    assert len(made) == 2 and len(groups) == 1 and None not in groups


def test_what_made_an_image_filters_it_format_model_template_operation_and_parent(app, client, user, auth,
                                                                                  signed_in):
    templated = store(app, user, template_name="LinkedIn Post", model="core").asset_id
    other_template = store(app, user, template_name="Instagram Story", model="ultra").asset_id
    story = store(app, user, studio="social", operation="optimize", provider="local", model=None,
                  platform="instagram", format="Story", parent_asset_id=templated).asset_id
    post = store(app, user, studio="social", operation="optimize", provider="local", model=None,
                 platform="linkedin", format="Feed Post", parent_asset_id=templated).asset_id
    upscaled = store(app, user, studio="upscale", operation="upscale_fast", parent_asset_id=other_template).asset_id

    assert _ids(client, auth, "?template=LinkedIn%20Post")[0] == [templated]
    assert _ids(client, auth, "?template=linkedin")[0] == []                 # the name as recorded, whole
    assert _ids(client, auth, "?format=Story")[0] == [story]
    assert _ids(client, auth, "?model=ultra")[0] == [other_template]
    assert _ids(client, auth, "?operation=upscale_fast")[0] == [upscaled]
    assert set(_ids(client, auth, f"?parent_asset_id={templated}")[0]) == {story, post}
    assert _ids(client, auth, f"?parent_asset_id={templated}&format=Feed%20Post")[0] == [post]

    html = signed_in.get("/library").get_data(as_text=True)
    offered = {name: re.findall(r'<option value="([^"]+)"', re.search(
        rf'<select name="{name}".*?</select>', html, re.S).group(0))
        for name in ("operation", "format", "model", "template")}
    assert offered == {"operation": ["generate", "optimize", "upscale_fast"], "format": ["Feed Post", "Story"],
                       "model": ["core", "sandbox", "ultra"], "template": ["Instagram Story", "LinkedIn Post"]}
    assert '<details class="more-filters" >' in html                        # closed until one is used
    chosen = signed_in.get("/library?operation=upscale_fast").get_data(as_text=True)
    assert re.search(r'<option value="upscale_fast" selected>\s*Upscale fast', chosen)
    assert '<details class="more-filters" open>' in chosen

    narrowed = signed_in.get(f"/library?parent_asset_id={templated}&studio=social").get_data(as_text=True)
    assert re.findall(r'<article class="card result" data-asset-id="([0-9a-f]+)"', narrowed) == [post, story]
    made_from = re.search(r'<p class="made-from-filter" id="made-from-filter">(.*?)</p>', narrowed, re.S).group(1)
    assert f'href="/library/{templated}"' in made_from and 'href="/library?studio=social"' in made_from
    detail = signed_in.get(f"/library/{templated}").get_data(as_text=True)
    assert f'href="/library?parent_asset_id={templated}" id="children-in-library"' in detail
