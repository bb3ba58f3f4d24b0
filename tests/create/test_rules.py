"""Size, quality and style rules (catalog.md steps 1-3), and the prompt text, without Flask."""
import pytest

from app.catalog.templates import get_template
from app.create import prompts, rules
from app.create.models import Persona
from app.errors import ValidationFailed

LINKEDIN = get_template("linkedin_post")  # 1200x628, photographic, premium


@pytest.mark.parametrize("width, height, ratio, expected", [
    (800, 600, None, (800, 600)),
    (800, 600, "1:1", (800, 600)),            # both sides win over the ratio
    (None, None, "16:9", (1920, 1080)),       # neither: the long side is 1920
    (None, None, "9:16", (1080, 1920)),
    (None, None, "1.91:1", (1920, 1005)),     # decimals allowed, rounded
    (1200, None, "1.91:1", (1200, 628)),      # width only: height = width*b/a
    (None, 500, "3:1", (1500, 500)),          # height only: width = height*a/b
    (None, 1000, "2:3", (667, 1000)),
    (None, None, None, (1024, 1024)),
    (512, None, None, (1024, 1024)),          # one side without a ratio: the default
])
def test_size_rules(width, height, ratio, expected):
    assert rules.resolve_size(width, height, ratio) == expected


def test_template_supplies_the_size_only_when_neither_side_is_given():
    assert rules.resolve_size(None, None, None, LINKEDIN) == (1200, 628)
    assert rules.resolve_size(None, None, "1:1", LINKEDIN) == (1200, 628)
    assert rules.resolve_size(1000, None, "1:1", LINKEDIN) == (1000, 1000)
    assert rules.resolve_size(640, 480, None, LINKEDIN) == (640, 480)


@pytest.mark.parametrize("width, height, ratio, field", [
    (None, None, "100:1", "height"),   # 1920x19
    (None, 4000, "2:1", "width"),      # 8000x4000
    (50, 50, None, "width"),
    (100, 5000, None, "height"),
])
def test_out_of_range_sizes_are_a_400_naming_the_side(width, height, ratio, field):
    with pytest.raises(ValidationFailed) as error:
        rules.resolve_size(width, height, ratio)
    assert f"'{field}'" in error.value.detail and field in error.value.errors


@pytest.mark.parametrize("ratio", ["16x9", "0:1", "a:b", "16:", "-1:2"])
def test_a_malformed_ratio_is_a_400_naming_the_field(ratio):
    with pytest.raises(ValidationFailed) as error:
        rules.resolve_size(None, None, ratio)
    assert "'aspect_ratio'" in error.value.detail


def test_quality_override_applies_only_to_the_default():
    assert rules.resolve_quality("standard", LINKEDIN) == "premium"
    assert rules.resolve_quality("draft", LINKEDIN) == "draft"
    assert rules.resolve_quality(None, None) == "standard"
    assert rules.resolve_quality("standard", get_template("facebook_feed")) == "standard"
    with pytest.raises(ValidationFailed, match="'quality'"):
        rules.resolve_quality("ultra")


def test_style_comes_from_the_request_then_persona_then_template():
    assert rules.resolve_style("anime", "cinematic", "photographic") == "anime"
    assert rules.resolve_style(None, "cinematic", "photographic") == "cinematic"
    assert rules.resolve_style("", None, "photographic") == "photographic"
    assert rules.resolve_style(None, None, None) is None


def test_enhancement_appends_the_presets_phrase_from_the_data_file():
    assert prompts.enhance("a cat", "cinematic") == \
        "a cat, cinematic lighting, dramatic, film grain, high quality, professional"
    assert prompts.enhance("a cat", "comic-book") == "a cat"
    assert prompts.enhance("a cat", None) == "a cat"


def test_persona_folding():
    persona = Persona(name="Acme", brand_keywords=["rugged", "sunlit"], color_palette=["#1f6f43"],
                      negative_terms=["text", "blurry"])
    assert prompts.fold_persona("a tent, ", persona) == \
        "a tent, rugged, sunlit, brand colour palette #1f6f43"
    assert prompts.fold_persona("a tent", None) == "a tent"
    assert prompts.fold_negative("blurry", persona) == "blurry, text"
    assert prompts.fold_negative(None, persona) == "text, blurry"
    assert prompts.fold_negative("  ", None) is None
