"""Security headers on every response, a Content-Security-Policy on every page, and a
bound on the request headers and URL a client may send.

The pages load nothing from another origin and run no inline script, so the policy names
only 'self' (images also come as data: and blob: URLs). Swagger UI's page starts itself
with an inline script, so /api/docs alone allows inline script and style.
"""
from __future__ import annotations

from flask import Flask, Response, request

from app.errors import AppError

PAGE_POLICY = ("default-src 'self'; img-src 'self' data: blob:; script-src 'self'; style-src 'self'; "
               "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
DOCS_POLICY = PAGE_POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'")
# gunicorn.conf.py lets fields up to 32 KiB through (its own refusal is a bare text page), so
# this answer, a sentence in the API's shape, is what a client sees for anything from 8 KiB.
MAX_HEADER_BYTES = 8192
# Likewise for the request line: gunicorn.conf.py lets up to 8190 bytes through (its default
# 4094 would refuse with a bare HTML page); no URL of this API comes near 4 KiB.
MAX_URL_BYTES = 4096
HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
           "Referrer-Policy": "same-origin"}


def _secure(response: Response) -> Response:
    response.headers.update(HEADERS)
    if response.status_code < 300:
        # Flask-Limiter adds Retry-After to every limited response; on a success it means nothing.
        response.headers.pop("Retry-After", None)
    if response.mimetype == "text/html":
        docs = request.path.rstrip("/") == "/api/docs"
        response.headers["Content-Security-Policy"] = DOCS_POLICY if docs else PAGE_POLICY
    return response


def _bounded() -> None:
    environ = request.environ
    target = environ.get("RAW_URI") or environ.get("REQUEST_URI") or request.full_path
    if len(target) > MAX_URL_BYTES:
        raise AppError(f"Request URL is too long: the limit is {MAX_URL_BYTES} bytes", status=414)
    for name, value in request.headers.items():
        if len(value) > MAX_HEADER_BYTES:
            raise AppError(f"Request header {name[:64]} is too large: the limit is "
                           f"{MAX_HEADER_BYTES} bytes", status=431)


def init_app(app: Flask) -> None:
    """Registered before every other `before_request`, so nothing reads an oversized header or URL."""
    app.before_request(_bounded)
    app.after_request(_secure)
