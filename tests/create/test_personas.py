"""Personas: CRUD, owner-only access, validation, and folding into Create requests."""
import pytest

PERSONAS = "/api/image-studio/personas"
ACME = {"name": "Acme Outdoor", "brand_keywords": ["rugged", "sunlit"],
        "color_palette": ["#1F6F43", "#f2c14e"], "style_preset": "cinematic",
        "negative_terms": ["text", "watermark"]}


@pytest.fixture
def persona(client, auth):
    response = client.post(PERSONAS, json=ACME, headers=auth)
    assert response.status_code == 201
    return response.json


def test_create_read_update_delete(client, auth, persona):
    assert len(persona["id"]) == 32 and persona["color_palette"] == ["#1f6f43", "#f2c14e"]
    listing = client.get(PERSONAS, headers=auth).json
    assert listing["total"] == 1 and listing["personas"][0]["id"] == persona["id"]
    url = f"{PERSONAS}/{persona['id']}"
    assert client.get(url, headers=auth).json["name"] == "Acme Outdoor"

    updated = client.put(url, json={"style_preset": "anime", "brand_keywords": ["bold"]}, headers=auth)
    assert updated.status_code == 200
    assert updated.json["style_preset"] == "anime" and updated.json["brand_keywords"] == ["bold"]
    assert updated.json["negative_terms"] == ["text", "watermark"]  # untouched fields keep their values

    assert client.delete(url, headers=auth).status_code == 204
    assert client.get(url, headers=auth).status_code == 404
    assert client.get(PERSONAS, headers=auth).json["total"] == 0


def test_another_users_persona_is_not_found(client, persona, make_user, token_for):
    make_user("other@example.com")
    other = {"Authorization": f"Bearer {token_for('other@example.com')}"}
    url = f"{PERSONAS}/{persona['id']}"
    for method in ("get", "put", "delete"):
        response = getattr(client, method)(url, json={"name": "Mine"}, headers=other)
        assert response.status_code == 404 and response.json == {"detail": "Persona not found"}
    assert client.get(PERSONAS, headers=other).json == {"personas": [], "total": 0}
    response = client.post("/api/image-studio/create", headers=other,
                           json={"prompt": "x", "use_persona": True, "persona_id": persona["id"]})
    assert response.status_code == 404 and response.json == {"detail": "Persona not found"}


@pytest.mark.parametrize("fields, field", [
    ({"name": ""}, "name"),
    ({"color_palette": ["red"]}, "color_palette"),
    ({"color_palette": ["#12345"]}, "color_palette"),
    ({"brand_keywords": "rugged"}, "brand_keywords"),
    ({"style_preset": "Not A Preset!"}, "style_preset"),
])
def test_invalid_fields_are_400_naming_them(client, auth, fields, field):
    response = client.post(PERSONAS, json={**ACME, **fields}, headers=auth)
    assert response.status_code == 400
    assert f"'{field}'" in response.json["detail"] and field in response.json["errors"]


def test_personas_need_a_token(client):
    assert client.get(PERSONAS).status_code == 401


def test_persona_folds_into_the_provider_request(faked, create, user, client, auth, fake_stability):
    persona = client.post(PERSONAS, json=ACME, headers=auth).json
    app = faked()
    body = create(app, prompt="a tent", provider="stability", negative_prompt="blurry",
                  use_persona=True, persona_id=persona["id"]).json
    (form,) = [r.form for r in fake_stability.requests]
    assert form["prompt"] == body["request"]["enhanced_prompt"] == (
        "a tent, rugged, sunlit, brand colour palette #1f6f43, #f2c14e, "
        "cinematic lighting, dramatic, film grain, high quality, professional")
    assert form["negative_prompt"] == "blurry, text, watermark"
    assert form["style_preset"] == "cinematic"
    assert body["request"]["persona_id"] == persona["id"]


def test_the_requests_style_beats_the_personas(faked, create, user, client, auth, fake_stability):
    persona = client.post(PERSONAS, json=ACME, headers=auth).json
    create(faked(), prompt="a tent", provider="stability", style_preset="line-art",
           enhance_prompt=False, use_persona=True, persona_id=persona["id"])
    assert fake_stability.requests[0].form["style_preset"] == "line-art"


def test_persona_id_without_use_persona_is_ignored(client, auth, persona):
    body = client.post("/api/image-studio/create", headers=auth,
                       json={"prompt": "x", "persona_id": persona["id"], "width": 64, "height": 64}).json
    assert body["request"]["enhanced_prompt"] == "x" and body["request"]["persona_id"] is None


@pytest.mark.database
@pytest.mark.parametrize("moment", ["before_flush", "after_commit"])
def test_a_persona_deleted_while_it_is_saved_is_a_404(app, client, auth, persona, moment):
    """Saved in one tab as another deletes it: the row goes (here through a second connection)
    just before this request writes it, or just after, before the answer reads it back. Both
    were 500s (StaleDataError, ObjectDeletedError)."""
    from sqlalchemy import delete, event

    from app.create.models import Persona
    from app.extensions import db

    deleted = []

    def other_tab_deletes(*_):
        if not deleted:
            deleted.append(True)
            with db.engine.begin() as other:
                other.execute(delete(Persona).where(Persona.id == persona["id"]))

    with app.app_context():
        event.listen(db.session, moment, other_tab_deletes)
        try:
            response = client.put(f"{PERSONAS}/{persona['id']}", json={"name": "Renamed"}, headers=auth)
        finally:
            event.remove(db.session, moment, other_tab_deletes)
    assert deleted == [True]
    assert (response.status_code, response.json) == (
        404, {"detail": "Not found: it was deleted while this request was being handled"})
    assert client.get(f"{PERSONAS}/{persona['id']}", headers=auth).status_code == 404
