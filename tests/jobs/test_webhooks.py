"""Webhook signing, URL checks and delivery against real receivers on 127.0.0.1."""
import datetime
import hashlib
import hmac
import json
import re
import socket
import ssl

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pytest_httpserver import HTTPServer
from werkzeug import Response

from app.errors import ValidationFailed
from app.jobs import webhooks
from app.jobs.webhooks import Delivery, check_url, deliver, derive_secret, sign

SECRET = "test-webhook-secret"
BODY = json.dumps({"job_id": "j1", "status": "succeeded", "note": "caf\u00e9"}).encode()
REFUSED_LOOPBACK = "refused: must point to a public address, not 127.0.0.1 (loopback)"


@pytest.fixture
def sleeps():
    return []


def send(url, sleeps, *, allowed_hosts=("127.0.0.1",), attempts=3, **kwargs):
    return deliver(url, BODY, "job.succeeded", secret=SECRET, allowed_hosts=allowed_hosts,
                   attempts=attempts, sleep=sleeps.append, **kwargs)


def answer(server, *replies):
    """Each POST to /hook gets the next reply."""
    pending = iter(replies)
    server.expect_request("/hook", method="POST").respond_with_handler(lambda request: next(pending))


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_sign_is_hmac_sha256_of_the_body():
    assert sign(b'{"a":1}', "key") == "sha256=88a67f24bbcdaed0e6c997404bb79a743baf44c6bab2f4c27328e3009d22e342"


def test_derived_secret_is_stable_and_per_secret_key():
    assert derive_secret("key-one", None) == "306c34c68dd72a875b7c9d29e854c553c3d09f725926f2a82113ed9e6781084d"
    assert derive_secret("key-two", "") == "c0187a7428c90a8d0a0fe909ca49742675f4b27cfd9e58d48fd3cc8e66e217af"
    assert derive_secret("key-one", "configured") == "configured"


def test_delivery_is_signed_over_the_raw_body(receiver, sleeps):
    answer(receiver, Response("ok"))
    delivery = send(receiver.url_for("/hook"), sleeps)
    request = receiver.log[0][0]
    expected = "sha256=" + hmac.new(SECRET.encode(), request.get_data(), hashlib.sha256).hexdigest()
    assert request.get_data() == BODY
    assert hmac.compare_digest(request.headers["X-Image-Studio-Signature"], expected)
    assert delivery == Delivery(attempts=1, status=200, delivered=True, error=None,
                                delivered_at=delivery.delivered_at)
    assert datetime.datetime.fromisoformat(delivery.delivered_at).utcoffset() == datetime.timedelta(0)
    assert sleeps == []


def test_delivery_headers(receiver, sleeps):
    answer(receiver, Response("ok"))
    send(receiver.url_for("/hook?job=j1"), sleeps)
    request = receiver.log[0][0]
    assert (request.path, request.query_string) == ("/hook", b"job=j1")
    assert {name: request.headers.get(name) for name in (
        "Content-Type", "X-Image-Studio-Event", "X-Image-Studio-Delivery", "User-Agent", "Host")} == {
        "Content-Type": "application/json", "X-Image-Studio-Event": "job.succeeded",
        "X-Image-Studio-Delivery": "1", "User-Agent": "image-studio-webhooks/1",
        "Host": f"127.0.0.1:{receiver.port}"}


def test_pinned_address_keeps_the_host_name_in_the_host_header(receiver, sleeps):
    answer(receiver, Response("ok"))
    delivery = send(f"http://LocalHost:{receiver.port}/hook", sleeps, allowed_hosts=["localhost"])
    assert (delivery.delivered, receiver.log[0][0].headers["Host"]) == (True, f"localhost:{receiver.port}")


def test_environment_proxies_are_ignored(receiver, sleeps, monkeypatch):
    """A proxy would resolve the host name itself, undoing the address check."""
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    answer(receiver, Response("ok"))
    assert send(receiver.url_for("/hook"), sleeps, attempts=1).delivered is True


def test_retries_with_backoff_until_2xx(receiver, sleeps):
    answer(receiver, Response(status=500), Response(status=500), Response(status=204))
    delivery = send(receiver.url_for("/hook"), sleeps, attempts=5, backoff=0.5)
    assert (delivery.attempts, delivery.status, delivery.delivered, delivery.error) == (3, 204, True, None)
    assert sleeps == [0.5, 1.0]
    requests_seen = [request for request, _ in receiver.log]
    assert [request.headers["X-Image-Studio-Delivery"] for request in requests_seen] == ["1", "2", "3"]
    assert {request.get_data() for request in requests_seen} == {BODY}


@pytest.mark.parametrize(("retry_after", "first_sleep"), [
    ("7", 7.0), ("3600", 60.0), ("soon", 1.0), ("-5", 1.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 1.0)])
def test_numeric_retry_after_is_honoured_up_to_a_minute(receiver, sleeps, retry_after, first_sleep):
    answer(receiver, Response(status=503, headers={"Retry-After": retry_after}), Response(status=500),
           Response(status=200))
    assert send(receiver.url_for("/hook"), sleeps).delivered is True
    assert sleeps == [first_sleep, 2.0]


def test_all_attempts_failing_is_reported(receiver, sleeps):
    answer(receiver, *[Response(status=500) for _ in range(4)])
    delivery = send(receiver.url_for("/hook"), sleeps, attempts=4)
    assert delivery.as_dict() == {"attempts": 4, "status": 500, "delivered": False, "error": "HTTP 500",
                                  "delivered_at": None}
    assert sleeps == [1.0, 2.0, 4.0]
    assert len(receiver.log) == 4


def test_redirect_is_not_followed(receiver, sleeps):
    answer(receiver, *[Response(status=302, headers={"Location": "/other"}) for _ in range(2)])
    receiver.expect_request("/other").respond_with_data("ok")
    delivery = send(receiver.url_for("/hook"), sleeps, attempts=2)
    assert delivery == Delivery(attempts=2, status=302, delivered=False, error="HTTP 302", delivered_at=None)
    assert [request.path for request, _ in receiver.log] == ["/hook", "/hook"]


def test_connection_refused_is_a_result_not_an_exception(sleeps):
    delivery = send(f"http://127.0.0.1:{closed_port()}/hook", sleeps, attempts=2)
    assert delivery == Delivery(attempts=2, status=None, delivered=False, error="connection refused",
                                delivered_at=None)
    assert sleeps == [1.0]


def test_silent_receiver_times_out(sleeps):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        delivery = send(f"http://127.0.0.1:{silent.getsockname()[1]}/hook", sleeps, attempts=1, timeout=0.3)
    assert delivery == Delivery(attempts=1, status=None, delivered=False, error="timed out", delivered_at=None)


def test_unresolvable_host_is_retried(sleeps):
    delivery = send("http://no-such-host.invalid/hook", sleeps, attempts=2)
    assert delivery == Delivery(attempts=2, status=None, delivered=False, error="host does not resolve",
                                delivered_at=None)
    assert sleeps == [1.0]


def test_deliver_refuses_a_host_that_is_not_allowed(receiver, sleeps):
    answer(receiver, Response("ok"))
    delivery = send(receiver.url_for("/hook"), sleeps, allowed_hosts=())
    assert delivery == Delivery(attempts=0, status=None, delivered=False, error=REFUSED_LOOPBACK, delivered_at=None)
    assert receiver.log == []
    assert sleeps == []


@pytest.mark.parametrize(("url", "allowed"), [
    ("http://127.0.0.1:8080/hook", ["127.0.0.1"]),
    ("http://LOCALHOST/hook", [" localhost "]),
    ("http://[::1]/hook", ["[::1]"]),
    ("https://93.184.216.34/hook", []),
    ("http://[2606:2800:220:1:248:1893:25c8:1946]/", []),
])
def test_allowed_or_public_urls_pass(url, allowed):
    assert check_url(url, allowed) is None


def test_loopback_is_refused_unless_allowed():
    with pytest.raises(ValidationFailed) as refused:
        check_url("http://127.0.0.1/", ["localhost", "example.com"])
    assert refused.value.status == 400
    assert refused.value.detail == "Invalid value for 'webhook_url': " + REFUSED_LOOPBACK.removeprefix("refused: ")


def public(address, rule):
    return re.escape(f"must point to a public address, not {address} ({rule})")


@pytest.mark.parametrize(("url", "reason"), [
    ("http://127.0.0.1/", public("127.0.0.1", "loopback")),
    ("http://localhost/", r"must point to a public address, not (127\.0\.0\.1|::1) \(loopback\)"),
    ("http://2130706433/", public("127.0.0.1", "loopback")),
    ("http://10.1.2.3/", public("10.1.2.3", "private")),
    ("http://192.168.0.1/", public("192.168.0.1", "private")),
    ("http://172.16.0.1/", public("172.16.0.1", "private")),
    ("http://169.254.169.254/latest/meta-data", public("169.254.169.254", "cloud metadata")),
    ("http://169.254.1.1/", public("169.254.1.1", "link-local")),
    ("http://100.100.100.200/", public("100.100.100.200", "cloud metadata")),
    ("http://[::1]/", public("::1", "loopback")),
    ("http://[fd00:ec2::254]/", public("fd00:ec2::254", "cloud metadata")),
    ("http://[fe80::1]/", public("fe80::1", "link-local")),
    ("http://[::ffff:127.0.0.1]/", public("::ffff:127.0.0.1", "loopback")),
    ("http://[::ffff:10.0.0.5]/", public("::ffff:10.0.0.5", "private")),
    ("http://[2002:7f00:1::]/", public("2002:7f00:1::", "loopback")),
    ("http://0.0.0.0/", public("0.0.0.0", "unspecified")),
    ("http://100.64.0.1/", public("100.64.0.1", "not globally routable")),
    ("http://224.0.0.1/", public("224.0.0.1", "multicast")),
    ("http://240.0.0.1/", public("240.0.0.1", "reserved")),
    ("ftp://example.com/", re.escape("must be an http or https URL")),
    ("example.com/hook", re.escape("must be an http or https URL")),
    ("http://user:pw@example.com/", re.escape("must not contain a user name or password")),
    ("http:///hook", re.escape("must include a host name")),
    ("http://example.com:99999/", re.escape("has an invalid port")),
    ("http://no-such-host.invalid/", re.escape("the host no-such-host.invalid does not resolve")),
])
def test_refused_urls_name_webhook_url(url, reason):
    with pytest.raises(ValidationFailed) as refused:
        check_url(url, ["example.org"])
    detail = refused.value.detail
    assert re.fullmatch(re.escape("Invalid value for 'webhook_url': ") + reason, detail)
    assert refused.value.errors == {"webhook_url": [detail]}
    assert "pw" not in detail


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    """A CA and a certificate for `localhost` only (no IP address in it)."""
    def certificate(subject, issuer, key, signer, *, ca):
        now = datetime.datetime.now(datetime.UTC)
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(hours=1))
                   .not_valid_after(now + datetime.timedelta(hours=1))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if not ca:
            builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        return builder.sign(signer, hashes.SHA256())

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test CA")])
    ca = certificate(ca_name, ca_name, ca_key, ca_key, ca=True)
    leaf = certificate(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]), ca_name, key, ca_key,
                       ca=False)
    folder = tmp_path_factory.mktemp("tls")
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (folder / "leaf.pem").write_bytes(leaf.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return folder


@pytest.fixture
def tls_receiver(tls):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tls / "leaf.pem")
    context.server_names = []
    context.sni_callback = lambda sock, name, ctx: context.server_names.append(name)
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    server.expect_request("/hook").respond_with_data("ok")
    server.start()
    yield server
    server.clear()
    server.stop()


def test_https_sends_sni_for_the_host_name_and_verifies_the_certificate(tls_receiver, sleeps):
    delivery = send(f"https://localhost:{tls_receiver.port}/hook", sleeps, allowed_hosts=["localhost"], attempts=1)
    assert delivery == Delivery(attempts=1, status=None, delivered=False, error="TLS error", delivered_at=None)
    assert tls_receiver.ssl_context.server_names == ["localhost"]
    assert tls_receiver.log == []


@pytest.mark.parametrize(("hostname", "accepted"), [("localhost", True), ("example.com", False)])
def test_pinned_connection_checks_the_certificate_against_the_host_name(tls, tls_receiver, hostname, accepted):
    """The pinned adapter is exercised directly: `deliver` trusts only the public CA bundle."""
    with requests.Session() as session:
        session.mount("https://", webhooks._PinnedAdapter(hostname))
        try:
            status = session.get(f"https://127.0.0.1:{tls_receiver.port}/hook", verify=str(tls / "ca.pem"),
                                 timeout=5).status_code
        except requests.exceptions.SSLError as exc:
            status = "hostname mismatch" if "match" in str(exc) else str(exc)
    assert status == (200 if accepted else "hostname mismatch")
    assert tls_receiver.ssl_context.server_names == [hostname]
