"""Prompt text: persona folding and the fixed style-preset enhancement.

Enhancement is deterministic: the style preset's phrase from styles.json is appended.
We do not ask a text model to rewrite prompts, so the same request always sends the same
prompt and tests can assert it at the provider's wire.
"""
from __future__ import annotations

from app.catalog.styles import style_phrase
from app.create.models import Persona


def enhance(prompt: str, style_preset: str | None) -> str:
    """Append the preset's phrase; no preset, or one without a phrase, leaves the prompt as is."""
    return prompt + style_phrase(style_preset)


def fold_persona(prompt: str, persona: Persona | None) -> str:
    """Add the brand's keywords and colour palette to the prompt."""
    if persona is None:
        return prompt
    parts = [prompt.rstrip(" ,")]
    if persona.brand_keywords:
        parts.append(", ".join(persona.brand_keywords))
    if persona.color_palette:
        parts.append("brand colour palette " + ", ".join(persona.color_palette))
    return ", ".join(parts)


def fold_negative(negative_prompt: str | None, persona: Persona | None) -> str | None:
    """The request's negative prompt followed by the persona's negative terms (no repeats)."""
    terms = [negative_prompt.strip(" ,")] if negative_prompt and negative_prompt.strip() else []
    if persona is not None:
        terms += [t for t in persona.negative_terms if t not in terms]
    return ", ".join(terms) or None
