"""Create Studio: a prompt, a template and a persona become N images, made concurrently.

The request thread resolves the settings (rules.py, prompts.py), plans the provider routes
once, fans the variations out to a bounded thread pool (provider calls only: workers have
no app context and touch no database), then fits, stores and describes each result itself.
"""
from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import replace
from typing import Any

from flask import current_app

from app import operations
from app.catalog.templates import all_templates, get_template
from app.create import personas, prompts, rules
from app.create.models import Persona
from app.credits import service as credits
from app.credits.service import Reservation
from app.errors import ValidationFailed
from app.extensions import db
from app.providers.base import GenerateRequest, ProviderError
from app.providers.registry import Outcome, ProviderRegistry, Route

STUDIO, OPERATION, FAILURE = "create", "generate", "Image generation failed"
MAX_WORKERS = 10  # = the most variations one request may ask for


def generate(user_id: int, args: dict[str, Any]) -> dict[str, Any]:
    """Generate `num_variations` images; raises ValidationFailed (400), NotFound (unknown
    persona), ServiceUnavailable (provider not configured) or OperationFailed (all failed)."""
    template = get_template(args["template_id"]) if args.get("template_id") else None
    base, quality = _base_request(user_id, args, template)
    registry: ProviderRegistry = current_app.extensions["providers"]
    routes = registry.plan(OPERATION, provider=args.get("provider") or "auto",
                           model=args.get("model"), quality=quality,
                           recommended=template["recommended_provider"] if template else None)
    count = args.get("num_variations") or 1
    seed = args.get("seed")
    if seed is None and count > 1:
        # Variations must differ even at deterministic providers (the sandbox); the base seed
        # is reported per result, so any variation can be reproduced.
        seed = secrets.randbelow(2**31)
    variations = [replace(base, seed=None if seed is None else seed + i) for i in range(count)]
    results = _generate_all(user_id, registry, routes, variations)
    return _response(args, base, template, quality, results)


def _base_request(user_id: int, args: dict[str, Any],
                  template: dict[str, Any] | None) -> tuple[GenerateRequest, str]:
    """Apply the template, the persona, the size rules and enhancement (catalog.md steps 1-3)."""
    persona = _persona(user_id, args)
    width, height = rules.resolve_size(args.get("width"), args.get("height"),
                                       args.get("aspect_ratio"), template)
    quality = rules.resolve_quality(args.get("quality"), template)
    style = rules.resolve_style(args.get("style_preset"), persona and persona.style_preset,
                                template and template["style_preset"])
    prompt = prompts.fold_persona(args["prompt"].strip(), persona)
    if args.get("enhance_prompt", True):
        prompt = prompts.enhance(prompt, style)
    return GenerateRequest(
        prompt=prompt, width=width, height=height, style_preset=style,
        negative_prompt=prompts.fold_negative(args.get("negative_prompt"), persona),
        guidance_scale=args.get("guidance_scale"), steps=args.get("steps"),
        output_format=operations.output_mime(args.get("output_format")).split("/")[1]), quality


def _generate_all(user_id: int, registry: ProviderRegistry, routes: list[Route],
                  variations: list[GenerateRequest]) -> list[dict[str, Any] | ProviderError]:
    """Reserve credits, produce concurrently, store each result as it arrives, refund failures."""
    mime_type = operations.output_mime(variations[0].output_format)
    reservation = operations.reserve(user_id, STUDIO, routes, variations[0], count=len(variations))
    try:
        done = {slot: _deliver(user_id, slot, outcome, variations[slot], mime_type, reservation)
                for slot, outcome in produce_all(registry, routes, variations)}
    except Exception:
        db.session.rollback()
        credits.refund(reservation, note="internal error")
        raise
    results = [done[slot] for slot in range(len(variations))]
    for slot, result in enumerate(results):
        if isinstance(result, ProviderError):
            credits.refund(reservation, [slot], note=result.message)
    return results


def produce_all(registry: ProviderRegistry, routes: list[Route], requests: list[GenerateRequest]
                ) -> Iterator[tuple[int, Outcome | ProviderError]]:
    """Run every request through the routes at once; yield (index, result or error) as each
    finishes, so the request thread stores early results while later ones are still running."""
    def attempt(request: GenerateRequest) -> Outcome | ProviderError:
        try:
            return registry.execute(routes, request)
        except ProviderError as error:
            return error

    if len(requests) == 1:
        yield 0, attempt(requests[0])
        return
    with ThreadPoolExecutor(max_workers=min(len(requests), MAX_WORKERS),
                            thread_name_prefix="create") as pool:
        slots = {pool.submit(attempt, request): index for index, request in enumerate(requests)}
        for future in as_completed(slots):
            yield slots[future], future.result()


def _persona(user_id: int, args: dict[str, Any]) -> Persona | None:
    if not args.get("use_persona"):
        return None
    if not args.get("persona_id"):
        raise ValidationFailed("Invalid value for 'persona_id': required when use_persona is true",
                               errors={"persona_id": ["Required when use_persona is true."]})
    return personas.get_persona(user_id, args["persona_id"])


def _deliver(user_id: int, slot: int, outcome: Outcome | ProviderError, request: GenerateRequest,
             mime_type: str, reservation: Reservation) -> dict[str, Any] | ProviderError:
    """Fit, store and charge one variation; an unreadable image counts as its failure."""
    if isinstance(outcome, ProviderError):
        return outcome
    try:
        done = operations.deliver(user_id, STUDIO, OPERATION, outcome, mime_type=mime_type,
                                  size=(request.width, request.height),
                                  metadata={"variation": slot + 1, "prompt": request.prompt},
                                  reservation=reservation, slot=slot)
    except ProviderError as error:
        return error
    return {"success": True, "variation": slot + 1,
            "image_base64": base64.b64encode(done.data).decode("ascii"),
            "mime_type": done.mime_type, "width": done.width, "height": done.height,
            "provider": done.provider, "model": done.model,
            "seed": done.seed if done.seed is not None else request.seed,
            "asset_id": done.asset_id, "url": done.url, "metadata": done.metadata}


def _response(args: dict[str, Any], base: GenerateRequest, template: dict[str, Any] | None,
              quality: str, results: list[dict[str, Any] | ProviderError]) -> dict[str, Any]:
    made = [r for r in results if isinstance(r, dict)]
    errors = [r for r in results if isinstance(r, ProviderError)]
    if not made:
        first = next((e for e in errors if e.refused), errors[0])
        raise operations.provider_failure(first, FAILURE)
    entries = [r if isinstance(r, dict) else {"success": False, "variation": number,
                                              "error": r.message, "provider": r.provider}
               for number, r in enumerate(results, start=1)]
    failover = next((r["metadata"]["failover"] for r in made if r["metadata"].get("failover")),
                    None)
    return {
        "success": True,
        "request": {
            "prompt": args["prompt"], "enhanced_prompt": base.prompt,
            "template_id": template["id"] if template else None,
            "template_name": template["name"] if template else None,
            "provider": made[0]["provider"], "model": made[0]["model"],
            "dimensions": f"{base.width}x{base.height}", "width": base.width,
            "height": base.height, "quality": quality, "style_preset": base.style_preset,
            "negative_prompt": base.negative_prompt, "seed": args.get("seed"),
            "num_variations": len(results), "aspect_ratio": args.get("aspect_ratio"),
            "enhance_prompt": args.get("enhance_prompt", True),
            "persona_id": args.get("persona_id") if args.get("use_persona") else None,
        },
        "results": entries,
        "total_generated": len(made),
        "total_failed": len(errors),
        "metadata": {"failover": failover} if failover else {},
    }


def page_options(template_id: str | None) -> dict[str, Any]:
    """What the Create page needs up front: templates, style phrases, the chosen template, and
    which provider `auto` picks per quality (so the live estimate prices the real provider)."""
    registry: ProviderRegistry = current_app.extensions["providers"]
    recommended = {""} | {t["recommended_provider"] for t in all_templates()}
    auto = {rec: {q: list(registry.plan(OPERATION, quality=q, recommended=rec or None)[0])
                  for q in rules.QUALITIES}
            for rec in recommended}
    return {"templates": all_templates(), "style_presets": style_presets(),
            "template": get_template(template_id) if template_id else None, "auto_routes": auto}


def style_presets() -> list[str]:
    """The presets the pages offer: those prompt enhancement knows a phrase for."""
    return list(prompts.style_phrases())
