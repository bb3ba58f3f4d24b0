import re


def test_gallery_filters_and_searches(signed_in):
    client = signed_in
    html = client.get("/templates?platform=linkedin").get_data(as_text=True)
    assert html.count('data-template-id="') == 4 and "1200×628 px" in html
    html = client.get("/templates?q=hero&category=brand_assets").get_data(as_text=True)
    assert re.findall(r'data-template-id="([^"]+)"', html) == ["website_hero", "website_banner"]
    bad = client.get("/templates?platform=myspace")
    assert bad.status_code == 400 and "Invalid platform" in bad.get_data(as_text=True)


def test_specs_page_lists_every_platform_with_specs(signed_in):
    client = signed_in
    html = client.get("/platform-specs").get_data(as_text=True)
    for name in ("Instagram", "Twitter/X", "LinkedIn", "TikTok"):
        assert f"<h2>{name}</h2>" in html
    assert "2560×1440" in html


def test_pages_need_a_login(client, user):
    response = client.get("/templates")
    assert response.status_code == 302 and "/login?next=/templates" in response.headers["Location"]


def test_platforms_are_written_as_people_write_them(signed_in):
    from app.catalog.platforms import display_name

    assert [display_name(p) for p in ("linkedin", "youtube", "tiktok", "twitter", "blog", "nope")] == [
        "LinkedIn", "YouTube", "TikTok", "Twitter/X", "Blog", "Nope"]
    html = signed_in.get("/templates").get_data(as_text=True)
    assert ">LinkedIn</option>" in html and ">YouTube</option>" in html and ">Linkedin<" not in html


def test_gallery_offers_only_categories_that_have_templates(signed_in, auth, client):
    html = signed_in.get("/templates").get_data(as_text=True)
    offered = re.findall(r'<option value="([a-z_]+)"[^>]*>[A-Za-z ]+ \((\d+)\)</option>', html)
    assert offered == [("social_media", "20"), ("blog_content", "2"), ("brand_assets", "2"),
                       ("email_marketing", "2")]
    assert ">Ad creative" not in html and 'value="product"' not in html
    listing = client.get("/api/image-studio/templates?category=product", headers=auth)
    assert listing.status_code == 200 and listing.json["total"] == 0
