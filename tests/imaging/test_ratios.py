"""Aspect-ratio maths shared by the schemas, the studios and the provider clients."""
import re

import pytest

from app.imaging import ratios


@pytest.mark.parametrize("text, pair", [("16:9", (16.0, 9.0)), ("1.91:1", (1.91, 1.0)), (" 4 : 5 ", (4.0, 5.0))])
def test_parse(text, pair):
    assert ratios.parse(text) == pair
    assert re.match(ratios.PATTERN, text)


@pytest.mark.parametrize("text", ["1:0", "0:1", "wide", "16x9", "-1:2"])
def test_parse_refuses_what_is_not_a_positive_ratio(text):
    with pytest.raises(ValueError):
        ratios.parse(text)


def test_nearest_compares_on_a_log_scale():
    allowed = ("1:1", "2:1", "1:2")
    assert ratios.nearest(1200, 628, ("16:9", "1:1", "4:5")) == "16:9"
    assert ratios.nearest(141, 100, allowed) == "1:1"   # just under sqrt(2): closer to 1:1
    assert ratios.nearest(142, 100, allowed) == "2:1"


def test_one_megapixel_keeps_the_ratio():
    width, height = ratios.one_megapixel(16 / 9)
    assert (width, height) == (1365, 768)
    assert abs(width * height - 1024 * 1024) < 1024 * 1024 * 0.01
