"""Signed job webhooks: refuse URLs that reach into our own network, then POST the job document.

The URL is checked when the job is submitted (a 400 the client can fix) and again before every
attempt, and each attempt connects to an address that passed, so a DNS answer that changes in
between cannot steer the request to an internal service.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket
import time
from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, NoReturn
from urllib.parse import SplitResult, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError

from app.errors import ValidationFailed

PREFIX = "Invalid value for 'webhook_url': "
USER_AGENT = "image-studio-webhooks/1"
RETRY_AFTER_CAP = 60.0
METADATA = frozenset(map(ipaddress.ip_address, ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")))
RULES = ("unspecified", "loopback", "link_local", "multicast", "reserved", "private")


class _Unresolved(ValidationFailed):
    """No address for the host: at delivery time worth another attempt, unlike a refusal."""


@dataclass
class Delivery:
    """Kept on the job so its owner can see why a webhook never arrived. `status` and `error`
    describe the last attempt; an attempt refused by the address check is not counted."""

    attempts: int
    status: int | None
    delivered: bool
    error: str | None
    delivered_at: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def derive_secret(secret_key: str, configured: str | None) -> str:
    """The configured secret, else one derived from SECRET_KEY: stable across restarts, one secret less."""
    if configured:
        return configured
    return hmac.new(secret_key.encode(), b"image-studio webhooks", hashlib.sha256).hexdigest()


def sign(body: bytes, secret: str) -> str:
    """The X-Image-Studio-Signature value, which lets the client prove the body came from us."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def check_url(url: str, allowed_hosts: Collection[str]) -> None:
    """Raises `ValidationFailed` naming `webhook_url` unless every address of the host is public
    (so clients cannot make us probe our own network) or the host is in `allowed_hosts`."""
    _target(url, allowed_hosts)


def deliver(url: str, body: bytes, event: str, *, secret: str, allowed_hosts: Collection[str],
            attempts: int = 5, backoff: float = 1.0, timeout: float = 10.0,
            sleep: Callable[[float], None] = time.sleep) -> Delivery:
    """POST until a 2xx or `attempts` run out. Never raises: a client's broken endpoint must not
    fail the job. Redirects are not followed, since they could lead anywhere."""
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
               "X-Image-Studio-Event": event, "X-Image-Studio-Signature": sign(body, secret)}
    status = error = None
    for n in range(1, attempts + 1):
        wait = None
        try:
            parts, addresses = _target(url, allowed_hosts)
        except _Unresolved:
            status, error = None, "host does not resolve"
        except ValidationFailed as refused:
            return Delivery(n - 1, None, False, "refused: " + refused.detail.removeprefix(PREFIX))
        else:
            numbered = {**headers, "X-Image-Studio-Delivery": str(n)}
            status, error, wait = _attempt(parts, addresses, body, numbered, timeout)
            if error is None:
                return Delivery(n, status, True, None, datetime.now(UTC).isoformat(timespec="seconds"))
        if n < attempts:
            sleep(wait if wait is not None else backoff * 2 ** (n - 1))
    return Delivery(attempts, status, False, error)


def _refuse(reason: str, error: type[ValidationFailed] = ValidationFailed) -> NoReturn:
    raise error.for_field("webhook_url", PREFIX + reason)


def _target(url: str, allowed_hosts: Collection[str]) -> tuple[SplitResult, list[str]]:
    """The URL's parts and the addresses it may be reached at."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        _refuse("must be an http or https URL")
    if "@" in parts.netloc:
        _refuse("must not contain a user name or password")
    if not parts.hostname:
        _refuse("must include a host name")
    try:
        found = socket.getaddrinfo(parts.hostname, parts.port, type=socket.SOCK_STREAM)
    except ValueError:  # parts.port
        _refuse("has an invalid port")
    except (OSError, UnicodeError):
        _refuse(f"the host {parts.hostname} does not resolve", _Unresolved)
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    if parts.hostname not in {host.strip().strip("[]").lower() for host in allowed_hosts}:
        for address in addresses:
            if rule := _forbidden(ipaddress.ip_address(address)):
                _refuse(f"must point to a public address, not {address} ({rule})")
    return parts, addresses


def _forbidden(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """The rule the address breaks; IPv4 carried inside IPv6 is judged as IPv4."""
    if isinstance(address, ipaddress.IPv6Address):
        address = address.ipv4_mapped or address.sixtofour or address
    if address in METADATA:
        return "cloud metadata"
    if rule := next((rule for rule in RULES if getattr(address, f"is_{rule}")), None):
        return rule.replace("_", "-")
    return None if address.is_global else "not globally routable"


def _attempt(parts: SplitResult, addresses: list[str], body: bytes, headers: dict[str, str],
             timeout: float) -> tuple[int | None, str | None, float | None]:
    """(status, error, Retry-After seconds) of one POST; a further address is tried only when
    the connection failed, since then nothing was sent."""
    hostname = parts.hostname.encode("idna").decode()  # getaddrinfo already encoded it this way
    for address in addresses:
        try:
            with requests.Session() as session:
                session.trust_env = False  # an environment proxy would resolve the host name itself
                session.mount(f"{parts.scheme}://", _PinnedAdapter(hostname))
                with session.post(parts._replace(netloc=_netloc(address, parts.port), fragment="").geturl(),
                                  data=body, headers={**headers, "Host": _netloc(hostname, parts.port)},
                                  timeout=timeout, allow_redirects=False, stream=True) as response:
                    status, value = response.status_code, response.headers.get("Retry-After", "").strip()
        except requests.RequestException as exc:
            failure, unsent = _failure(exc)
            if unsent:
                continue
            return None, failure, None
        wait = min(float(value), RETRY_AFTER_CAP) if value.isascii() and value.isdigit() else None
        return status, None if 200 <= status < 300 else f"HTTP {status}", wait
    return None, failure, None


def _netloc(host: str, port: int | None) -> str:
    return (f"[{host}]" if ":" in host else host) + (f":{port}" if port else "")


class _PinnedAdapter(HTTPAdapter):
    """SNI and certificate checks for the URL's host name while the request URL names the
    checked address, so TLS stays verified without a second DNS lookup."""

    def __init__(self, hostname: str):
        self.hostname = hostname
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, server_hostname=self.hostname, assert_hostname=self.hostname, **kwargs)


def _failure(exc: requests.RequestException) -> tuple[str, bool]:
    """A short reason safe to show the client, and whether only the connection failed (nothing sent)."""
    causes: list[BaseException] = []
    cause: BaseException | None = exc
    while cause is not None and cause not in causes:
        causes.append(cause)
        cause = cause.__cause__ or cause.__context__
    reason = ("timed out" if isinstance(exc, requests.Timeout) else
              "TLS error" if isinstance(exc, requests.exceptions.SSLError) else
              "connection refused" if any(isinstance(c, ConnectionRefusedError) for c in causes) else
              "connection failed")
    return reason, any(isinstance(c, ConnectTimeoutError) for c in causes)
