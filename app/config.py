"""Settings from the environment, read once inside `create_app` (the README's table).

Every key in the returned mapping is named after its environment variable, so the
README's configuration table, `app.config` and the code read the same names.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

MIB = 1024 * 1024


class ConfigError(RuntimeError):
    """A setting has a value the service cannot run with; raised at start-up."""


def _number(environ: Mapping[str, str], name: str, default: float | None, cast=float) -> Any:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return None if default is None else cast(default)
    try:
        value = cast(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{name} must not be negative")
    return value


def _flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(environ: Mapping[str, str], instance: Path) -> str:
    """Use SECRET_KEY, or generate one once and keep it so sessions and tokens survive restarts."""
    if environ.get("SECRET_KEY"):
        return environ["SECRET_KEY"]
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def load_config(instance_path: str, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Build the app settings from `environ` (default: the process environment)."""
    env = os.environ if environ is None else environ
    instance = Path(instance_path)
    text = lambda name, default=None: env.get(name) or default  # noqa: E731
    max_request_mb = _number(env, "MAX_REQUEST_MB", 64)
    return {
        "SECRET_KEY": _secret_key(env, instance),
        "SQLALCHEMY_DATABASE_URI": text("DATABASE_URL", f"sqlite:///{instance / 'image_studio.db'}"),
        "IMAGE_STUDIO_STORAGE_DIR": text("IMAGE_STUDIO_STORAGE_DIR", str(instance / "assets")),
        "IMAGE_STUDIO_S3_BUCKET": text("IMAGE_STUDIO_S3_BUCKET"),
        "IMAGE_STUDIO_S3_PREFIX": text("IMAGE_STUDIO_S3_PREFIX", ""),
        "IMAGE_STUDIO_S3_ENDPOINT_URL": text("IMAGE_STUDIO_S3_ENDPOINT_URL"),
        "IMAGE_STUDIO_S3_REGION": text("IMAGE_STUDIO_S3_REGION"),
        "STABILITY_API_KEY": text("STABILITY_API_KEY"),
        "STABILITY_API_BASE": text("STABILITY_API_BASE", "https://api.stability.ai"),
        "WAVESPEED_API_KEY": text("WAVESPEED_API_KEY"),
        "WAVESPEED_API_BASE": text("WAVESPEED_API_BASE", "https://api.wavespeed.ai"),
        "HF_TOKEN": text("HF_TOKEN"),
        "HF_API_BASE": text("HF_API_BASE", "https://router.huggingface.co"),
        "GEMINI_API_KEY": text("GEMINI_API_KEY"),
        "GEMINI_API_BASE": text("GEMINI_API_BASE", "https://generativelanguage.googleapis.com"),
        "PROVIDER_OUTPUT_HOSTS": text("PROVIDER_OUTPUT_HOSTS", ""),
        "IMAGE_STUDIO_ALLOW_SANDBOX": _flag(env, "IMAGE_STUDIO_ALLOW_SANDBOX", True),
        "PROVIDER_TIMEOUT": _number(env, "PROVIDER_TIMEOUT", 60),
        "PROVIDER_MAX_RETRIES": _number(env, "PROVIDER_MAX_RETRIES", 3, int),
        # Unset: each provider's own cadence (providers.json poll_interval); set: every provider.
        "PROVIDER_POLL_INTERVAL": _number(env, "PROVIDER_POLL_INTERVAL", None),
        "PROVIDER_POLL_TIMEOUT": _number(env, "PROVIDER_POLL_TIMEOUT", 300),
        "MAX_IMAGE_MB": _number(env, "MAX_IMAGE_MB", 10),
        "MAX_REQUEST_MB": max_request_mb,
        "MAX_CONTENT_LENGTH": int(max_request_mb * MIB),
        "MAX_IMAGE_PIXELS": _number(env, "MAX_IMAGE_PIXELS", 40_000_000, int),
        "IMAGE_CONCURRENCY": _number(env, "IMAGE_CONCURRENCY", os.cpu_count() or 1, int),
        "IMAGE_QUEUE_TIMEOUT": _number(env, "IMAGE_QUEUE_TIMEOUT", 30),
        "RATELIMIT_STORAGE_URI": text("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_FREE": text("RATELIMIT_FREE", "60 per minute"),
        "RATELIMIT_PRO": text("RATELIMIT_PRO", "600 per minute"),
        "RATELIMIT_ENTERPRISE": text("RATELIMIT_ENTERPRISE", "6000 per minute"),
        "RATELIMIT_ANONYMOUS": text("RATELIMIT_ANONYMOUS", "120 per minute"),
        "RATELIMIT_KEY_PREFIX": text("RATELIMIT_KEY_PREFIX", "image-studio"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "JWT_JWKS_URL": text("JWT_JWKS_URL"),
        "JWT_ISSUER": text("JWT_ISSUER"),
        "JWT_AUDIENCE": text("JWT_AUDIENCE"),
        "TOKEN_EXPIRES_IN": _number(env, "TOKEN_EXPIRES_IN", 3600, int),
        "CREDITS_FREE": _number(env, "CREDITS_FREE", 100),
        "CREDITS_PRO": _number(env, "CREDITS_PRO", 2000),
        "CREDITS_ENTERPRISE": _number(env, "CREDITS_ENTERPRISE", 20000),
        "LOG_LEVEL": text("LOG_LEVEL", "INFO"),
        "METRICS_TOKEN": text("METRICS_TOKEN"),
        "TRUSTED_PROXIES": _number(env, "TRUSTED_PROXIES", 0, int),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SECURE": _flag(env, "SESSION_COOKIE_SECURE", False),
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_CHECK_DEFAULT": False,
        "WTF_CSRF_TIME_LIMIT": None,
    }
