from app.assets.service import store_result
from tests.fakes.server import png_bytes


def _store(app, user_id, mime="image/png"):
    with app.test_request_context():
        return store_result(user_id, studio="create", operation="generate", data=png_bytes(8, 8),
                            mime_type=mime, width=8, height=8, provider="sandbox", model="sandbox")


def test_owner_downloads_the_bytes_with_their_type(app, client, user, auth):
    stored = _store(app, user)
    assert len(stored.asset_id) == 32 and stored.url == f"/api/image-studio/assets/{stored.asset_id}"
    response = client.get(stored.url, headers=auth)
    assert response.status_code == 200
    assert response.content_type == "image/png" and response.data == png_bytes(8, 8)


def test_other_users_and_unknown_ids_get_404(app, client, user, make_user, token_for):
    stored = _store(app, user)
    make_user("other@example.com")
    other = {"Authorization": f"Bearer {token_for('other@example.com')}"}
    response = client.get(stored.url, headers=other)
    assert response.status_code == 404 and response.json == {"detail": "Asset not found"}
    assert client.get("/api/image-studio/assets/" + "0" * 32, headers=other).status_code == 404
    assert client.get("/api/image-studio/assets/../../etc/passwd", headers=other).status_code == 404
    assert client.get(stored.url).status_code == 401
