"""Marking what the studios deliver: the XMP AI mark, and a signed C2PA manifest when a
certificate is configured. The runner calls `Marker.apply` on every result it stores.

The manifest carries no thumbnail: it would add ~30 KB to every file (and to a compress
target) for a preview the image itself already is.
"""
from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass
from typing import Any

import c2pa
from flask import current_app
from PIL import Image

from app.config import ConfigError
from app.imaging import codec, provenance
from app.imaging.formats import OutputFormat
from app.imaging.provenance import Mark

log = logging.getLogger("image_studio.provenance")
CLAIM_GENERATOR = "Image Studio"


@dataclass(frozen=True)
class Credentials:
    """The PEM certificate chain (leaf first) and private key a manifest is signed with."""

    chain: bytes
    key: bytes
    algorithm: str = "es256"


class Marker:
    """Writes the mark of each result; with credentials, signs a C2PA manifest too."""

    def __init__(self, enabled: bool, credentials: Credentials | None = None):
        self.enabled = enabled
        self.credentials = credentials if enabled else None
        self._context = None
        self._overhead: dict[str, int] = {}
        if self.credentials is not None:
            settings = c2pa.Settings.from_json(json.dumps({"builder": {"thumbnail": {"enabled": False}}}))
            self._context = c2pa.Context(settings)

    def apply(self, data: bytes, output: OutputFormat, mark: Mark | None) -> tuple[bytes, dict[str, Any] | None]:
        """`data` marked as made by `mark` (None: nothing to mark), and what was written,
        for the result's `metadata.provenance`."""
        if mark is None or not self.enabled:
            return data, None
        written: dict[str, Any] = {**mark.describe(), "xmp": False, "c2pa": False}
        if provenance.read(data) is not None:
            written["xmp"] = True   # the encoder wrote it (compress, convert)
        elif output.xmp:
            spliced = provenance.embed(data, mark)
            if spliced is not None:
                data, written["xmp"] = spliced, True
        if self.credentials is not None:
            data, written["c2pa"] = self._sign(data, output, mark)
            if written["c2pa"]:
                written["c2pa_action"] = mark.action
        return data, written

    def _sign(self, data: bytes, output: OutputFormat, mark: Mark) -> tuple[bytes, bool]:
        """The file with a signed manifest; unsigned when the format cannot hold one (BMP) or
        signing fails (logged, never fatal to the result)."""
        if output.mime_type not in c2pa.Builder.get_supported_mime_types():
            return data, False
        try:
            return self._signed(data, output.mime_type, self._manifest(mark, output.extension)), True
        except c2pa.C2paError as error:
            log.warning("C2PA signing failed", extra={"error": str(error)[:300]})
            return data, False

    def check(self) -> None:
        """Sign a small PNG once at start-up: a certificate C2PA will not sign with (no key
        usage for signing, a key that does not match) stops the service, not each result."""
        sample = codec.encode(Image.new("RGB", (16, 16)), "png")
        try:
            self._signed(sample, "image/png", self._manifest(Mark(provenance.TRAINED), "png"))
        except c2pa.C2paError as error:
            raise ConfigError(f"C2PA_SIGN_CERT and C2PA_SIGN_KEY cannot sign: {str(error)[:200]}") from None

    def _signed(self, data: bytes, mime_type: str, manifest: dict[str, Any]) -> bytes:
        signed = io.BytesIO()
        signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(
            alg=self.credentials.algorithm.encode(), sign_cert=self.credentials.chain,
            private_key=self.credentials.key, ta_url=None))
        with signer, c2pa.Builder.from_json(manifest, self._context) as builder:
            builder.sign(signer, mime_type, io.BytesIO(data), signed)
        return signed.getvalue()

    @staticmethod
    def _manifest(mark: Mark, extension: str) -> dict[str, Any]:
        """The one action that made the image. C2PA requires the first action to be `created`
        (or `opened`, with the source as an ingredient, which we do not keep): an edit is this
        file created, then edited by AI."""
        agent = {"name": " / ".join(filter(None, (mark.provider, mark.model))) or CLAIM_GENERATOR}
        actions = [{"action": action, "digitalSourceType": mark.source_type, "softwareAgent": agent}
                   for action in dict.fromkeys(("c2pa.created", mark.action))]
        return {"claim_generator_info": [{"name": CLAIM_GENERATOR}], "title": f"image.{extension}",
                "assertions": [{"label": "c2pa.actions", "data": {"actions": actions}}]}

    def overhead(self, output: OutputFormat) -> int:
        """Bytes a signed manifest adds to a file of `output` (0 unsigned), measured once per
        format on a small image, with room for longer names: a compress target leaves this
        much, so the signed file still fits."""
        if self.credentials is None:
            return 0
        if output.name not in self._overhead:
            sample = codec.encode(Image.new("RGB", (16, 16)), output.name)
            mark = Mark(provenance.TRAINED, "x" * 64, "x" * 64)
            signed, done = self._sign(sample, output, mark)
            self._overhead[output.name] = len(signed) - len(sample) + 256 if done else 0
        return self._overhead[output.name]


def from_config(config: dict[str, Any]) -> Marker:
    """The app's Marker: PROVENANCE=off turns marking off; C2PA_SIGN_CERT and C2PA_SIGN_KEY
    (PEM files, both or neither) turn signing on. A missing or unreadable file stops start-up."""
    enabled = str(config.get("PROVENANCE", "on")).strip().lower() not in ("off", "0", "false", "no")
    cert, key = config.get("C2PA_SIGN_CERT"), config.get("C2PA_SIGN_KEY")
    if not enabled or not (cert or key):
        return Marker(enabled)
    if not (cert and key):
        raise ConfigError("C2PA_SIGN_CERT and C2PA_SIGN_KEY must be set together")
    try:
        with open(cert, "rb") as chain, open(key, "rb") as private:
            credentials = Credentials(chain.read(), private.read())
    except OSError as error:
        raise ConfigError(f"Cannot read the C2PA signing files: {error.strerror}") from None
    marker = Marker(True, credentials)
    marker.check()
    return marker


def marker() -> Marker:
    return current_app.extensions["provenance"]
