"""Image Studio: the app factory.

The factory reads like a table of contents: settings, telemetry, extensions, error
handling, then each package's `init_app`, in dependency order.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, g
from werkzeug.middleware.proxy_fix import ProxyFix

from app import (
    assets,
    auth,
    catalog,
    cli,
    compress,
    control,
    convert,
    create,
    credits,
    database,
    edit,
    health,
    jobs,
    pages,
    ratelimit,
    social,
    telemetry,
    upscale,
)
from app.admission import admission, enter_scope, leave_scope, streams
from app.auth.identity import caller_for_limits
from app.config import check_config, load_config
from app.extensions import csrf
from app.http import docs, headers, text
from app.http.blueprint import Api
from app.http.body import BodyRequest
from app.http.errors import register_error_handlers
from app.http.json_provider import FastJSONProvider
from app.imaging import memory
from app.providers import api as providers_api
from app.providers.registry import build_registry
from app.studio import api as studio_api
from app.studio import provenance

ROOT = Path(__file__).resolve().parent.parent
# Packages with an `init_app(app, api)`, in registration order; each adds its blueprints,
# CLI commands and its name in `/api/image-studio/health`'s modules.
PACKAGES = (auth, catalog, providers_api, assets, credits, studio_api, create, edit, upscale, control,
            social, compress, convert, jobs, health, pages)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app; `test_config` overrides settings (and may set INSTANCE_PATH)."""
    overrides = dict(test_config or {})
    instance_path = overrides.pop("INSTANCE_PATH", None) or _default_instance()
    app = Flask(__name__, instance_path=str(instance_path), instance_relative_config=True,
                template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    app.json = FastJSONProvider(app)
    app.request_class = BodyRequest
    register_config(app, overrides)
    admission.configure(app.config["IMAGE_CONCURRENCY"], app.config["IMAGE_QUEUE_TIMEOUT"],
                        app.config["IMAGE_QUEUE_LENGTH"], on_busy=memory.keep_freed_rasters,
                        on_idle=memory.release, linger=app.config["IMAGE_MEMORY_LINGER"])
    streams.configure(app.config["ZIP_STREAMS"])
    register_admission_scope(app)
    register_proxy(app)
    telemetry.init_app(app)
    api = register_extensions(app)
    register_packages(app, api)
    return app


def _default_instance() -> str:
    return os.environ.get("IMAGE_STUDIO_INSTANCE_PATH") or str(ROOT / "instance")


def register_config(app: Flask, overrides: dict[str, Any]) -> None:
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(load_config(app.instance_path))
    app.config.from_mapping(overrides)
    check_config(app.config)
    app.config.update(
        API_TITLE="Image Studio API", API_VERSION="1.0.0", OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api", OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs", OPENAPI_SWAGGER_UI_URL="/api/docs/assets/",
        API_SPEC_OPTIONS={
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                                              "bearerFormat": "JWT"}}},
            "info": {"description": "Create, edit, upscale, restyle and social-size images. "
                                    "Get a token from POST /api/auth/token.\n\n"
                                    "[← Back to Image Studio](/)"},
        },
    )


def register_admission_scope(app: Flask) -> None:
    """Each request is one admission scope: its first image step may be turned away, the
    later ones wait (app/admission.py)."""
    @app.before_request
    def _enter() -> None:
        g.admission_scope = enter_scope()

    @app.teardown_request
    def _leave(_error: BaseException | None) -> None:
        token = g.pop("admission_scope", None)
        if token is not None:
            leave_scope(token)


def register_proxy(app: Flask) -> None:
    """Behind N trusted proxies, take the client address and scheme from their X-Forwarded-* headers."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_extensions(app: Flask) -> Api:
    headers.init_app(app)
    text.init_app(app)
    database.init_app(app, ROOT / "migrations")
    csrf.init_app(app)
    ratelimit.init_app(app, identify=caller_for_limits)
    app.extensions["providers"] = build_registry(app.config)
    app.extensions["provenance"] = provenance.from_config(app.config)
    api = Api(app)
    register_error_handlers(app)
    docs.init_app(app)
    return api


def register_packages(app: Flask, api: Api) -> None:
    app.extensions["modules"] = []
    for package in PACKAGES:
        package.init_app(app, api)
    cli.init_app(app)
