"""The Social Optimizer page: behind the login, with its controls and API URLs."""
import re

from app.catalog import platforms as catalog


def test_page_needs_a_login(client, user):
    response = client.get("/social")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_page_offers_platforms_with_formats_and_the_controls(signed_in):
    client = signed_in
    html = client.get("/social").get_data(as_text=True)
    for platform in ("instagram", "facebook", "twitter", "linkedin", "youtube", "pinterest", "tiktok"):
        assert f'name="platforms" value="{platform}"' in html
    for platform in ("blog", "email", "website"):
        assert f'value="{platform}"' not in html
    for name in ("all_formats", "crop_mode", "background_kind", "output_format", "show_safe_zones"):
        assert f'name="{name}"' in html, name
    assert 'data-optimize-url="/api/image-studio/social/optimize"' in html
    assert 'data-zip-url="/api/image-studio/social/optimize.zip"' in html
    assert 'id="focal-marker"' in html and 'id="focal-clear"' in html
    assert "/static/js/social.js" in html


def test_nav_links_to_the_page(signed_in):
    client = signed_in
    assert 'href="/social"' in client.get("/").get_data(as_text=True)


def test_each_platforms_formats_are_in_the_page_the_first_ticked(signed_in):
    """Ticking a platform shows its formats at once: no request whose answer would later
    push the list down under the pointer."""
    html = signed_in.get("/social").get_data(as_text=True)
    for platform in ("instagram", "twitter", "linkedin"):
        box = re.search(rf'data-formats-for="{platform}">(.*?)</div>', html, re.S).group(1)
        boxes = re.findall(r'<input type="checkbox" name="format" value="([^"]+)"( checked)?>', box)
        formats = catalog.formats_for(platform)
        assert [name for name, _ in boxes] == [fmt["name"] for fmt in formats]
        assert [bool(ticked) for _, ticked in boxes] == [True] + [False] * (len(formats) - 1)
        assert f'{formats[0]["width"]}×{formats[0]["height"]}' in box
