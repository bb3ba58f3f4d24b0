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


def _schema(spec, ref_or_schema):
    ref = ref_or_schema.get("$ref")
    return spec["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else ref_or_schema


def _request_properties(spec, path):
    body = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    return _schema(spec, body)["properties"]


def test_every_studio_operation_declares_bearer_auth_and_its_401(client):
    spec = client.get("/api/openapi.json").json
    studio = {path: ops for path, ops in spec["paths"].items() if path.startswith("/api/image-studio/")}
    assert len(studio) >= 15
    for path, operations in studio.items():
        for method, operation in operations.items():
            if method in {"get", "post", "put", "delete"}:
                assert operation["security"] == [{"bearerAuth": []}], f"{method} {path}"
                assert operation["responses"]["401"] == {"$ref": "#/components/responses/UNAUTHORIZED"}
    assert "UNAUTHORIZED" in spec["components"]["responses"]
    assert "security" not in spec  # declared per operation, not assumed for every path


def test_every_studio_route_refuses_a_caller_without_a_token(app, client):
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/image-studio/")]
    assert len(rules) >= 15
    for rule in rules:
        assert getattr(app.view_functions[rule.endpoint], "auth_required", False), rule.rule
        url = rule.rule.replace("<", "").replace(">", "")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(url, method=method, json={})
            assert response.status_code == 401, f"{method} {rule.rule}"
            assert response.json == {"detail": "Authenticated user required for image operations."}


def test_the_published_enums_are_the_ones_the_server_enforces(client):
    spec = client.get("/api/openapi.json").json
    edit = _request_properties(spec, "/api/image-studio/edit/process")
    assert set(edit["operation"]["enum"]) == {"remove_background", "inpaint", "outpaint", "search_replace",
                                              "search_recolor", "relight", "general_edit", "erase"}
    assert set(edit["output_format"]["enum"]) == {"png", "jpeg", "jpg", "webp"}
    presets = set(edit["style_preset"]["enum"]) - {None}  # null: the field may be left empty
    assert len(presets) == 17 and "photographic" in presets
    assert (edit["expand_left"]["minimum"], edit["expand_left"]["maximum"]) == (0, 2000)
    upscale = _request_properties(spec, "/api/image-studio/upscale")
    assert set(upscale["mode"]["enum"]) == {"fast", "conservative", "creative", "auto"}
    assert set(upscale["preset"]["enum"]) - {None} == {"web", "print", "social"}
    assert upscale["target_width"]["maximum"] == 8192
    control = _request_properties(spec, "/api/image-studio/control/process")
    assert set(control["operation"]["enum"]) == {"sketch", "structure", "style", "style_transfer"}
    assert "pattern" in control["aspect_ratio"]
    create = _request_properties(spec, "/api/image-studio/create")
    assert set(create["quality"]["enum"]) == {"draft", "standard", "premium"}
    assert create["style_preset"]["enum"] == edit["style_preset"]["enum"]
    social = _request_properties(spec, "/api/image-studio/social/optimize")
    assert set(social["crop_mode"]["enum"]) == {"smart", "center", "fit"}
    assert set(social["output_format"]["enum"]) == {"png", "jpeg", "jpg", "webp"}
    compress = _request_properties(spec, "/api/image-studio/compress")
    assert set(compress["format"]["enum"]) == {"jpeg", "jpg", "png", "webp", "avif"}
    assert (compress["quality"]["minimum"], compress["quality"]["maximum"]) == (1, 100)
    assert compress["target_size_kb"]["minimum"] == 10
    convert = _request_properties(spec, "/api/image-studio/convert-format")
    assert set(convert["target_format"]["enum"]) == {"png", "jpeg", "jpg", "webp", "avif", "gif", "bmp", "tiff", "tif"}


def test_timestamps_are_published_and_served_with_their_utc_offset(client, auth):
    created = client.post("/api/image-studio/personas", json={"name": "Acme"}, headers=auth).json
    for key in ("created_at", "updated_at"):
        assert created[key].endswith("+00:00"), created[key]


def test_docs_speak_the_readers_language_and_lead_back_to_the_app(client):
    spec = client.get("/api/openapi.json").json
    tags = {tag["name"] for tag in spec["tags"]}
    used = {tag for operations in spec["paths"].values() for operation in operations.values()
            if isinstance(operation, dict) for tag in operation.get("tags", [])}
    assert used <= tags and not any("_" in tag for tag in tags), sorted(tags)
    assert {"Create", "Social", "Upscale"} <= tags
    assert spec["paths"]["/api/image-studio/social/optimize"]["post"]["tags"] == ["Social"]
    assert "[← Back to Image Studio](/)" in spec["info"]["description"]
