"""Create Studio: a prompt, a template and a persona become N images, made concurrently.

The service resolves the settings (rules.py, prompts.py), plans the provider routes once and
hands one item per variation to the studio runner, which makes them at once, stores each as
it arrives and refunds those that fail. It returns a typed result; the schema renders it.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from typing import Any

import pybase64
from flask import current_app

from app.assets.service import download_name, owned_asset
from app.catalog.styles import phrased_presets
from app.catalog.templates import all_templates, get_template, platforms
from app.create import personas, prompts, rules
from app.create.models import Persona
from app.create.rules import CreateSpec
from app.errors import ValidationFailed
from app.imaging.formats import output_format
from app.providers.base import GenerateRequest, ProviderError
from app.providers.registry import ProviderRegistry, Route
from app.studio import runner

STUDIO, OPERATION, FAILURE = "create", "generate", "Image generation failed"


@dataclass
class Variation(runner.Delivered):
    """One image made: the result entry of a successful variation."""

    variation: int = 0
    success = True

    @property
    def image_base64(self) -> str:
        """Raw base64, as the API reference shows for Create (the studios send data URLs)."""
        return pybase64.b64encode_as_string(self.data)


@dataclass
class FailedVariation:
    """One variation the provider could not make (its slot was refunded)."""

    variation: int
    error: str
    provider: str
    success = False


@dataclass
class Created:
    """The whole Create answer: the settings applied and one entry per variation."""

    request: dict[str, Any]
    results: list[Variation | FailedVariation]
    metadata: dict[str, Any] = field(default_factory=dict)
    success = True

    @property
    def total_generated(self) -> int:
        return sum(isinstance(r, Variation) for r in self.results)

    @property
    def total_failed(self) -> int:
        return len(self.results) - self.total_generated


@dataclass
class Preview:
    """A Create request as it will be sent and charged: the resolved style, size, provider,
    prompt and price, for a summary shown before anything is spent."""

    prompt: str
    negative_prompt: str | None
    style_preset: str | None
    width: int
    height: int
    aspect_ratio: str | None
    quality: str
    provider: str
    model: str | None
    num_variations: int
    estimated_cost: float
    currency: str
    template_id: str | None
    persona_id: str | None

    @property
    def dimensions(self) -> str:
        return f"{self.width}x{self.height}"


@dataclass(frozen=True)
class Like:
    """A Create image's settings to start again from, its seed left to be drawn anew."""

    asset_id: str
    file_name: str
    settings: dict[str, Any]


def generate(user_id: int, spec: CreateSpec) -> Created:
    """Generate `spec.num_variations` images; raises ValidationFailed (400), NotFound (unknown
    persona), ServiceUnavailable (provider not configured) or OperationFailed (all failed)."""
    template = get_template(spec.template_id) if spec.template_id else None
    base, quality = _base_request(user_id, spec, template)
    routes = _routes(spec, template, quality)
    seed = spec.seed
    if seed is None and spec.num_variations > 1:
        # Variations must differ even at deterministic providers (the sandbox); the base seed
        # is reported per result, so any variation can be reproduced.
        seed = secrets.randbelow(2**31)
    requests = [replace(base, seed=None if seed is None else seed + i)
                for i in range(spec.num_variations)]
    lineage = {"user_prompt": spec.prompt.strip(), "settings": spec.settings(),
               **({"template_name": template["name"]} if template else {})}
    items = [runner.Item(request, (request.width, request.height),
                         {"variation": slot + 1, "prompt": request.prompt, **lineage})
             for slot, request in enumerate(requests)]
    plan = runner.Plan(STUDIO, OPERATION, routes, items, output_format(spec.output_format), FAILURE)
    results = runner.run(user_id, plan)
    return _created(spec, base, template, quality, requests, results)


def preview(user_id: int, spec: CreateSpec) -> Preview:
    """What `generate(user_id, spec)` would send and charge, resolved by the same functions
    (so the page's summary cannot disagree with the request), without reserving or making
    anything. Raises as generate() does before its first provider call."""
    template = get_template(spec.template_id) if spec.template_id else None
    base, quality = _base_request(user_id, spec, template)
    first = _routes(spec, template, quality)[0]
    registry: ProviderRegistry = current_app.extensions["providers"]
    quote = registry.estimate(first.provider, first.model, OPERATION, spec.num_variations,
                              base.width, base.height, quality)
    return Preview(
        prompt=base.prompt, negative_prompt=base.negative_prompt, style_preset=base.style_preset,
        width=base.width, height=base.height, aspect_ratio=spec.aspect_ratio, quality=quality,
        provider=quote["provider"], model=quote["model"], num_variations=spec.num_variations,
        estimated_cost=quote["estimated_cost"], currency=quote["currency"],
        template_id=template["id"] if template else None,
        persona_id=spec.persona_id if spec.use_persona else None)


def settings_like(user_id: int, asset_id: str) -> Like:
    """The settings one of the user's Create images was made with, for "More like this" from
    the Library; an image stored before settings were kept gives its prompt and its template
    (by the name it recorded), else its size. Raises NotFound (not the user's) and
    ValidationFailed (not made in Create)."""
    asset = owned_asset(user_id, asset_id)
    if asset.studio != STUDIO:
        raise ValidationFailed(f"More like this starts from an image made in Create; this one was made in "
                               f"{asset.studio.capitalize()}")
    settings = asset.details.get("settings")
    if settings is None:
        template = next((t for t in all_templates() if t["name"] == asset.details.get("template_name")), None)
        settings = {"prompt": asset.prompt or "",
                    **({"template_id": template["id"]} if template else
                       {"width": asset.width, "height": asset.height})}
    return Like(asset.id, download_name(asset), settings)


def _routes(spec: CreateSpec, template: dict[str, Any] | None, quality: str) -> list[Route]:
    """The providers to try in order, the first being what the request is priced at."""
    registry: ProviderRegistry = current_app.extensions["providers"]
    return registry.plan(OPERATION, provider=spec.provider or "auto", model=spec.model,
                         quality=quality,
                         recommended=template["recommended_provider"] if template else None)


def _base_request(user_id: int, spec: CreateSpec,
                  template: dict[str, Any] | None) -> tuple[GenerateRequest, str]:
    """Apply the template, the persona, the size rules and enhancement."""
    persona = _persona(user_id, spec)
    width, height = rules.resolve_size(spec.width, spec.height, spec.aspect_ratio, template)
    quality = rules.resolve_quality(spec.quality, template)
    style = rules.resolve_style(spec.style_preset, persona and persona.style_preset,
                                template and template["style_preset"])
    prompt = prompts.fold_persona(spec.prompt.strip(), persona)
    if spec.enhance_prompt:
        prompt = prompts.enhance(prompt, style)
    return GenerateRequest(
        prompt=prompt, width=width, height=height, style_preset=style,
        negative_prompt=prompts.fold_negative(spec.negative_prompt, persona),
        guidance_scale=spec.guidance_scale, steps=spec.steps,
        output_format=output_format(spec.output_format).name), quality


def _persona(user_id: int, spec: CreateSpec) -> Persona | None:
    if not spec.use_persona:
        return None
    if not spec.persona_id:
        raise ValidationFailed("Invalid value for 'persona_id': required when use_persona is true",
                               errors={"persona_id": ["Required when use_persona is true."]})
    return personas.get_persona(user_id, spec.persona_id)


def _created(spec: CreateSpec, base: GenerateRequest, template: dict[str, Any] | None,
             quality: str, requests: list[GenerateRequest],
             results: list[runner.Delivered | ProviderError]) -> Created:
    """Every variation in request order; a 400/500 only when none was made."""
    made = [r for r in results if isinstance(r, runner.Delivered)]
    if not made:
        raise runner.first_failure(results, FAILURE)
    entries = [Variation(**{**vars(r), "seed": requests[slot].seed if r.seed is None else r.seed},
                         variation=slot + 1)
               if isinstance(r, runner.Delivered)
               else FailedVariation(slot + 1, r.message, r.provider)
               for slot, r in enumerate(results)]
    failover = next((r.metadata["failover"] for r in made if r.metadata.get("failover")), None)
    return Created(
        request={
            "prompt": spec.prompt, "enhanced_prompt": base.prompt,
            "template_id": template["id"] if template else None,
            "template_name": template["name"] if template else None,
            "provider": made[0].provider, "model": made[0].model,
            "dimensions": f"{base.width}x{base.height}", "width": base.width,
            "height": base.height, "quality": quality, "style_preset": base.style_preset,
            "negative_prompt": base.negative_prompt, "seed": spec.seed,
            "num_variations": len(results), "aspect_ratio": spec.aspect_ratio,
            "enhance_prompt": spec.enhance_prompt,
            "persona_id": spec.persona_id if spec.use_persona else None,
        },
        results=entries,
        metadata={"failover": failover} if failover else {},
    )


def page_options(template_id: str | None) -> dict[str, Any]:
    """What the Create page needs up front: templates and the platforms they are for (the
    picker's filter), style phrases and the chosen template. Which provider `auto` picks is
    the preview's answer, not the page's."""
    templates = all_templates()
    used = {t["platform"] for t in templates}
    return {"templates": templates, "platforms": [p for p in platforms() if p in used],
            "style_presets": phrased_presets(),
            "template": get_template(template_id) if template_id else None}
