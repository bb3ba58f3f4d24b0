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
DEFAULT_MAX_IMAGE_PIXELS = 40_000_000  # uploads and provider replies alike
DEFAULT_MAX_PROVIDER_REPLY_MB = 64  # a provider reply's body: an image, its base64 JSON, a download


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


def check_config(config: Mapping[str, Any]) -> None:
    """Refuse, at start-up, combinations of settings that would be unsafe to run with.

    An identity provider's tokens are trusted only for one issuer and one audience: a JWKS
    URL alone would accept tokens the provider signed for any other application.
    """
    missing = [name for name in ("JWT_ISSUER", "JWT_AUDIENCE") if not config.get(name)]
    if config.get("JWT_JWKS_URL") and missing:
        raise ConfigError(f"JWT_JWKS_URL needs {' and '.join(missing)} as well: tokens from an "
                          "identity provider are accepted only for one issuer and audience")
    backend = config.get("JOBS_BACKEND", "thread")
    if backend not in ("thread", "rq"):
        raise ConfigError(f"JOBS_BACKEND must be thread or rq, got {backend!r}")
    if config.get("PROVENANCE", "on") not in ("on", "off"):
        raise ConfigError(f"PROVENANCE must be on or off, got {config.get('PROVENANCE')!r}")
    if backend == "rq" and not config.get("REDIS_URL"):
        raise ConfigError("JOBS_BACKEND=rq needs REDIS_URL (the queue the workers read)")


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
        # Model choices per deployment over providers.json (unset: the catalogue's), checked at
        # start-up by app/providers/overrides.py; and the live check behind `flask providers
        # check` and the listing's `status` (cached TTL s, the listing waits at most WAIT s).
        "STABILITY_MODELS": text("STABILITY_MODELS"),
        "STABILITY_DEFAULT_MODEL": text("STABILITY_DEFAULT_MODEL"),
        "WAVESPEED_MODELS": text("WAVESPEED_MODELS"),
        "WAVESPEED_DEFAULT_MODEL": text("WAVESPEED_DEFAULT_MODEL"),
        "WAVESPEED_DEFAULT_EDIT_MODEL": text("WAVESPEED_DEFAULT_EDIT_MODEL"),
        "HF_MODELS": text("HF_MODELS"),
        "HF_DEFAULT_MODEL": text("HF_DEFAULT_MODEL"),
        "GEMINI_MODELS": text("GEMINI_MODELS"),
        "GEMINI_DEFAULT_MODEL": text("GEMINI_DEFAULT_MODEL"),
        "GEMINI_DEFAULT_EDIT_MODEL": text("GEMINI_DEFAULT_EDIT_MODEL"),
        "HF_HUB_BASE": text("HF_HUB_BASE", "https://huggingface.co"),
        "PROVIDER_STATUS_TTL": _number(env, "PROVIDER_STATUS_TTL", 300),
        "PROVIDER_STATUS_WAIT": _number(env, "PROVIDER_STATUS_WAIT", 2),
        "MAX_IMAGE_MB": _number(env, "MAX_IMAGE_MB", 10),
        "MAX_REQUEST_MB": max_request_mb,
        "MAX_CONTENT_LENGTH": int(max_request_mb * MIB),
        "MAX_IMAGE_PIXELS": _number(env, "MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS, int),
        "MAX_PROVIDER_REPLY_MB": _number(env, "MAX_PROVIDER_REPLY_MB", DEFAULT_MAX_PROVIDER_REPLY_MB),
        "IMAGE_CONCURRENCY": _number(env, "IMAGE_CONCURRENCY", os.cpu_count() or 1, int),
        "IMAGE_QUEUE_TIMEOUT": _number(env, "IMAGE_QUEUE_TIMEOUT", 30),
        "ZIP_STREAMS": _number(env, "ZIP_STREAMS", 2, int),
        # Unset: a request waits up to IMAGE_QUEUE_TIMEOUT for a slot, as service.md says. Set
        # (gunicorn.conf.py does), past this many waiting image work is refused at once: each
        # waiter holds one of a worker's GUNICORN_THREADS, and a /healthz probe queues behind them.
        "IMAGE_QUEUE_LENGTH": _number(env, "IMAGE_QUEUE_LENGTH", None, int),
        # Freed rasters are kept for reuse until image work has stopped this long (memory.py).
        "IMAGE_MEMORY_LINGER": _number(env, "IMAGE_MEMORY_LINGER", 2),
        "RATELIMIT_STORAGE_URI": text("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_FREE": text("RATELIMIT_FREE", "60 per minute"),
        "RATELIMIT_PRO": text("RATELIMIT_PRO", "600 per minute"),
        "RATELIMIT_ENTERPRISE": text("RATELIMIT_ENTERPRISE", "6000 per minute"),
        "RATELIMIT_ANONYMOUS": text("RATELIMIT_ANONYMOUS", "120 per minute"),
        "RATELIMIT_KEY_PREFIX": text("RATELIMIT_KEY_PREFIX", "image-studio"),
        # Job status reads (GET /jobs, /jobs/<id>), apart from the tier budget: pages poll them.
        "RATELIMIT_JOB_STATUS": text("RATELIMIT_JOB_STATUS", "300 per minute"),
        # Failed sign-ins (/login and POST /api/auth/token) per account and per address.
        "LOGIN_RATELIMIT_ACCOUNT": text("LOGIN_RATELIMIT_ACCOUNT", "10 per 15 minutes"),
        "LOGIN_RATELIMIT_ADDRESS": text("LOGIN_RATELIMIT_ADDRESS", "50 per 15 minutes"),
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
        "METRICS_PUBLIC": _flag(env, "METRICS_PUBLIC", False),
        "TRUSTED_PROXIES": _number(env, "TRUSTED_PROXIES", 0, int),
        # Asynchronous jobs (app/jobs): where they run, how a dead worker's jobs are found.
        "JOBS_BACKEND": (text("JOBS_BACKEND", "thread")).strip().lower(),
        "REDIS_URL": text("REDIS_URL"),
        "JOBS_QUEUE": text("JOBS_QUEUE", "image-studio-jobs"),
        "JOBS_CONCURRENCY": max(1, _number(env, "JOBS_CONCURRENCY", 4, int)),
        "JOBS_HEARTBEAT": _number(env, "JOBS_HEARTBEAT", 5),
        "JOBS_STALE_AFTER": _number(env, "JOBS_STALE_AFTER", 30),
        "JOBS_QUEUE_TIMEOUT": _number(env, "JOBS_QUEUE_TIMEOUT", 3600),
        "JOBS_MAX_ATTEMPTS": _number(env, "JOBS_MAX_ATTEMPTS", 3, int),
        "JOBS_SUPERVISE": _flag(env, "JOBS_SUPERVISE", True),
        "WEBHOOK_SECRET": text("WEBHOOK_SECRET"),
        "WEBHOOK_ALLOWED_HOSTS": text("WEBHOOK_ALLOWED_HOSTS", ""),
        "WEBHOOK_ATTEMPTS": max(1, _number(env, "WEBHOOK_ATTEMPTS", 5, int)),
        "WEBHOOK_BACKOFF": _number(env, "WEBHOOK_BACKOFF", 1),
        "WEBHOOK_TIMEOUT": _number(env, "WEBHOOK_TIMEOUT", 10),
        # AI provenance (app/studio/provenance.py): the XMP mark, and C2PA signing when both
        # PEM files are given.
        "PROVENANCE": (text("PROVENANCE", "on")).strip().lower(),
        "C2PA_SIGN_CERT": text("C2PA_SIGN_CERT"),
        "C2PA_SIGN_KEY": text("C2PA_SIGN_KEY"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SECURE": _flag(env, "SESSION_COOKIE_SECURE", False),
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_CHECK_DEFAULT": False,
        "WTF_CSRF_TIME_LIMIT": None,
    }
