"""The AI mark: written into PNG, JPEG and WebP bytes without re-encoding, read back from any."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from app.imaging import provenance
from app.imaging.provenance import COMPOSITE, TRAINED, Mark
from tests.imaging.images import to_bytes
from tests.photos import photograph

MARK = Mark(TRAINED, "stability", "sd3.5-large")


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize("fmt, options, mode", [
    ("PNG", {}, "RGB"), ("PNG", {}, "RGBA"), ("JPEG", {}, "RGB"),
    ("WEBP", {}, "RGB"),                       # simple lossy: VP8
    ("WEBP", {"lossless": True}, "RGBA"),      # simple lossless: VP8L, with alpha
    ("WEBP", {}, "RGBA"),                      # extended: VP8X + ALPH
])
def test_embedding_keeps_every_pixel_and_readers_see_the_packet(fmt, options, mode):
    image = photograph("coffee").convert(mode).resize((301, 199))
    data = to_bytes(image, fmt, **options)
    marked = provenance.embed(data, MARK)
    assert provenance.read(data) is None and provenance.read(marked) == MARK
    out = decoded(marked)
    assert out.size == (301, 199) and out.mode == decoded(data).mode
    assert out.tobytes() == decoded(data).tobytes()            # not re-encoded
    assert b"trainedAlgorithmicMedia" in out.info["xmp"]       # Pillow finds it where readers look


def test_a_packet_names_the_source_type_and_the_ai_system():
    packet = provenance.packet(Mark(COMPOSITE, "wavespeed", 'model "with" <odd> chars'))
    assert b'Iptc4xmpExt:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/' \
           b'compositeWithTrainedAlgorithmicMedia"' in packet
    assert b'Iptc4xmpExt:AISystemUsed="wavespeed"' in packet and b"&lt;odd&gt;" in packet
    assert packet.startswith(b"<?xpacket begin=") and packet.endswith(b'<?xpacket end="r"?>')


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "AVIF", "TIFF"])
def test_encoders_write_the_mark_with_the_save_options(fmt):
    image = photograph("rocket").resize((120, 180))
    data = to_bytes(image, fmt, **provenance.save_options(fmt, MARK))
    assert provenance.read(data) == MARK and decoded(data).size == (120, 180)


def test_formats_without_xmp_get_no_options_and_no_splice():
    assert provenance.save_options("GIF", MARK) == {} and provenance.save_options("BMP", MARK) == {}
    assert provenance.embed(to_bytes(Image.new("RGB", (8, 8)), "GIF"), MARK) is None


def test_only_ai_work_is_marked():
    assert provenance.for_request("generate", "sandbox", "sandbox").source_type == TRAINED
    for kind in ("edit", "control", "upscale"):
        assert provenance.for_request(kind, "stability", None).source_type == COMPOSITE
    assert provenance.for_request("upscale", "local", None) is None
    assert provenance.for_request("social", "local", None) is None
    assert MARK.action == "c2pa.created" and Mark(COMPOSITE).action == "c2pa.edited"


def test_a_mark_from_another_tool_is_read_but_not_anything_that_looks_like_one():
    other = (b'<x:xmpmeta><rdf:Description><Iptc4xmpExt:DigitalSourceType rdf:resource='
             b'"http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"/>'
             b'</rdf:Description></x:xmpmeta>')
    assert provenance.read(b"\x89PNG...." + other).source_type == TRAINED
    assert provenance.read(b'DigitalSourceType="http://example.com/evil"') is None
