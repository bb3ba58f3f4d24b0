"""Batch campaigns: many Create requests in one job, each image also sized for social.

A campaign is only ever a job. Submission reserves every item's Create credits up front
(the same runner path as one Create, item after item, so the balance check is cumulative)
and checks the social formats; the worker then makes the items in order, renders each
image into the formats as it arrives (in-process, 0 credits, reserved as it runs) and lists
every image with its item's index. One failed item does not end the campaign.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from app.create.service import Variation, generate
from app.credits.service import refund_job
from app.errors import AppError, InsufficientCredits
from app.social.service import Optimized, optimize, plan_targets
from app.studio import execution


def _targets(social: Mapping[str, Any] | None) -> int:
    """How many renditions each image gets (a 400 for an unknown platform or format)."""
    if not social:
        return 0
    targets, _ = plan_targets(social["platforms"], social.get("format_names") or {},
                              all_formats=social.get("all_formats", False))
    return len(targets)


def reserve(job_id: str, user_id: int, spec: Mapping[str, Any]) -> tuple[list[dict[str, Any]], int]:
    """Every item's reservation, in item order, and the images the campaign will make."""
    per_image = _targets(spec.get("social"))
    records, total = [], 0
    try:
        for deferred in _submitted(execution.Execution(job_id, defer=True), user_id, spec):
            records.append(deferred.record())
            total += deferred.total * (1 + per_image)
    except BaseException:
        refund_job(job_id, "refunded: the campaign was refused")
        raise
    return records, total


def estimate(user_id: int, spec: Mapping[str, Any]) -> dict[str, Any]:
    """What the campaign will cost and make, priced exactly as submission reserves it."""
    per_image = _targets(spec.get("social"))
    items = [{"index": index, "images": deferred.total, "renditions": deferred.total * per_image,
              "credits": round(deferred.credits, 6)}
             for index, deferred in enumerate(_submitted(execution.Execution(
                 "estimate", defer=True, dry=True), user_id, spec), 1)]
    return {"items": items, "total_images": sum(i["images"] + i["renditions"] for i in items),
            "total_credits": round(sum(i["credits"] for i in items), 6)}


def _submitted(run: execution.Execution, user_id: int,
               spec: Mapping[str, Any]) -> Iterator[execution.Deferred]:
    """Each item's Create taken as far as submission goes. A refusal names its item, as the
    schema's own errors do ("item 2: Template not found: nope"); a short balance is the
    campaign's, not one item's."""
    for index, item in enumerate(spec["items"], 1):
        try:
            with execution.running(run):
                generate(user_id, item)
        except execution.Deferred as deferred:
            yield deferred
        except InsufficientCredits:
            raise
        except AppError as error:
            error.detail = f"item {index}: {error.detail}"
            error.args = (error.detail,)
            error.errors = {"items": [error.detail]}
            raise


def run(user_id: int, spec: Mapping[str, Any]) -> dict[str, Any]:
    """Make every item (a worker's call); failed items are reported, not raised."""
    job = execution.current()
    social = spec.get("social")
    items: list[dict[str, Any]] = []
    for index, item in enumerate(spec["items"], 1):
        if job is not None and job.stop.is_set():
            break
        try:
            created = generate(user_id, item)
        except AppError as error:
            items.append({"index": index, "prompt": item.prompt, "success": False,
                          "error": error.detail, "images": []})
            continue
        items.append({"index": index, "prompt": item.prompt, "success": True,
                      "images": [_image(user_id, index, result, social) for result in created.results]})
    images = [image for item in items for image in item["images"]]
    made = [image for image in images if image["success"]]
    return {"success": True, "items": items, "images": images,
            "total_images": len(made), "total_renditions": sum(len(i.get("renditions", [])) for i in made),
            "total_failed": len(images) - len(made) + sum(not item["success"] for item in items)}


def _image(user_id: int, index: int, result: Any, social: Mapping[str, Any] | None) -> dict[str, Any]:
    if not isinstance(result, Variation):
        return {"item": index, "variation": result.variation, "success": False, "error": result.error}
    image = {"item": index, "variation": result.variation, "success": True,
             "asset_id": result.asset_id, "url": result.url, "file_name": result.file_name,
             "width": result.width, "height": result.height, "mime_type": result.mime_type,
             "provider": result.provider, "model": result.model, "seed": result.seed}
    if social:
        try:
            rendered: Optimized = optimize(user_id, {**social, "image_asset_id": result.asset_id})
        except AppError as error:
            image["social_error"] = error.detail
        else:
            image["renditions"] = [
                {"platform": r.target.platform, "format": r.target.format, "asset_id": r.asset_id,
                 "url": r.url, "file_name": r.file_name, "width": r.width, "height": r.height,
                 "mime_type": r.mime_type} for r in rendered.results]
    return image


