"""Template queries: filter, ranked search and recommendation.

We differ from the reference product's plain substring match: every query word counts,
matches in the name and use cases weigh more than in the description, and ties keep
catalogue order, so "linkedin banner" or "Product Showcase" find what a person means.
"""
from __future__ import annotations

import re
from typing import Any

from app.catalog.loader import load
from app.errors import ValidationFailed

STOP_WORDS = {"a", "an", "and", "the", "for", "of", "on", "in", "to", "with", "my", "image", "images"}
WEIGHTS = {"name": 3.0, "use_cases": 3.0, "platform": 2.0, "description": 1.0}


def all_templates() -> list[dict[str, Any]]:
    return load("templates")["templates"]


def platforms() -> list[str]:
    return load("templates")["platforms"]


def categories() -> list[str]:
    return load("templates")["categories"]


def category_counts() -> dict[str, int]:
    """Templates per category, only those that have any: the gallery offers no filter that
    always comes back empty (the catalogue has no ad_creative or product templates), while
    the API keeps accepting every category."""
    counts: dict[str, int] = {}
    for category in categories():
        found = sum(t["category"] == category for t in all_templates())
        if found:
            counts[category] = found
    return counts


def get_template(template_id: str) -> dict[str, Any]:
    """Raises ValidationFailed("Template not found: <id>") for an unknown id."""
    for template in all_templates():
        if template["id"] == template_id:
            return template
    raise ValidationFailed(f"Template not found: {template_id}")


def _choice(value: str | None, allowed: list[str], field: str) -> str | None:
    if value is None or value == "":
        return None
    lowered = value.strip().lower()
    if lowered not in allowed:
        raise ValidationFailed(f"Invalid {field}: {value} (choose one of {', '.join(allowed)})",
                               errors={field: [f"Must be one of: {', '.join(allowed)}."]})
    return lowered


def listed_templates(platform: str | None = None, category: str | None = None) -> list[dict]:
    """`GET /templates` as catalog.md fixes it: a platform's list when one is given (the
    category is then ignored, even an unknown one), else the category's, else all."""
    return filter_templates(platform=platform) if platform else filter_templates(category=category)


def filter_templates(platform: str | None = None, category: str | None = None) -> list[dict]:
    """Both filters apply when both are given (the gallery page's two menus); unknown values
    are a 400 naming the field."""
    platform = _choice(platform, platforms(), "platform")
    category = _choice(category, categories(), "category")
    return [t for t in all_templates()
            if (platform is None or t["platform"] == platform)
            and (category is None or t["category"] == category)]


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP_WORDS]


def _stem(word: str) -> str:
    """Crude plural folding so "thumbnails" finds "thumbnail"."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _score(template: dict, words: list[str], fields: dict[str, float]) -> tuple[int, float, float]:
    """(words matched, direct score, synonym score): ranking compares them in that order."""
    texts = {
        "name": template["name"], "description": template["description"],
        "use_cases": " ".join(template["use_cases"]), "platform": template["platform"],
    }
    tokens = {field: {_stem(w) for w in _words(texts[field])} for field in fields}
    synonyms = load("templates")["synonyms"]
    matched, direct, related = 0, 0.0, 0.0
    for word in words:
        gained = _gain(_stem(word), tokens, fields)
        # Synonyms ("banner" for "cover") only rank below direct matches.
        alternative = 0.0 if gained else max(
            (_gain(_stem(alt), tokens, fields) for alt in synonyms.get(word, ())), default=0.0)
        matched += (gained + alternative) > 0
        direct += gained
        related += alternative
    return matched, direct, related


def _gain(stem: str, tokens: dict[str, set[str]], fields: dict[str, float]) -> float:
    """A whole-word match in a field counts fully, a prefix match ("linked") half."""
    return sum(weight if stem in tokens[field] else weight / 2
               for field, weight in fields.items()
               if stem in tokens[field] or any(t.startswith(stem) for t in tokens[field]))


def _rank(candidates: list[dict], query: str, fields: dict[str, float]) -> list[dict]:
    words = _words(query or "")
    if not words:
        return list(candidates) if not (query or "").strip() else []
    scored = [(_score(t, words, fields), index, t) for index, t in enumerate(candidates)]
    hits = [item for item in scored if item[0][0] > 0]
    hits.sort(key=lambda item: (-item[0][0], -item[0][1], -item[0][2], item[1]))
    return [template for _, _, template in hits]


def search_templates(query: str) -> list[dict]:
    """Ranked by relevance; an empty query lists everything, no match is an empty list."""
    return _rank(all_templates(), query, WEIGHTS)


def browse_templates(platform: str | None, category: str | None, query: str | None) -> list[dict]:
    """The gallery: the filters, then the query's ranking among what they leave."""
    items = filter_templates(platform, category)
    if not (query or "").strip():
        return items
    allowed = {t["id"] for t in items}
    return [t for t in search_templates(query) if t["id"] in allowed]


def recommend_templates(use_case: str, platform: str | None = None) -> list[dict]:
    """Templates for a use case, ranked by use cases first; optional platform filter."""
    candidates = filter_templates(platform=platform)
    return _rank(candidates, use_case, {"use_cases": 4.0, "name": 2.0, "description": 1.0})
