import pytest


def test_templates_list_shape(client, auth):
    response = client.get("/api/image-studio/templates?platform=instagram", headers=auth)
    assert response.status_code == 200
    body = response.json
    assert body["total"] == 4 == len(body["templates"])
    first = body["templates"][0]
    assert set(first) == {"id", "name", "category", "platform", "aspect_ratio", "description",
                          "recommended_provider", "style_preset", "quality", "use_cases"}
    assert first["aspect_ratio"] == {"ratio": "1:1", "width": 1080, "height": 1080, "label": "Square"}


def test_templates_both_filters(client, auth):
    body = client.get("/api/image-studio/templates?platform=facebook&category=social_media", headers=auth).json
    assert body["total"] == 4
    assert client.get("/api/image-studio/templates", headers=auth).json["total"] == 26


@pytest.mark.parametrize("category", ["blog_content", "memes"])
def test_a_platform_makes_the_api_ignore_the_category(client, auth, category):
    """catalog.md: "if `platform` given -> that platform's list (category is then IGNORED)"."""
    response = client.get(f"/api/image-studio/templates?platform=instagram&category={category}",
                          headers=auth)
    assert response.status_code == 200, response.json
    assert [t["platform"] for t in response.json["templates"]] == ["instagram"] * 4


@pytest.mark.parametrize("query", ["platform=myspace", "category=memes"])
def test_templates_bad_filter_is_400(client, auth, query):
    response = client.get(f"/api/image-studio/templates?{query}", headers=auth)
    assert response.status_code == 400
    assert query.split("=")[0] in response.json["detail"]


def test_search_and_recommend(client, auth):
    body = client.get("/api/image-studio/templates/search?query=hero", headers=auth).json
    assert [t["id"] for t in body["templates"]][:2] == ["website_hero", "blog_header_wide"]
    assert client.get("/api/image-studio/templates/search?query=zzz", headers=auth).json == {
        "templates": [], "total": 0}
    missing = client.get("/api/image-studio/templates/search", headers=auth)
    assert missing.status_code == 400 and "query" in missing.json["detail"]
    body = client.get("/api/image-studio/templates/recommend?use_case=brand&platform=twitter", headers=auth).json
    assert [t["id"] for t in body["templates"]] == ["twitter_header"]
    assert client.get("/api/image-studio/templates/recommend", headers=auth).status_code == 400


def test_platform_formats(client, auth):
    body = client.get("/api/image-studio/social/platforms/Instagram/formats", headers=auth).json
    assert [f["name"] for f in body["formats"]] == ["Feed Post (Square)", "Feed Post (Portrait)", "Story", "Reel"]
    assert body["formats"][0] == {"name": "Feed Post (Square)", "width": 1080, "height": 1080, "ratio": "1:1",
                                  "safe_zone": {"top": 0.15, "bottom": 0.15, "left": 0.1, "right": 0.1},
                                  "file_type": "PNG", "max_size_mb": 5.0}
    assert client.get("/api/image-studio/social/platforms/blog/formats", headers=auth).json == {"formats": []}
    unknown = client.get("/api/image-studio/social/platforms/myspace/formats", headers=auth)
    assert unknown.status_code == 404 and unknown.json == {"detail": "Invalid platform: myspace"}


def test_platform_specs(client, auth):
    body = client.get("/api/image-studio/platform-specs/twitter", headers=auth).json
    assert body == {"name": "Twitter/X", "formats": [
        {"name": "Post", "ratio": "16:9", "size": "1200x675"},
        {"name": "Card", "ratio": "2:1", "size": "1200x600"},
        {"name": "Header", "ratio": "3:1", "size": "1500x500"}],
        "file_types": ["JPG", "PNG", "GIF"], "max_file_size": "5MB"}
    blog = client.get("/api/image-studio/platform-specs/blog", headers=auth)
    assert blog.status_code == 404
    assert blog.json == {"detail": "Specifications not found for platform: blog"}
    assert client.get("/api/image-studio/platform-specs/nowhere", headers=auth).status_code == 404


def test_catalogue_needs_a_token(client):
    assert client.get("/api/image-studio/platform-specs/twitter").status_code == 401
