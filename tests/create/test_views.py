"""The Create and Personas pages render their controls and need a login."""
import re


def test_create_page_preselects_the_gallerys_template(signed_in):
    client = signed_in
    html = client.get("/create?template_id=youtube_thumbnail").get_data(as_text=True)
    assert re.search(r'<input type="radio" name="template_id" value="youtube_thumbnail"[^>]*checked', html)
    for name in ("prompt", "provider", "model", "quality", "style_preset", "width", "height",
                 "aspect_ratio", "num_variations", "negative_prompt", "guidance_scale", "steps",
                 "seed", "enhance_prompt", "use_persona", "persona_id"):
        assert f'name="{name}"' in html, name
    assert 'href="/templates"' in html and 'href="/create/personas"' in html


def test_an_unknown_template_is_shown_as_an_error(signed_in):
    client = signed_in
    response = client.get("/create?template_id=nope")
    assert response.status_code == 200
    assert "Template not found: nope" in response.get_data(as_text=True)


def test_personas_page(signed_in):
    client = signed_in
    html = client.get("/create/personas").get_data(as_text=True)
    assert 'id="persona-form"' in html and 'name="color_palette"' in html


def test_pages_need_a_login(client, user):
    for path in ("/create", "/create/personas"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
