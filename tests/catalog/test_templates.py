import pytest

from app.catalog import templates
from app.errors import ValidationFailed


def ids(items):
    return [t["id"] for t in items]


def test_catalogue_has_26_templates_in_order():
    items = templates.all_templates()
    assert len(items) == 26
    assert items[0]["id"] == "instagram_feed_square" and items[-1]["id"] == "website_banner"
    assert {t["recommended_provider"] for t in items} == {"ideogram"}
    counts = {}
    for t in items:
        counts[t["category"]] = counts.get(t["category"], 0) + 1
    assert counts == {"social_media": 20, "blog_content": 2, "email_marketing": 2, "brand_assets": 2}


def test_linkedin_post_template_matches_the_reference():
    t = templates.get_template("linkedin_post")
    assert t["aspect_ratio"] == {"ratio": "1.91:1", "width": 1200, "height": 628, "label": "LinkedIn Feed"}
    assert t["quality"] == "premium" and t["style_preset"] == "photographic"


def test_filters_apply_together():
    assert len(templates.filter_templates("instagram")) == 4
    assert ids(templates.filter_templates(category="blog_content")) == ["blog_header", "blog_header_wide"]
    assert templates.filter_templates("instagram", "blog_content") == []
    assert ids(templates.filter_templates("Email", "email_marketing")) == ["email_banner", "email_product"]
    assert templates.filter_templates(category="ad_creative") == []


@pytest.mark.parametrize("kwargs, field", [({"platform": "myspace"}, "platform"),
                                           ({"category": "memes"}, "category")])
def test_unknown_filter_values_name_the_field(kwargs, field):
    with pytest.raises(ValidationFailed) as error:
        templates.filter_templates(**kwargs)
    assert field in error.value.detail and field in error.value.errors


def test_get_unknown_template():
    with pytest.raises(ValidationFailed, match="Template not found: nope"):
        templates.get_template("nope")


def test_search_ranks_every_word():
    result = ids(templates.search_templates("linkedin banner"))
    # Both words match LinkedIn's header and cover ("banner" through its synonyms) and rank first.
    assert set(result[:2]) == {"linkedin_article", "linkedin_cover"}
    assert {"linkedin_post", "email_banner", "website_banner"} <= set(result)
    assert set(ids(templates.search_templates("linkedin"))) == {
        "linkedin_post", "linkedin_post_square", "linkedin_article", "linkedin_cover"}
    assert ids(templates.search_templates("youtube banner"))[0] == "youtube_channel_art"


def test_direct_matches_rank_above_synonyms():
    result = ids(templates.search_templates("hero"))
    assert result[:2] == ["website_hero", "blog_header_wide"]
    assert "email_banner" in result[2:]


def test_search_weighs_name_and_use_cases_over_description():
    result = ids(templates.search_templates("Product Showcase"))
    # "Product showcase" is a use case of instagram_feed_square and email_product: both words match.
    assert set(result[:2]) == {"instagram_feed_square", "email_product"}
    assert "pinterest_pin" in result


def test_search_folds_plurals_and_ties_keep_catalogue_order():
    result = ids(templates.search_templates("thumbnails"))
    assert result[0] == "youtube_thumbnail"
    assert set(result) >= {"instagram_reel_cover", "tiktok_video_cover", "blog_header"}


def test_search_edge_cases():
    assert len(templates.search_templates("")) == 26
    assert templates.search_templates("zzzqqq") == []


def test_recommend_by_use_case_with_platform_filter():
    result = ids(templates.recommend_templates("product showcase", "instagram"))
    assert result[0] == "instagram_feed_square"
    assert all(t.startswith("instagram") for t in result)
    assert set(ids(templates.recommend_templates("thumbnail"))[:4]) == {
        "instagram_reel_cover", "youtube_thumbnail", "tiktok_video_cover", "blog_header"}
    assert templates.recommend_templates("quantum chromodynamics") == []
