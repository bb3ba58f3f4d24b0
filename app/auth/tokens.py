"""Bearer tokens: our own HS256 tokens, and optional RS256 tokens from an identity provider.

The accepted algorithms are fixed per key source, never taken from the token, so
`alg: none` and algorithm-confusion tokens are refused. The JWKS URL is configuration.
"""
from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import jwt

from app.errors import Unauthorized

_JWKS_CLIENTS: dict[str, jwt.PyJWKClient] = {}


def issue_token(user, secret: str, expires_in: int) -> str:
    now = int(time.time())
    claims = {"sub": str(user.id), "email": user.email, "tier": user.tier,
              "iat": now, "exp": now + int(expires_in)}
    return jwt.encode(claims, secret, algorithm="HS256")


def _jwks_client(url: str) -> jwt.PyJWKClient:
    if url not in _JWKS_CLIENTS:
        _JWKS_CLIENTS[url] = jwt.PyJWKClient(url, cache_keys=True, lifespan=300, timeout=10)
    return _JWKS_CLIENTS[url]


def decode_token(token: str, config: Mapping[str, Any]) -> tuple[str, dict]:
    """Verify a token; returns ("local"|"external", claims) or raises Unauthorized."""
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") == "HS256":
            claims = jwt.decode(token, config["SECRET_KEY"], algorithms=["HS256"],
                                options={"require": ["exp", "sub"]})
            return "local", claims
        if header.get("alg") == "RS256" and config.get("JWT_JWKS_URL"):
            key = _jwks_client(config["JWT_JWKS_URL"]).get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token, key.key, algorithms=["RS256"],
                audience=config.get("JWT_AUDIENCE"), issuer=config.get("JWT_ISSUER"),
                options={"require": ["exp", "sub"], "verify_aud": bool(config.get("JWT_AUDIENCE"))},
            )
            if not claims.get("email"):
                raise Unauthorized()
            return "external", claims
    except (jwt.PyJWTError, ValueError):
        raise Unauthorized() from None
    raise Unauthorized()
