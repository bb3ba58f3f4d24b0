"""Smart crop: the salient part of the picture survives the crop."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from app.imaging import geometry, saliency
from tests.imaging.images import has_red, scene


@pytest.mark.parametrize("disc_at, size", [((0.88, 0.5), (300, 300)), ((0.1, 0.5), (300, 300)),
                                           ((0.5, 0.1), (600, 200)), ((0.85, 0.8), (100, 100))])
def test_off_centre_object_is_kept_by_smart_and_cut_by_center(disc_at, size):
    image = scene(1200, 600, disc_at, 40) if size[0] <= size[1] else scene(600, 1200, disc_at, 40)
    smart = geometry.fit_cover(image, *size, saliency.analyse(image).center_for(*size))
    center = geometry.fit_cover(image, *size)
    assert has_red(smart)
    assert not has_red(center)


def test_flat_image_is_centre_cropped():
    image = Image.new("RGB", (1200, 600), (120, 120, 120))
    assert saliency.analyse(image).box_for(600, 600) == pytest.approx((300, 0, 900, 600))


def test_analysis_runs_on_a_small_copy_and_maps_back_to_source_pixels():
    image = scene(4000, 1000, (0.9, 0.5), 120)
    result = saliency.analyse(image)
    assert max(result.weights.shape) <= saliency.ANALYSIS_SIDE
    left, top, right, bottom = result.box_for(1000, 1000)
    assert (top, bottom) == (0, 1000) and left <= 3600 - 120 and right >= 3600 + 120


def test_skin_tones_attract_the_window():
    image = Image.new("RGB", (1200, 600), (110, 120, 130))
    image.paste((224, 172, 140), (60, 200, 260, 400))  # a skin-coloured patch on the left
    left, _, right, _ = saliency.analyse(image).box_for(600, 600)
    assert left <= 60 and right >= 260


def test_transparent_areas_are_not_salient():
    image = scene(1200, 600, (0.1, 0.5), 40).convert("RGBA")
    image.putalpha(0)  # the red disc is there, but invisible
    assert saliency.analyse(image).box_for(600, 600) == pytest.approx((300, 0, 900, 600))


def test_faces_are_boosted_when_a_detector_is_available(monkeypatch):
    image = Image.new("RGB", (1200, 600), (120, 120, 120))
    image.paste((30, 30, 220), (1050, 250, 1150, 350))  # vivid but not a face
    image.paste((90, 90, 90), (40, 250, 140, 350))  # the "face": dull, found only by the detector
    plain = saliency.analyse(image).box_for(600, 600)
    assert plain[0] >= 550

    def fake_detector(grey: np.ndarray) -> list[tuple[int, int, int, int]]:
        scale = grey.shape[1] / 1200
        return [(int(40 * scale), int(250 * scale), int(100 * scale), int(100 * scale))]

    monkeypatch.setattr(saliency, "face_detector", lambda: fake_detector)
    left, _, right, _ = saliency.analyse(image).box_for(600, 600)
    assert left <= 40 and right >= 140


def test_face_detector_is_optional():
    detector = saliency.face_detector()
    try:
        import cv2  # noqa: F401
    except ImportError:
        assert detector is None
    else:
        assert detector is None or callable(detector)
