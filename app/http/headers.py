"""Security headers on every response, and a Content-Security-Policy on every page.

The pages load nothing from another origin and run no inline script, so the policy names
only 'self' (images also come as data: and blob: URLs). Swagger UI's page starts itself
with an inline script, so /api/docs alone allows inline script and style.
"""
from __future__ import annotations

from flask import Flask, Response, request

PAGE_POLICY = ("default-src 'self'; img-src 'self' data: blob:; script-src 'self'; style-src 'self'; "
               "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
DOCS_POLICY = PAGE_POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'")
HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
           "Referrer-Policy": "same-origin"}


def _secure(response: Response) -> Response:
    response.headers.update(HEADERS)
    if response.mimetype == "text/html":
        docs = request.path.rstrip("/") == "/api/docs"
        response.headers["Content-Security-Policy"] = DOCS_POLICY if docs else PAGE_POLICY
    return response


def init_app(app: Flask) -> None:
    app.after_request(_secure)
