"""Render one upload into many platform formats: the Flask-free core of the Social Optimizer.

The work is shaped by what costs time (see the performance reference): the upload is
decoded once, at the smallest JPEG DCT scale that still covers every target, while a JPEG's
⅛-scale copy is analysed (faces, saliency) on the other core; each output is resampled
straight from a crop box (no crop copies), after an integer reduce shared by the formats
that need the same factor; identical outputs (e.g. several 1080×1920 stories) are rendered
once; and two threads render the largest outputs first, since Pillow releases the GIL while
resizing and compressing.
"""
from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field, replace
from typing import Any

from PIL import Image

from app.admission import admission, submit_in_scope
from app.errors import ValidationFailed
from app.imaging import codec, faces, geometry, saliency
from app.imaging.brand import Brand
from app.imaging.encode import Encoded, encode_capped
from app.imaging.formats import ALIASES
from app.imaging.overlay import draw_safe_zones

CROP_MODES = ("smart", "center", "fit")
OUTPUT_FORMATS = ("png", "jpeg", "webp")  # what encode_capped can fit under a byte cap
WORKERS = 2
# Social renditions are downscales that platforms recompress anyway: BICUBIC with
# reducing_gap 1.0 stays above 42 dB PSNR against an exact LANCZOS and costs ~26% less.
SOCIAL_RESAMPLE = Image.Resampling.BICUBIC
UPSCALE_TOLERANCE = 1.02   # enlarging by 2% or less is not worth a warning


@dataclass(frozen=True)
class Target:
    """One output to produce: a platform format and its byte cap."""

    platform: str
    format: str
    width: int
    height: int
    ratio: str
    safe_zone: Mapping[str, float]
    max_bytes: int | None = None

    @classmethod
    def from_format(cls, platform: str, fmt: Mapping, platform_max_bytes: int | None) -> Target:
        """Build from a platforms.json format; the cap is the smaller of format and platform."""
        caps = [int(fmt["max_size_mb"] * 1024 * 1024)] if fmt.get("max_size_mb") else []
        caps += [platform_max_bytes] if platform_max_bytes else []
        return cls(platform, fmt["name"], fmt["width"], fmt["height"], fmt["ratio"],
                   dict(fmt["safe_zone"]), min(caps) if caps else None)


@dataclass
class Rendition:
    """One rendered output, ready to be stored or returned as a data URL."""

    platform: str
    format: str
    width: int
    height: int
    ratio: str
    safe_zone: Mapping[str, float]
    mime_type: str
    data: bytes
    size_bytes: int
    notes: list[str] = field(default_factory=list)
    crop_box: Mapping[str, float] | None = None


FocalPoints = Mapping[tuple[str, str], tuple[float, float]]   # (platform, format lower-cased)


def focal_key(platform: str, format_name: str) -> tuple[str, str]:
    """How `focal_points` names a format: the platform and the format name, any case."""
    return (platform.strip().lower(), format_name.strip().lower())


class Source:
    """One upload decoded once, at the smallest scale every target needs, with its saliency
    analysed: it renders any target, and an output identical to one already rendered (e.g.
    several 1080×1920 stories with one crop) is rendered once, even when asked for from two
    threads."""

    def __init__(self, image: Image.Image | None, fmt: str, crop_mode: str,
                 focal_point: tuple[float, float] | None, show_safe_zones: bool,
                 fill: tuple[int, int, int] | str | None, salient: saliency.Saliency | None,
                 brand: Brand | None = None, original_size: tuple[int, int] | None = None,
                 focal_points: FocalPoints | None = None):
        self.image, self.fmt, self.crop_mode = image, fmt, crop_mode
        self.original_size = original_size or image.size   # as uploaded, before any decode scale
        self.focal_point, self.show_safe_zones, self.fill = focal_point, show_safe_zones, fill
        self.focal_points = dict(focal_points or {})
        self.salient, self.brand = salient, brand
        self._lock = threading.Lock()
        self._made: dict[tuple, Future] = {}

    def render(self, target: Target) -> tuple[bytes, dict[str, Any]]:
        """The encoded bytes of `target` and its metadata: what size capping did (`notes`)
        and the part of the upload it shows (`crop_box`, fractions) — the Renderer protocol."""
        if self.image is None:
            raise RuntimeError("This upload was only checked (prepare with decode=False): it renders nothing")
        encoded = self._once(("render", *self._key(target)), lambda: self._render(target))
        return encoded.data, {"notes": list(encoded.notes), "crop_box": self.crop_box(target)}

    def _once(self, key: tuple, make: Callable[[], Any]) -> Any:
        """`make()`, run once per key however many threads ask at once; the others wait for it."""
        with self._lock:
            future = self._made.get(key)
            owner = future is None
            if owner:
                future = self._made[key] = Future()
        if owner:
            try:
                future.set_result(make())
            except BaseException as error:
                future.set_exception(error)
                raise
        return future.result()

    def _resampled(self, size: tuple[int, int], box: geometry.Box) -> Image.Image:
        """`box` resized to `size`. The integer box-filter step of the resize (`reduce`) is done
        once per factor on the whole image and shared: several formats of one upload use the
        same factor, and reducing each one's window apart cost ~14% more render time."""
        factor = geometry.reduction(size, box)
        if factor == (1, 1):
            return geometry.resample(self.image, size, box, SOCIAL_RESAMPLE)
        reduced = self._once(("reduced", *factor), lambda: self.image.reduce(factor))
        left, top, right, bottom = box
        shrunk = (left / factor[0], top / factor[1], min(right / factor[0], reduced.width),
                  min(bottom / factor[1], reduced.height))
        return reduced.resize(size, SOCIAL_RESAMPLE, box=shrunk)

    def crop_box(self, target: Target) -> dict[str, float]:
        """The window of the upload this target shows, as fractions {x, y, width, height}
        (the whole image for `fit`): what the page draws on the source and lets the user drag."""
        if self.crop_mode == "fit":
            return {"x": 0.0, "y": 0.0, "width": 1.0, "height": 1.0}
        width, height = self.image.size
        left, top, right, bottom = self._window(target)
        return {"x": round(left / width, 4), "y": round(top / height, 4),
                "width": round((right - left) / width, 4), "height": round((bottom - top) / height, 4)}

    def _key(self, target: Target) -> tuple:
        zone = tuple(sorted(target.safe_zone.items())) if self.show_safe_zones or self.brand else None
        return (target.width, target.height, zone, target.max_bytes, self._window(target))

    def _window(self, target: Target) -> geometry.Box:
        """The crop window of `target` in decoded pixels, searched once per format and reused
        for its render key, its render and its `crop_box`."""
        return self._once(("window", target.width, target.height, focal_key(target.platform, target.format)),
                          lambda: geometry.cover_box(*self.image.size, target.width, target.height,
                                                     self._center(target)))

    def _center(self, target: Target) -> tuple[float, float] | None:
        """Where the crop is centred, in decoded pixels: this format's focal point, else the
        request's, else the saliency's choice (smart); None is the centre."""
        if self.crop_mode != "smart":
            return None
        point = self.focal_points.get(focal_key(target.platform, target.format), self.focal_point)
        if point is not None:
            return (point[0] * self.image.width, point[1] * self.image.height)
        return self.salient.center_for(target.width, target.height) if self.salient is not None else None

    def _render(self, target: Target) -> Encoded:
        with admission.slot():   # only the thread that renders holds one, not those waiting for it
            return self._rendered(target)

    def _rendered(self, target: Target) -> Encoded:
        size = (target.width, target.height)
        if self.crop_mode == "fit":
            out = geometry.fit_contain(self.image, *size, self.fill)
        else:
            out = self._resampled(size, self._window(target))
        enlarged = self._enlargement(target)
        if self.brand is not None:
            out = self.brand.draw(out, target.safe_zone)
        if self.show_safe_zones:
            out = draw_safe_zones(out, target.safe_zone)
        encoded = encode_capped(out, self.fmt, target.max_bytes)
        return replace(encoded, notes=enlarged + encoded.notes)

    def _enlargement(self, target: Target) -> list[str]:
        """A note when this format needs more pixels than the upload has for it: the part of
        the source it shows, in uploaded pixels, is smaller than the output, so it is enlarged
        (and may look soft)."""
        width, height = self.original_size
        if self.crop_mode == "fit":
            scale = min(target.width / width, target.height / height)
            shown = f"{width}×{height} px"
        else:
            scale = geometry.cover_scale(width, height, target.width, target.height)
            shown = f"{round(target.width / scale)}×{round(target.height / scale)} px"
        if scale <= UPSCALE_TOLERANCE:
            return []
        return [f"Enlarged ×{scale:.2f}: the upload has {shown} for this {target.width}×{target.height} "
                "format, so it may look soft; upload a larger image for a sharp result"]


def prepare(data: bytes, targets: Sequence[Target], *, crop_mode: str = "smart",
            focal_point: tuple[float, float] | None = None, show_safe_zones: bool = False,
            output_format: str = "png", background: str = "white",
            max_pixels: int = 40_000_000, brand: Brand | None = None,
            focal_points: FocalPoints | None = None, decode: bool = True) -> Source:
    """Decode `data` (an encoded image) once for all `targets` (only checked when none).

    crop_mode: "smart" (focal point if given, else saliency), "center", or "fit"
    (letterbox on `background`: "white", "black", "blur" or "#rrggbb"). focal_point is
    (x, y) as fractions of the image; focal_points, by `focal_key`, override it per format.
    `decode=False` refuses exactly what a decode would, at a fraction of its cost, and keeps
    no pixels: for a job's submission, whose worker prepares the upload again to render it
    (a 27 MP JPEG is checked at ⅛ scale with no analysis). That Source renders nothing.
    Raises ValidationFailed / PayloadTooLarge from codec and for bad options.
    """
    fmt = _check_options(crop_mode, focal_point, output_format)
    fill = geometry.parse_background(background) if crop_mode == "fit" else None
    image = codec.open_image(data, max_pixels=max_pixels)
    original = codec.display_size(image)
    salient = None
    if targets and not decode:
        with admission.slot(), closing(image):
            codec.check_decodes(image)
        image = None
    elif targets:
        width, height = original
        scale = min(1.0, max(_needed_scale(width, height, t, crop_mode) for t in targets))
        codec.draft(image, math.ceil(width * scale), math.ceil(height * scale))
        pointed = focal_points or {}
        wanted = crop_mode == "smart" and focal_point is None and any(
            focal_key(t.platform, t.format) not in pointed for t in targets)
        with admission.slot():
            image, salient = _decode(data, image, analyse=wanted, max_pixels=max_pixels)
    return Source(image, fmt, crop_mode, focal_point, show_safe_zones, fill, salient, brand,
                  original_size=original, focal_points=focal_points)


def _decode(data: bytes, image: Image.Image, *, analyse: bool,
            max_pixels: int) -> tuple[Image.Image, saliency.Saliency | None]:
    """`image` decoded and, when asked, analysed. A JPEG is analysed beside its decode, on a
    copy libjpeg decodes at ⅛ scale: the second core works while the first decodes (12 MP:
    ~70 ms for the decode, ~43 ms for the copy and its analysis; 27 MP at ½: ~105 ms each),
    and no full-size raster is downscaled for it.
    Other formats have no cheap small decode, so their raster is analysed once decoded. The
    helper thread is part of this request's admitted work: it holds no slot of its own."""
    if not analyse:
        return codec.normalize(image), None
    if not codec.scales_on_load(image):
        image = codec.normalize(image)
        return image, saliency.analyse(image)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="saliency") as pool:
        early = pool.submit(_analyse_small_copy, data, max_pixels)
        image = codec.normalize(image)
        return image, early.result().scaled_to(image.size)


def _analyse_small_copy(data: bytes, max_pixels: int) -> saliency.Saliency:
    small = codec.open_image(data, max_pixels=max_pixels)
    width, height = codec.display_size(small)
    scale = faces.DETECT_SIDE / max(width, height)
    codec.draft(small, math.ceil(width * scale), math.ceil(height * scale))
    return saliency.analyse(codec.normalize(small))


def render_social(data: bytes, targets: Sequence[Target], **options) -> list[Rendition]:
    """Render `data` into every target, in the order given (options as `prepare`): the
    largest outputs first on WORKERS threads, since Pillow releases the GIL while resizing
    and compressing."""
    source = prepare(data, targets, **options)
    if not targets:
        return []
    order = sorted(range(len(targets)), key=lambda i: -targets[i].width * targets[i].height)
    with ThreadPoolExecutor(max_workers=min(WORKERS, len(targets))) as pool:
        futures = [submit_in_scope(pool, source.render, targets[i]) for i in order]
        done = dict(zip(order, (future.result() for future in futures), strict=True))
    return [Rendition(t.platform, t.format, t.width, t.height, t.ratio, t.safe_zone,
                      codec.sniff_mime(done[i][0]), done[i][0], len(done[i][0]), done[i][1]["notes"],
                      done[i][1]["crop_box"])
            for i, t in enumerate(targets)]


def _needed_scale(width: int, height: int, target: Target, crop_mode: str) -> float:
    """Smallest source scale that still gives this target full resolution."""
    if crop_mode == "fit":
        return min(target.width / width, target.height / height)
    return geometry.cover_scale(width, height, target.width, target.height)


def _check_options(crop_mode: str, focal_point: tuple[float, float] | None,
                   output_format: str) -> str:
    """Validate the options before any decoding; return the canonical output format."""
    if crop_mode not in CROP_MODES:
        raise ValidationFailed(f"Invalid crop_mode: {crop_mode} (use smart, center or fit)")
    fmt = ALIASES.get((output_format or "").lower(), (output_format or "").lower())
    if fmt not in OUTPUT_FORMATS:
        raise ValidationFailed(f"Invalid output_format: {output_format} (use png, jpg or webp)")
    if focal_point is not None:
        try:
            valid = len(focal_point) == 2 and all(0.0 <= float(v) <= 1.0 for v in focal_point)
        except (TypeError, ValueError):
            valid = False
        if not valid:
            raise ValidationFailed("focal_point x and y must be numbers between 0 and 1")
    return fmt
