"""Image Studio: the app factory.

The factory reads like a table of contents: settings, extensions, error handling,
then each package's `init_app`, in dependency order.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
# Packages with an `init_app(app, api)`; each adds its blueprints and CLI commands.
PACKAGES = (
    "app.auth",
    "app.catalog",
    "app.providers.api",
    "app.assets",
    "app.credits",
    "app.create",
    "app.edit",
    "app.upscale",
    "app.control",
    "app.social",
    "app.health",
    "app.metrics",
    "app.pages",
)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app; `test_config` overrides settings (and may set INSTANCE_PATH)."""
    overrides = dict(test_config or {})
    instance_path = overrides.pop("INSTANCE_PATH", None) or _default_instance()
    app = Flask(__name__, instance_path=str(instance_path), instance_relative_config=True,
                template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    register_config(app, overrides)
    register_proxy(app)
    register_logging(app)
    api = register_extensions(app)
    register_packages(app, api)
    return app


def _default_instance() -> str:
    import os

    return os.environ.get("IMAGE_STUDIO_INSTANCE_PATH") or str(ROOT / "instance")


def register_config(app: Flask, overrides: dict[str, Any]) -> None:
    from app.config import load_config

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(load_config(app.instance_path))
    app.config.from_mapping(overrides)
    app.config.update(
        API_TITLE="Image Studio API", API_VERSION="1.0.0", OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api", OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs", OPENAPI_SWAGGER_UI_URL="/api/docs/assets/",
        API_SPEC_OPTIONS={
            "security": [{"bearerAuth": []}],
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                                              "bearerFormat": "JWT"}}},
            "info": {"description": "Create, edit, upscale, restyle and social-size images. "
                                    "Get a token from POST /api/auth/token."},
        },
    )


def register_proxy(app: Flask) -> None:
    """Behind N trusted proxies, take the client address and scheme from their X-Forwarded-* headers."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_logging(app: Flask) -> None:
    from app.logs import configure_logging

    configure_logging(app)


def register_extensions(app: Flask):
    from app.api import Api, register_docs_assets, register_error_handlers
    from app.extensions import csrf, db, limiter, migrate
    from app.providers.registry import build_registry

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    app.extensions["providers"] = build_registry(app.config)
    api = Api(app)
    register_error_handlers(app)
    register_docs_assets(app)
    return api


def register_packages(app: Flask, api) -> None:
    from importlib import import_module

    from app import cli

    app.extensions["modules"] = []
    for name in PACKAGES:
        import_module(name).init_app(app, api)
    cli.init_app(app)
