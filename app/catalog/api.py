"""Catalogue endpoints: templates, platform formats and platform specs.

The catalogue never changes while the service runs, so each distinct read (endpoint, path
and query arguments) is serialised once per worker and kept as bytes with a strong `ETag`
(a hash of those bytes, hence the same in every worker and across restarts with the same
data). A request whose `If-None-Match` matches gets `304 Not Modified` without a body.
Authentication, the rate limit and telemetry run as for any request: the cache sits inside
`auth_required`, and only replaces parsing, filtering and dumping.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from functools import wraps

from flask import Response, current_app, request

from app.auth.guard import auth_required
from app.catalog import platforms, templates
from app.catalog.schemas import (
    FormatListSchema,
    PlatformSpecSchema,
    TemplateFilterSchema,
    TemplateListSchema,
    TemplateRecommendSchema,
    TemplateSearchSchema,
)
from app.http.blueprint import Blueprint

blp = Blueprint("catalog_api", __name__, url_prefix="/api/image-studio",
                description="Templates, social formats and platform specifications", tag="Templates and platforms")

# Distinct reads kept per worker. Search words and filters come from clients, so the cache
# is bounded (least recently used out first); a full template list is ~10 KB.
CACHE_ENTRIES = 512
# Clients may keep a copy but must revalidate it (cheaply, with If-None-Match) before use;
# "private" because the answer is behind a token.
CACHE_CONTROL = "private, no-cache"
CACHE_EXTENSION = "catalog_responses"
NOT_MODIFIED_DOC = {"description": "Not modified: `If-None-Match` holds the current `ETag`"}


class ResponseCache:
    """Thread-safe LRU of (body, content type, ETag) per read."""

    def __init__(self, size: int = CACHE_ENTRIES):
        self.size = size
        self._entries: OrderedDict[tuple, tuple[bytes, str, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> tuple[bytes, str, str] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple, entry: tuple[bytes, str, str]) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


@blp.record_once
def _install_cache(state) -> None:
    state.app.extensions[CACHE_EXTENSION] = ResponseCache()


def _read_key() -> tuple:
    """The endpoint, its path arguments and its query, repeated names kept in their order."""
    query = tuple(sorted(request.args.items(multi=True), key=lambda item: item[0]))
    return request.endpoint, tuple(sorted((request.view_args or {}).items())), query


def _etag(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def cached_read(view):
    """Serve a catalogue read from its cached bytes, or 304 when the client's copy is current.

    Goes between `auth_required` (so a caller without a valid token gets 401 whatever its
    `If-None-Match`) and the argument parser. Only 200 answers are kept; a 400 or 404 is
    raised by the view each time, as before.
    """
    @wraps(view)
    def wrapper(*args, **kwargs):
        cache: ResponseCache = current_app.extensions[CACHE_EXTENSION]
        key = _read_key()
        entry = cache.get(key)
        if entry is None:
            fresh = view(*args, **kwargs)
            if fresh.status_code != 200:
                return fresh
            body = fresh.get_data()
            entry = (body, fresh.content_type, _etag(body))
            cache.put(key, entry)
        body, content_type, etag = entry
        if request.if_none_match.contains_weak(etag):
            response = Response(status=304)
        else:
            response = Response(body, status=200, content_type=content_type)
        response.set_etag(etag)
        response.headers["Cache-Control"] = CACHE_CONTROL
        return response

    return wrapper


def _listing(items: list[dict]) -> dict:
    return {"templates": items, "total": len(items)}


@blp.route("/templates")
@auth_required
@cached_read
@blp.arguments(TemplateFilterSchema, location="query")
@blp.response(200, TemplateListSchema)
@blp.alt_response(304, **NOT_MODIFIED_DOC)
def list_templates(args):
    """List templates of a platform (the category is then ignored) or of a category."""
    return _listing(templates.listed_templates(args.get("platform"), args.get("category")))


@blp.route("/templates/search")
@auth_required
@cached_read
@blp.arguments(TemplateSearchSchema, location="query")
@blp.response(200, TemplateListSchema)
@blp.alt_response(304, **NOT_MODIFIED_DOC)
def search_templates(args):
    """Search templates; results ranked by relevance."""
    return _listing(templates.search_templates(args["query"]))


@blp.route("/templates/recommend")
@auth_required
@cached_read
@blp.arguments(TemplateRecommendSchema, location="query")
@blp.response(200, TemplateListSchema)
@blp.alt_response(304, **NOT_MODIFIED_DOC)
def recommend_templates(args):
    """Recommend templates for a use case, optionally on one platform."""
    return _listing(templates.recommend_templates(args["use_case"], args.get("platform")))


@blp.route("/social/platforms/<platform>/formats")
@auth_required
@cached_read
@blp.response(200, FormatListSchema)
@blp.alt_response(304, **NOT_MODIFIED_DOC)
@blp.alt_response(404, description="Unknown platform")
def platform_formats(platform):
    """Social Optimizer formats of one platform."""
    return {"formats": platforms.formats_for(platform)}


@blp.route("/platform-specs/<platform>")
@auth_required
@cached_read
@blp.response(200, PlatformSpecSchema)
@blp.alt_response(304, **NOT_MODIFIED_DOC)
@blp.alt_response(404, description="Unknown platform or no specifications")
def platform_specs(platform):
    """Specifications and requirements of one platform."""
    return platforms.specs_for(platform)
