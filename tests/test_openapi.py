import re


def test_openapi_documents_every_endpoint_with_a_summary(client):
    spec = client.get("/api/openapi.json").json
    paths = spec["paths"]
    for path in ("/api/auth/token", "/api/image-studio/templates", "/api/image-studio/templates/search",
                 "/api/image-studio/templates/recommend", "/api/image-studio/providers",
                 "/api/image-studio/estimate-cost", "/api/image-studio/health", "/healthz",
                 "/api/image-studio/social/platforms/{platform}/formats",
                 "/api/image-studio/platform-specs/{platform}"):
        assert path in paths, path
    for path, operations in paths.items():
        for method, operation in operations.items():
            if method in {"get", "post", "put", "delete", "patch"}:
                assert operation.get("summary"), f"{method} {path} has no summary"
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert paths["/healthz"]["get"]["security"] == []


def test_swagger_ui_is_served_without_a_cdn(client):
    html = client.get("/api/docs").get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/api/docs/assets/") for a in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200
