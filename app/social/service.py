"""Social Optimizer: one upload rendered into each chosen platform format, within its limits.

The request is checked cheapest first (platform and format names, then the image bytes),
the image is decoded once (`pipeline.prepare`), and each format is one item for the studio
runner, rendered by the in-process `local` provider (0 credits) and stored as it is done.
"""
from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from PIL import Image

from app.assets.service import asset_bytes
from app.catalog import platforms as catalog
from app.create.personas import get_persona
from app.errors import ValidationFailed
from app.imaging import codec, formats, provenance
from app.imaging.brand import Brand
from app.imaging.provenance import Mark
from app.providers.base import RenderRequest
from app.social.pipeline import WORKERS, FocalPoints, Rendition, Source, Target, focal_key, prepare, render_social
from app.studio import execution, runner
from app.studio.inputs import image_bytes, lineage, resolve_assets
from app.studio.options import plan_routes
from app.studio.provenance import marker
from app.zipstream import stream_zip

MIB = 1024 * 1024
MISSING_IMAGE = "image_base64 is required: send the image as base64 or a data URL"


@dataclass
class SocialResult(runner.Delivered):
    """One rendition: the delivered image and the platform format it was made for."""

    target: Target | None = None
    image_base64: str = ""  # a data URL, encoded once where renditions share their bytes


@dataclass
class Optimized:
    """Every rendition of one request, and the listed platforms that have no formats."""

    results: list[SocialResult]
    skipped: list[str] = field(default_factory=list)
    success = True

    @property
    def total_optimized(self) -> int:
        return len(self.results)


def file_stem(platform: str, format_name: str) -> str:
    """`instagram_feed_post_square`: the platform and the slugified format name."""
    slug = re.sub(r"[^a-z0-9]+", "_", format_name.lower()).strip("_")
    return f"{platform}_{slug}"


def optimize(user_id: int, args: MutableMapping[str, Any]) -> Optimized:
    """Render the request's image into every chosen format and keep each result.

    Raises ValidationFailed (unknown platform or format, bad image) and PayloadTooLarge
    (image over MAX_IMAGE_MB or MAX_IMAGE_PIXELS).
    """
    targets, skipped = _targets(args)
    args = resolve_assets(user_id, args)
    source, mark = _decoded(user_id, args, targets)
    if not targets:
        return Optimized([], skipped)
    fmt = formats.output_format(source.fmt)
    details = {**lineage(args), "crop_mode": args.get("crop_mode", "smart"), "focal_point": args.get("focal_point"),
               "focal_points": args.get("focal_points") or None,
               "brand_overlay": args.get("brand_overlay"),
               "show_safe_zones": args.get("show_safe_zones", False)}
    items = [runner.Item(RenderRequest(source, t), (t.width, t.height),
                         {**details, "platform": t.platform, "format": t.format},
                         name=file_stem(t.platform, t.format), weight=t.width * t.height, mark=mark)
             for t in targets]
    plan = runner.Plan("social", "optimize", plan_routes("social", "optimize", "local", None),
                       items, fmt, "Social optimization failed", workers=WORKERS)
    results = runner.run(user_id, plan)
    failed = [r for r in results if not isinstance(r, runner.Delivered)]
    if failed:
        raise runner.first_failure(failed, plan.failure)
    return Optimized(_describe(targets, results), skipped)


def archive(user_id: int, args: MutableMapping[str, Any]) -> Iterator[bytes]:
    """A ZIP of the renditions named `<platform>_<format>.<ext>`, streamed and not kept in
    the library (the page asks for it after a run whose results are already there); each
    keeps the upload's AI mark, as the stored renditions do."""
    targets, _ = _targets(args)
    args = resolve_assets(user_id, args)
    data = _image(args)
    mark = provenance.read(data)
    renditions = render_social(data, targets, **_options(user_id, args, targets))
    marking = marker()   # the entries are written while the response streams, outside the app

    def marked(rendition: Rendition) -> bytes:
        return marking.apply(rendition.data, formats.BY_MIME[rendition.mime_type], mark)[0]
    return stream_zip((file_name(r), lambda r=r: marked(r)) for r in renditions)


def file_name(rendition: Rendition) -> str:
    return f"{file_stem(rendition.platform, rendition.format)}.{formats.extension(rendition.mime_type)}"


def _targets(args: Mapping[str, Any]) -> tuple[list[Target], list[str]]:
    return plan_targets(args["platforms"], args.get("format_names") or {},
                        all_formats=args.get("all_formats", False))


def _decoded(user_id: int, args: dict[str, Any], targets: Sequence[Target]) -> tuple[Source, Mark | None]:
    """The upload decoded once for `targets`, and its AI mark. Neither its text (taken out of
    the resolved `args`) nor its encoded bytes outlive this call: a 27 MP JPEG's 13 MB of
    base64 and 9.6 MB of JPEG need not stay alive beside its raster while it renders.
    A job's submission only checks it: the job's run reads its mark and decodes it for the
    renders."""
    data = _image(args)
    options = _options(user_id, args, targets)
    if execution.deferring():
        return prepare(data, targets, **options, decode=False), None
    return prepare(data, targets, **options), provenance.read(data)


def _image(args: dict[str, Any]) -> bytes:
    """The upload's bytes (an `image_asset_id` already resolved into them by resolve_assets),
    its text taken out of the resolved `args` as it is decoded."""
    return image_bytes(args.pop("image_base64", None), missing=MISSING_IMAGE)


def _options(user_id: int, args: Mapping[str, Any], targets: Sequence[Target]) -> dict[str, Any]:
    return {"brand": _brand(user_id, args.get("brand_overlay")),
            "crop_mode": args.get("crop_mode", "smart"), "focal_point": args.get("focal_point"),
            "focal_points": _focal_points(args.get("focal_points") or {}, targets),
            "show_safe_zones": args.get("show_safe_zones", False),
            "output_format": args.get("output_format", "png"),
            "background": args.get("background", "white"),
            "max_pixels": current_app.config["MAX_IMAGE_PIXELS"]}


def _focal_points(points: Mapping[str, tuple[float, float]], targets: Sequence[Target]) -> FocalPoints:
    """`{"platform/Format name": (x, y)}` keyed for the pipeline; a key naming no requested
    format is a 400 that lists the keys this request has."""
    requested = {focal_key(t.platform, t.format): f"{t.platform}/{t.format}" for t in targets}
    chosen = {}
    for name, point in points.items():
        platform, _, format_name = name.partition("/")
        key = focal_key(platform, format_name)
        if key not in requested:
            _reject("focal_points", f"focal_points names {name}, which this request does not make "
                                    f"(its formats: {', '.join(requested.values())})")
        chosen[key] = point
    return chosen


def _brand(user_id: int, overlay: Mapping[str, Any] | None) -> Brand | None:
    """The persona's logo, texts and colours for `brand_overlay` (404 for another user's
    persona; 400 when there would be nothing to draw)."""
    if not overlay:
        return None
    persona = get_persona(user_id, overlay["persona_id"])
    if not (persona.logo_asset_id or overlay.get("headline") or overlay.get("cta")):
        _reject("brand_overlay", f"Persona {persona.name} has no logo: add one, or give a headline or cta")
    logo = None
    if persona.logo_asset_id:
        with Image.open(io.BytesIO(asset_bytes(user_id, persona.logo_asset_id)[1])) as opened:
            logo = codec.normalize(opened).convert("RGBA")
    return Brand(logo, overlay.get("position") or "bottom-right", overlay.get("size") or 0.15,
                 overlay.get("headline"), overlay.get("cta"), list(persona.color_palette or []), persona.font)


def _describe(targets: Sequence[Target], results: Sequence[runner.Delivered]) -> list[SocialResult]:
    """Each result with its data URL, encoded once where outputs are shared."""
    encoded: dict[int, str] = {}
    for done in results:
        if id(done.data) not in encoded:
            encoded[id(done.data)] = codec.data_url(done.data)
    return [SocialResult(**vars(done), target=target, image_base64=encoded[id(done.data)])
            for target, done in zip(targets, results, strict=True)]


def plan_targets(platforms: Sequence[str], format_names: Mapping[str, Sequence[str] | None], *,
                 all_formats: bool = False) -> tuple[list[Target], list[str]]:
    """The outputs a request asks for, in request order, and the platforms without formats.

    Unknown platforms are a 400 listing all of them; an unknown format name is a 400
    listing the platform's valid names. No entry in format_names: the first format.
    """
    known = catalog.platform_names()
    unknown = [name for name in platforms if (name or "").strip().lower() not in known]
    if unknown:
        _reject("platforms", f"Unknown platform{'s' if len(unknown) > 1 else ''}: "
                             f"{', '.join(map(str, unknown))} (choose from {', '.join(known)})")
    names = _names_by_platform(format_names, known)
    targets: list[Target] = []
    skipped: list[str] = []
    for platform in dict.fromkeys(name.strip().lower() for name in platforms):
        formats = catalog.formats_for(platform)
        if not formats:
            skipped.append(platform)
            continue
        chosen = formats if all_formats else _choose(platform, formats, names.get(platform))
        cap = catalog.max_file_bytes(platform)
        targets += [Target.from_format(platform, fmt, cap) for fmt in chosen]
    return targets, skipped


def _names_by_platform(format_names: Mapping[str, Sequence[str] | None],
                       known: list[str]) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for key, value in format_names.items():
        platform = key.strip().lower()
        if platform not in known:
            _reject("format_names", f"Unknown platform in format_names: {key}")
        names.setdefault(platform, []).extend(value or [])
    return names


def _choose(platform: str, formats: list[dict], wanted: list[str] | None) -> list[dict]:
    """The formats named (case-insensitively, in the order named), else the first one."""
    if not wanted:
        return formats[:1]
    by_name = {fmt["name"].lower(): fmt for fmt in formats}
    chosen: dict[str, dict] = {}
    for name in wanted:
        fmt = by_name.get(name.strip().lower())
        if fmt is None:
            valid = ", ".join(f["name"] for f in formats)
            _reject("format_names", f"Unknown format for {platform}: {name} (valid names: {valid})")
        chosen.setdefault(fmt["name"], fmt)
    return list(chosen.values())


def _reject(field_name: str, message: str) -> None:
    raise ValidationFailed(message, errors={field_name: [message]})


def page_options() -> dict[str, Any]:
    """The platforms the page offers (those with formats), with their display names and
    formats, written into the page: ticking a platform shows its formats at once, with no
    request whose answer would later push the list down under the pointer."""
    offered = [{"key": name, "name": catalog.specs_for(name)["name"], "formats": catalog.formats_for(name)}
               for name in catalog.platform_names() if catalog.formats_for(name)]
    return {"platforms": offered}
