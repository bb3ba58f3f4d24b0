"""Bearer tokens: our own HS256 tokens, and optional RS256 tokens from an identity provider.

The accepted algorithms are fixed per key source, never taken from the token, so
`alg: none` and algorithm-confusion tokens are refused. The JWKS URL is configuration, and
an external token must come from JWT_ISSUER for JWT_AUDIENCE (start-up refuses a JWKS URL
without both). Local tokens carry the account's token version (`ver`), which the caller
compares with the account row, so raising it revokes every token issued before.

A client sends the same token on every request until it expires, so each worker keeps the
claims of the local tokens it has verified (bounded, keyed by secret and token): a repeat
skips the HMAC and JSON decoding but still checks `exp` against the clock. A token that
failed is checked in full every time; external (RS256) tokens are not kept, so a key the
identity provider has rotated out stops working as soon as the JWKS says so.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any

import jwt

from app.errors import Unauthorized

_JWKS_CLIENTS: dict[str, jwt.PyJWKClient] = {}
VERIFIED_TOKENS = 4096
# Our own tokens are about 250 characters; an identity provider's a few KB at most.
MAX_TOKEN_CHARS = 8192


class _VerifiedTokens:
    """(secret, token) -> claims of a local token that passed verification; oldest out first."""

    def __init__(self, size: int):
        self.size = size
        self._claims: dict[tuple[str, str], dict] = {}
        self._lock = threading.Lock()

    def get(self, secret: str, token: str) -> dict | None:
        claims = self._claims.get((secret, token))
        # Verification already passed `iat`/`nbf`, which cannot become false later; `exp` can.
        if claims is None or int(claims["exp"]) <= time.time():
            return None
        return dict(claims)

    def put(self, secret: str, token: str, claims: dict) -> None:
        with self._lock:
            self._claims[(secret, token)] = dict(claims)
            while len(self._claims) > self.size:
                del self._claims[next(iter(self._claims))]


_verified = _VerifiedTokens(VERIFIED_TOKENS)


def issue_token(user, secret: str, expires_in: int) -> str:
    now = int(time.time())
    claims = {"sub": str(user.id), "ver": user.token_version, "email": user.email,
              "tier": user.tier, "iat": now, "exp": now + int(expires_in)}
    return jwt.encode(claims, secret, algorithm="HS256")


def _jwks_client(url: str) -> jwt.PyJWKClient:
    if url not in _JWKS_CLIENTS:
        _JWKS_CLIENTS[url] = jwt.PyJWKClient(url, cache_keys=True, lifespan=300, timeout=10)
    return _JWKS_CLIENTS[url]


def decode_token(token: str, config: Mapping[str, Any]) -> tuple[str, dict]:
    """Verify a token; returns ("local"|"external", claims) or raises Unauthorized."""
    if len(token) > MAX_TOKEN_CHARS:
        raise Unauthorized()
    secret = config["SECRET_KEY"]
    known = _verified.get(secret, token)
    if known is not None:
        return "local", known
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") == "HS256":
            claims = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["exp", "sub"]})
            _verified.put(secret, token, claims)
            return "local", claims
        if header.get("alg") == "RS256" and config.get("JWT_JWKS_URL"):
            key = _jwks_client(config["JWT_JWKS_URL"]).get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token, key.key, algorithms=["RS256"],
                audience=config["JWT_AUDIENCE"], issuer=config["JWT_ISSUER"],
                options={"require": ["exp", "sub", "iss", "aud"]},
            )
            if not isinstance(claims["sub"], str) or not 0 < len(claims["sub"]) <= 255:
                raise Unauthorized()
            return "external", claims
    except (jwt.PyJWTError, ValueError):
        raise Unauthorized() from None
    raise Unauthorized()
