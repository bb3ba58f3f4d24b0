"""What the API's crop options do to the pixels: smart, centre, fit, focal point, safe zones."""
import pytest
from PIL import Image

from app.imaging.overlay import SHADE
from tests.imaging.images import has_red, is_red, scene
from tests.social.helpers import decoded, optimize

# A dull wide picture with a red disc near the right edge: a square crop must choose.
OFF_CENTRE = scene(600, 300, (0.88, 0.5), 22)


def square(client, auth, image, **body):
    """The Instagram square (1080×1080) rendition of `image`, decoded."""
    response = optimize(client, auth, image, platforms=["instagram"], **body)
    assert response.status_code == 200, response.json
    return decoded(response.json["results"][0]["image_base64"]).convert("RGB")


def test_smart_crop_keeps_the_off_centre_object(client, auth):
    assert has_red(square(client, auth, OFF_CENTRE))
    assert has_red(square(client, auth, OFF_CENTRE, crop_mode="SMART"))


def test_center_crop_cuts_it(client, auth):
    assert not has_red(square(client, auth, OFF_CENTRE, crop_mode="center"))


def test_focal_point_is_kept_near_the_centre_and_wins_over_saliency(client, auth):
    centred = scene(600, 300, (0.6, 0.5), 22)  # disc at x=360: a window centred on it fits
    image = square(client, auth, centred, focal_point={"x": 0.6, "y": 0.5})
    assert is_red(image.getpixel((540, 540)))
    assert not has_red(square(client, auth, OFF_CENTRE, focal_point={"x": 0.1, "y": 0.5}))


@pytest.mark.parametrize("background, colour", [(None, (255, 255, 255)), ("#00ff00", (0, 255, 0)),
                                                ("black", (0, 0, 0))])
def test_fit_letterboxes_on_the_background_colour(client, auth, background, colour):
    body = {"platforms": ["facebook"], "crop_mode": "fit"}  # 1200×630: pillarboxed square
    if background:
        body["background"] = background
    response = optimize(client, auth, Image.new("RGB", (200, 200), (200, 0, 0)), **body)
    image = decoded(response.json["results"][0]["image_base64"]).convert("RGB")
    assert image.size == (1200, 630)
    for x, y in ((0, 0), (5, 315), (1199, 629), (1190, 10)):
        assert image.getpixel((x, y)) == colour
    assert image.getpixel((600, 315)) == (200, 0, 0)


def test_fit_on_a_blurred_backdrop(client, auth):
    response = optimize(client, auth, Image.new("RGB", (200, 200), (200, 0, 0)), platforms=["facebook"],
                        crop_mode="fit", background="blur")
    image = decoded(response.json["results"][0]["image_base64"]).convert("RGB")
    left = image.getpixel((5, 315))
    assert left != (255, 255, 255) and left[0] > 150 and left[1] < 60


def test_show_safe_zones_darkens_the_margins_only(client, auth):
    white = Image.new("RGB", (300, 300), (255, 255, 255))
    plain = square(client, auth, white)
    zoned = square(client, auth, white, show_safe_zones=True)
    assert plain.getpixel((540, 5)) == (255, 255, 255)
    assert zoned.getpixel((540, 5)) == (int(255 * SHADE),) * 3  # top margin (15% = 162 px)
    assert zoned.getpixel((5, 540)) == (int(255 * SHADE),) * 3  # left margin (10% = 108 px)
    assert zoned.getpixel((540, 540)) == (255, 255, 255)  # the safe area is untouched


def test_each_format_can_have_its_own_focal_point(client, auth):
    """One story moved onto the disc by its own focal point; the other formats keep theirs."""
    left_disc = scene(600, 300, (0.1, 0.5), 22)
    body = {"platforms": ["instagram"], "format_names": {"instagram": ["Feed Post (Square)", "Story"]}}
    plain = optimize(client, auth, left_disc, **body).json["results"]
    moved = optimize(client, auth, left_disc, focal_points={"Instagram/story": {"x": 0.9, "y": 0.5}}, **body)
    assert moved.status_code == 200, moved.json
    square_result, story = moved.json["results"]
    assert story["focal_key"] == "instagram/Story"
    assert square_result["crop_box"] == plain[0]["crop_box"]          # untouched: saliency's choice
    assert has_red(decoded(square_result["image_base64"]).convert("RGB"))
    assert plain[1]["crop_box"]["x"] == 0                              # saliency: over the disc
    assert story["crop_box"]["x"] + story["crop_box"]["width"] == pytest.approx(1.0)
    assert not has_red(decoded(story["image_base64"]).convert("RGB"))  # moved right, away from it


def test_crop_box_is_the_part_of_the_upload_each_format_shows(client, auth):
    results = optimize(client, auth, OFF_CENTRE, platforms=["instagram", "twitter"],
                       format_names={"twitter": ["Header"]}).json["results"]
    for result in results:
        box = result["crop_box"]
        assert 0 <= box["x"] and box["x"] + box["width"] <= 1.0001
        assert 0 <= box["y"] and box["y"] + box["height"] <= 1.0001
        shown = (box["width"] * 600) / (box["height"] * 300)
        assert shown == pytest.approx(result["width"] / result["height"], rel=0.01)


def test_a_focal_point_for_a_format_not_requested_is_a_400_listing_the_formats(client, auth):
    response = optimize(client, auth, OFF_CENTRE, platforms=["instagram"],
                        focal_points={"instagram/Reel": {"x": 0.5, "y": 0.5}})
    assert response.status_code == 400
    assert response.json["detail"] == ("focal_points names instagram/Reel, which this request does not make "
                                       "(its formats: instagram/Feed Post (Square))")
    bad = optimize(client, auth, OFF_CENTRE, platforms=["instagram"],
                   focal_points={"instagram/Feed Post (Square)": {"x": 2, "y": 0.5}})
    assert bad.status_code == 400 and "focal_points" in bad.json["detail"]
