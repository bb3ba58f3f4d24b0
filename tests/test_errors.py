"""The error contract: every /api failure is {"detail"}; pages get HTML."""
import logging

import pytest
from flask import Blueprint

from app.errors import Sentence, field_errors


def test_unknown_api_route_is_404_json(client, auth):
    response = client.get("/api/image-studio/nothing-here", headers=auth)
    assert response.status_code == 404 and set(response.json) == {"detail"}


def test_wrong_method_is_405_json(client, auth):
    response = client.delete("/api/image-studio/templates", headers=auth)
    assert response.status_code == 405
    assert response.json == {"detail": "Method not allowed"}
    assert "GET" in response.headers["Allow"]


def test_oversized_body_is_413_before_parsing(make_app):
    app = make_app(MAX_CONTENT_LENGTH=1024, MAX_REQUEST_MB=0.001)
    response = app.test_client().post("/api/auth/token", data="x" * 5000, content_type="application/json")
    assert response.status_code == 413
    assert response.json["detail"].startswith("Request body too large")


def test_unhandled_error_is_500_without_a_stack_trace(make_app, caplog):
    app = make_app()
    boom = Blueprint("boom", __name__)

    @boom.route("/api/auth/boom")
    def explode():
        raise RuntimeError("secret-internal-value")

    app.register_blueprint(boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/api/auth/boom")
    assert response.status_code == 500
    assert response.json == {"detail": "Internal server error"}
    assert "secret-internal-value" not in response.get_data(as_text=True)
    assert any("unhandled error" in r.getMessage() for r in caplog.records)


def test_pages_get_html_error_pages(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.content_type.startswith("text/html") and "Page not found" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/api/image-studio/templates", "/api/image-studio/health",
                                  "/api/image-studio/providers"])
def test_every_studio_route_needs_a_token(client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.json == {"detail": "Authenticated user required for image operations."}
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_field_errors_have_one_shape_keyed_by_request_fields():
    assert field_errors({"format_names": {"instagram": {"value": ["Must be a name."]}},
                         "color_palette": {1: ["Must be a hex colour."]},
                         "options": {"grow_mask": [Sentence("options.grow_mask must be between 0 and 20")]},
                         "provider": "Unknown provider: x"}) == {
        "format_names": ["instagram: Must be a name."],
        "color_palette": ["item 2: Must be a hex colour."],
        "options": ["options.grow_mask must be between 0 and 20"],
        "provider": ["Unknown provider: x"]}
    assert field_errors(["Not JSON."]) == {"_schema": ["Not JSON."]}
    assert isinstance(Sentence("Unknown mode: {input}").format(input="turbo"), Sentence)


def test_a_nested_field_error_names_its_item_at_the_api(client, auth):
    response = client.post("/api/image-studio/personas", json={"name": "A", "color_palette": ["#fff", "red"]},
                           headers=auth)
    assert response.status_code == 400
    assert response.json["errors"] == {"color_palette": ["item 2: Must be a hex colour such as #1a2b3c."]}
    assert response.json["detail"] == ("Invalid value for 'color_palette': item 2: Must be a hex colour "
                                       "such as #1a2b3c.")
