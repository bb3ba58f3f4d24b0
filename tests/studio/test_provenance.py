"""AI provenance end to end: every provider-made image carries the IPTC digital source type in
XMP (sandbox and real wire alike), social, compress and convert keep it, PROVENANCE=off turns
it off, and with a signing certificate each result carries a C2PA manifest read back here."""
from __future__ import annotations

import base64
import datetime
import io
import zipfile

import c2pa
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image

from app.auth import service as accounts
from app.auth.tokens import issue_token
from app.config import ConfigError
from app.imaging import provenance
from app.imaging.provenance import COMPOSITE, TRAINED
from tests.delivery_helpers import format_of, result_bytes, upload
from tests.photos import photograph

API = "/api/image-studio"


def signed_in(app):
    with app.app_context():
        user = accounts.create_user("mark@example.com", "a-long-password-1")
        token = issue_token(user, app.config["SECRET_KEY"], 3600)
    return app.test_client(), {"Authorization": f"Bearer {token}"}


def created(client, headers, **body) -> bytes:
    response = client.post(f"{API}/create", json={"prompt": "a lighthouse at dawn", **body}, headers=headers)
    assert response.status_code == 200, response.json
    return base64.b64decode(response.json["results"][0]["image_base64"])


@pytest.fixture
def sandbox(make_app):
    return signed_in(make_app())


@pytest.mark.parametrize("fmt", ["png", "jpeg", "webp"])
def test_a_created_image_is_marked_as_ai_made_in_every_output_format(sandbox, fmt):
    client, headers = sandbox
    response = client.post(f"{API}/create", json={"prompt": "a fox", "output_format": fmt}, headers=headers)
    (result,) = response.json["results"]
    data = base64.b64decode(result["image_base64"])
    assert format_of(data) == fmt
    mark = provenance.read(data)
    assert mark.source_type == TRAINED and mark.provider == "sandbox"
    stored = client.get(result["url"], headers=headers).data
    assert stored == data and Image.open(io.BytesIO(stored)).info["xmp"]
    assert result["metadata"]["provenance"] == {"digital_source_type": TRAINED, "ai_system": "sandbox",
                                                "ai_model": mark.model, "xmp": True, "c2pa": False}


def test_the_wire_provider_and_model_are_named(make_app, provider_config, fake_stability):
    client, headers = signed_in(make_app(**provider_config))
    mark = provenance.read(created(client, headers, provider="stability"))
    assert (mark.source_type, mark.provider, mark.model) == (TRAINED, "stability", "core")


def test_edits_control_and_ai_upscales_are_composites_and_a_plain_upscale_keeps_its_input(sandbox):
    client, headers = sandbox
    image = upload(photograph("coffee").resize((300, 200)))
    edit = client.post(f"{API}/edit/process", json={"image_base64": image, "operation": "remove_background"},
                       headers=headers).json
    control = client.post(f"{API}/control/process", json={"control_image_base64": image, "operation": "sketch",
                                                          "prompt": "a cup"}, headers=headers).json
    upscaled = client.post(f"{API}/upscale", json={"image_base64": image, "mode": "conservative",
                                                   "provider": "sandbox", "prompt": "sharp"}, headers=headers).json
    for body in (edit, control, upscaled):
        assert provenance.read(result_bytes(body)).source_type == COMPOSITE, body["metadata"]
    plain = client.post(f"{API}/upscale", json={"image_base64": image, "mode": "fast", "provider": "local"},
                        headers=headers).json
    assert provenance.read(result_bytes(plain)) is None and plain["metadata"]["provenance"] is None
    marked = upload(photograph("coffee").resize((300, 200)), "PNG",
                    **provenance.save_options("PNG", provenance.Mark(TRAINED, "gemini", None)))
    kept = client.post(f"{API}/upscale", json={"image_base64": marked, "mode": "fast", "provider": "local"},
                       headers=headers).json
    assert provenance.read(result_bytes(kept)) == provenance.Mark(TRAINED, "gemini", None)


def test_social_compress_and_convert_keep_the_mark_of_a_generated_image(sandbox):
    client, headers = sandbox
    image = base64.b64encode(created(client, headers)).decode()
    social = client.post(f"{API}/social/optimize", json={"image_base64": image, "platforms": ["instagram", "linkedin"],
                                                         "output_format": "webp"}, headers=headers).json
    assert len(social["results"]) == 2
    for rendition in social["results"]:
        data = result_bytes(rendition)
        assert format_of(data) == "webp" and provenance.read(data).source_type == TRAINED
    archive = client.post(f"{API}/social/optimize.zip", json={"image_base64": image, "platforms": ["twitter"]},
                          headers=headers)
    with zipfile.ZipFile(io.BytesIO(archive.data)) as entries:
        assert all(provenance.read(entries.read(name)).source_type == TRAINED for name in entries.namelist())
    compressed = client.post(f"{API}/compress", json={"image_base64": image, "format": "avif",
                                                      "strip_metadata": True}, headers=headers).json
    converted = client.post(f"{API}/convert-format", json={"image_base64": compressed["image_base64"],
                                                           "target_format": "jpeg"}, headers=headers).json
    assert provenance.read(result_bytes(compressed)).source_type == TRAINED
    assert provenance.read(result_bytes(converted)).source_type == TRAINED
    assert converted["metadata"]["provenance"]["ai_system"] == "sandbox"


def test_provenance_off_writes_nothing(make_app):
    client, headers = signed_in(make_app(PROVENANCE="off"))
    response = client.post(f"{API}/create", json={"prompt": "a fox"}, headers=headers).json
    (result,) = response["results"]
    assert provenance.read(base64.b64decode(result["image_base64"])) is None
    assert result["metadata"]["provenance"] is None


def test_bad_provenance_settings_stop_start_up(make_app, tmp_path):
    with pytest.raises(ConfigError, match="PROVENANCE must be on or off"):
        make_app(PROVENANCE="maybe")
    with pytest.raises(ConfigError, match="must be set together"):
        make_app(C2PA_SIGN_CERT=str(tmp_path / "cert.pem"))
    with pytest.raises(ConfigError, match="Cannot read the C2PA signing files"):
        make_app(C2PA_SIGN_CERT=str(tmp_path / "cert.pem"), C2PA_SIGN_KEY=str(tmp_path / "key.pem"))


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Image Studio tests")])


def _certificate(subject, issuer, key, signer, *, ca: bool):
    now = datetime.datetime.now(datetime.UTC)
    usage = dict(digital_signature=not ca, content_commitment=False, key_encipherment=False,
                 data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                 encipher_only=False, decipher_only=False)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=7))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(**usage), critical=True))
    if not ca:
        builder = (builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()),
                                  critical=False))
    return builder.sign(signer, hashes.SHA256())


@pytest.fixture
def signing(tmp_path):
    """A throw-away CA and ES256 signing certificate, written as the two PEM files."""
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = _certificate(_name("Test CA"), _name("Test CA"), ca_key, ca_key, ca=True)
    leaf = _certificate(_name("Test signer"), ca.subject, key, ca_key, ca=False)
    cert, private = tmp_path / "chain.pem", tmp_path / "key.pem"
    cert.write_bytes(leaf.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return {"C2PA_SIGN_CERT": str(cert), "C2PA_SIGN_KEY": str(private)}


def test_a_certificate_that_cannot_sign_stops_start_up(make_app, signing, tmp_path):
    other = tmp_path / "other.pem"
    other.write_bytes(ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    with pytest.raises(ConfigError, match="C2PA_SIGN_CERT and C2PA_SIGN_KEY cannot sign"):
        make_app(**{**signing, "C2PA_SIGN_KEY": str(other)})


def manifest(data: bytes, mime: str) -> dict:
    with c2pa.Reader(mime, io.BytesIO(data)) as reader:
        assert reader.get_validation_state() in ("Valid", "Trusted")
        return reader.get_active_manifest()


def actions(active: dict) -> list[dict]:
    return [action for assertion in active["assertions"] if assertion["label"].startswith("c2pa.actions")
            for action in assertion["data"]["actions"]]


def test_a_signed_manifest_says_created_or_edited_with_the_source_type(make_app, signing):
    client, headers = signed_in(make_app(**signing))
    response = client.post(f"{API}/create", json={"prompt": "a fox", "output_format": "jpeg"}, headers=headers).json
    (result,) = response["results"]
    data = base64.b64decode(result["image_base64"])
    (action,) = actions(manifest(data, "image/jpeg"))
    assert action["action"] == "c2pa.created" and action["digitalSourceType"] == TRAINED
    assert provenance.read(data).source_type == TRAINED            # the XMP mark survives signing
    assert result["metadata"]["provenance"]["c2pa"] is True
    assert result["metadata"]["provenance"]["c2pa_action"] == "c2pa.created"
    edited = client.post(f"{API}/edit/process", json={"image_base64": upload(photograph("coffee")),
                                                      "operation": "remove_background"}, headers=headers).json
    created_then_edited = actions(manifest(result_bytes(edited), "image/png"))
    assert [a["action"] for a in created_then_edited] == ["c2pa.created", "c2pa.edited"]
    assert {a["digitalSourceType"] for a in created_then_edited} == {COMPOSITE}
    assert edited["metadata"]["provenance"]["c2pa_action"] == "c2pa.edited"


def test_a_signed_compress_result_still_fits_its_target(make_app, signing):
    client, headers = signed_in(make_app(**signing))
    marked = upload(photograph("astronaut"), "PNG", **provenance.save_options("PNG", provenance.Mark(TRAINED)))
    body = client.post(f"{API}/compress", json={"image_base64": marked, "format": "webp", "target_size_kb": 20},
                       headers=headers).json
    data = result_bytes(body)
    assert len(data) <= 20 * 1024
    assert actions(manifest(data, "image/webp"))[0]["digitalSourceType"] == TRAINED
