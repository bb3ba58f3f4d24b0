"""How a Create request's fields become a size, a quality and a style.

Pure functions over plain values, so every rule is tested without a provider or Flask.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from app.errors import ValidationFailed
from app.imaging import ratios

DEFAULT_QUALITY = "standard"
QUALITIES = ("draft", "standard", "premium")
DEFAULT_SIZE = (1024, 1024)
LONG_SIDE = 1920
MIN_SIDE, MAX_SIDE = 64, 4096


@dataclass(frozen=True)
class CreateSpec:
    """A Create request as the schema loaded it (every field present, defaults applied)."""

    prompt: str
    template_id: str | None = None
    provider: str | None = "auto"
    model: str | None = None
    width: int | None = None
    height: int | None = None
    aspect_ratio: str | None = None
    style_preset: str | None = None
    quality: str = DEFAULT_QUALITY
    negative_prompt: str | None = None
    guidance_scale: float | None = None
    steps: int | None = None
    seed: int | None = None
    num_variations: int = 1
    enhance_prompt: bool = True
    use_persona: bool = False
    persona_id: str | None = None
    output_format: str = "png"

    def settings(self) -> dict[str, Any]:
        """The fields as the user chose them, without the seed: what each image keeps so that
        "More like this" from the Library can open Create with them again."""
        return {name: value for name, value in asdict(self).items() if name != "seed"}


def parse_ratio(aspect_ratio: str) -> tuple[float, float]:
    """`"1.91:1"` -> (1.91, 1.0); a malformed or non-positive ratio is a 400 naming the field."""
    try:
        return ratios.parse(aspect_ratio)
    except ValueError:
        raise ValidationFailed(
            f"Invalid value for 'aspect_ratio': {aspect_ratio!r} is not a ratio like 16:9 or 1.91:1",
            errors={"aspect_ratio": ["Must look like 16:9 or 1.91:1."]}) from None


def resolve_size(width: int | None, height: int | None, aspect_ratio: str | None,
                 template: dict[str, Any] | None = None) -> tuple[int, int]:
    """The exact output size: template size, then both sides, the ratio rules, else 1024x1024."""
    if template is not None and width is None and height is None:
        width, height = template["aspect_ratio"]["width"], template["aspect_ratio"]["height"]
    if width is not None and height is not None:
        size = (width, height)
    elif aspect_ratio:
        a, b = parse_ratio(aspect_ratio)
        if width is not None:
            size = (width, round(width * b / a))
        elif height is not None:
            size = (round(height * a / b), height)
        elif a >= b:
            size = (LONG_SIDE, round(LONG_SIDE * b / a))
        else:
            size = (round(LONG_SIDE * a / b), LONG_SIDE)
    else:
        size = DEFAULT_SIZE
    for name, value in zip(("width", "height"), size, strict=True):
        if not MIN_SIDE <= value <= MAX_SIDE:
            raise ValidationFailed(
                f"Invalid value for '{name}': {value} px is outside {MIN_SIDE}-{MAX_SIDE} px",
                errors={name: [f"Must be between {MIN_SIDE} and {MAX_SIDE} pixels."]})
    return size


def resolve_quality(quality: str | None, template: dict[str, Any] | None = None) -> str:
    """The template's quality replaces the default `standard`; anything unknown is a 400."""
    quality = quality or DEFAULT_QUALITY
    if quality not in QUALITIES:
        raise ValidationFailed(f"Invalid value for 'quality': {quality} (choose draft, standard "
                               f"or premium)", errors={"quality": ["Must be one of: draft, "
                                                                   "standard, premium."]})
    if template is not None and quality == DEFAULT_QUALITY:
        return template["quality"]
    return quality


def resolve_style(requested: str | None, *fallbacks: str | None) -> str | None:
    """The first style preset given: the request's, then the persona's, then the template's."""
    for style in (requested, *fallbacks):
        if style:
            return style
    return None
