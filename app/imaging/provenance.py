"""The AI mark: the IPTC digital source type in an XMP packet, read and written on bytes.

Platforms (Meta, LinkedIn, Google) label AI images by the IPTC `DigitalSourceType` in XMP.
A provider's PNG, JPEG or WebP is marked by splicing the packet into the file, not by
re-encoding it (no generation loss, microseconds instead of a full encode); encoders that
write a file anyway (compress, convert) take the packet as a save option instead, so a
target size counts it. Reading is a scan of the bytes for the packet, whatever the format.
"""
from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from PIL import PngImagePlugin

NEWSCODES = "http://cv.iptc.org/newscodes/digitalsourcetype/"
TRAINED = NEWSCODES + "trainedAlgorithmicMedia"
COMPOSITE = NEWSCODES + "compositeWithTrainedAlgorithmicMedia"
XMP_NAMESPACE = b"http://ns.adobe.com/xap/1.0/\x00"   # the JPEG APP1 marker of an XMP packet
PNG_KEYWORD = "XML:com.adobe.xmp"
_SOURCE_TYPE = re.compile(rb"DigitalSourceType(?:=\"|>|\s+rdf:resource=\")(" +
                          re.escape(NEWSCODES.encode()) + rb"[A-Za-z]{1,64})")
_FIELD = {name: re.compile(rb"Iptc4xmpExt:" + name.encode() + rb"=\"([^\"<>]{0,200})\"")
          for name in ("AISystemUsed", "AISystemVersionUsed")}
_UNMARKED_PROVIDERS = ("local",)   # in-process work changes no picture content with AI
_AI_KINDS = {"generate": TRAINED, "edit": COMPOSITE, "control": COMPOSITE, "upscale": COMPOSITE}


@dataclass(frozen=True)
class Mark:
    """What made an image: the IPTC source type, and the provider and model behind it."""

    source_type: str
    provider: str | None = None
    model: str | None = None

    @property
    def action(self) -> str:
        """The C2PA action: a picture made from nothing is created, anything else edited."""
        return "c2pa.created" if self.source_type == TRAINED else "c2pa.edited"

    def describe(self) -> dict[str, Any]:
        return {"digital_source_type": self.source_type, "ai_system": self.provider,
                "ai_model": self.model}


def for_request(kind: str, provider: str, model: str | None) -> Mark | None:
    """The mark a provider's result of `kind` carries; None for in-process work."""
    source_type = _AI_KINDS.get(kind)
    if source_type is None or provider in _UNMARKED_PROVIDERS:
        return None
    return Mark(source_type, provider, model)


def read(data: bytes) -> Mark | None:
    """The mark an encoded image carries (a packet of ours or any other tool's), or None."""
    found = _SOURCE_TYPE.search(data)
    if found is None:
        return None
    fields = {name: pattern.search(data) for name, pattern in _FIELD.items()}
    values = {name: match.group(1).decode("utf-8", "replace") if match else None
              for name, match in fields.items()}
    return Mark(found.group(1).decode("ascii"), values["AISystemUsed"], values["AISystemVersionUsed"])


def packet(mark: Mark) -> bytes:
    """A complete XMP packet with the source type, the AI system and its version."""
    extra = "".join(f" Iptc4xmpExt:{name}={quoteattr(value)}" for name, value in
                    (("AISystemUsed", mark.provider), ("AISystemVersionUsed", mark.model)) if value)
    return ("<?xpacket begin=\"\ufeff\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>"
            "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">"
            "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">"
            "<rdf:Description rdf:about=\"\" "
            "xmlns:Iptc4xmpExt=\"http://iptc.org/std/Iptc4xmpExt/2008-02-29/\" "
            f"Iptc4xmpExt:DigitalSourceType={quoteattr(mark.source_type)}{extra}>"
            f"<Iptc4xmpExt:DigitalSourceType>{escape(mark.source_type)}</Iptc4xmpExt:DigitalSourceType>"
            "</rdf:Description></rdf:RDF></x:xmpmeta>"
            "<?xpacket end=\"r\"?>").encode()


def save_options(pillow_format: str, mark: Mark | None) -> dict[str, Any]:
    """Pillow save options that write `mark` while encoding ({} for formats without XMP)."""
    if mark is None:
        return {}
    xmp = packet(mark)
    if pillow_format == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_itxt(PNG_KEYWORD, xmp.decode("utf-8"), zip=False)
        return {"pnginfo": info}
    if pillow_format == "TIFF":
        return {"tiffinfo": {700: xmp}}
    if pillow_format in ("JPEG", "WEBP", "AVIF"):
        return {"xmp": xmp}
    return {}


def embed(data: bytes, mark: Mark) -> bytes | None:
    """`data` with the packet spliced in (PNG, JPEG, WebP); None for any other format."""
    xmp = packet(mark)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _png(data, xmp)
    if data.startswith(b"\xff\xd8"):
        return _jpeg(data, xmp)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp(data, xmp)
    return None


def _png(data: bytes, xmp: bytes) -> bytes:
    """An uncompressed iTXt chunk straight after IHDR (8-byte signature + 25-byte IHDR)."""
    body = PNG_KEYWORD.encode("latin-1") + b"\x00\x00\x00\x00\x00" + xmp
    chunk = struct.pack(">I", len(body)) + b"iTXt" + body + struct.pack(">I", zlib.crc32(b"iTXt" + body))
    return data[:33] + chunk + data[33:]


def _jpeg(data: bytes, xmp: bytes) -> bytes:
    """An APP1 XMP segment after SOI and any APP0 (JFIF) segment, where readers look."""
    at = 2
    if data[2:4] == b"\xff\xe0":
        at = 4 + struct.unpack(">H", data[4:6])[0]
    payload = XMP_NAMESPACE + xmp
    return data[:at] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + data[at:]


def _webp(data: bytes, xmp: bytes) -> bytes:
    """An `XMP ` chunk at the end and its flag in VP8X; a simple (VP8/VP8L) file first gets
    the VP8X header it needs, with the canvas size read from its bitstream."""
    chunks = data[12:]
    if chunks[:4] == b"VP8X":
        flags = chunks[8] | 0x04
        chunks = chunks[:8] + bytes([flags]) + chunks[9:]
    else:
        width, height, alpha = _webp_canvas(chunks)
        header = bytes([0x04 | (0x10 if alpha else 0), 0, 0, 0]) + (width - 1).to_bytes(3, "little") + \
            (height - 1).to_bytes(3, "little")
        chunks = b"VP8X" + struct.pack("<I", 10) + header + chunks
    xmp_chunk = b"XMP " + struct.pack("<I", len(xmp)) + xmp + (b"\x00" if len(xmp) % 2 else b"")
    chunks += xmp_chunk
    return b"RIFF" + struct.pack("<I", len(chunks) + 4) + b"WEBP" + chunks


def _webp_canvas(chunks: bytes) -> tuple[int, int, bool]:
    """Canvas size and alpha of a simple WebP: VP8 keeps 14-bit sides after its start code
    (and has no alpha); VP8L packs both sides (minus one) and an alpha bit into the 32 bits
    after its signature byte."""
    if chunks[:4] == b"VP8 ":
        width, height = struct.unpack("<HH", chunks[14:18])
        return width & 0x3FFF, height & 0x3FFF, False
    bits = int.from_bytes(chunks[9:13], "little")
    return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, bool(bits >> 28 & 1)
