def test_health_reports_each_module(client, auth):
    body = client.get("/api/image-studio/health", headers=auth).json
    assert body["status"] == "healthy" and body["service"] == "image_studio" and body["version"] == "1.0.0"
    assert {"templates", "providers", "auth", "database"} <= set(body["modules"])
    assert set(body["modules"].values()) == {"available"}


def test_healthz_is_public(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "database": "ok", "ratelimit": "ok"}
