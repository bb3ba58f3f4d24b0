"""Smart crop: the salient part of the picture survives the crop."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from app.imaging import geometry, saliency
from tests.imaging.images import has_red, scene
from tests.photos import photograph


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


def test_a_face_outweighs_vivid_colour_and_is_kept_with_head_room():
    image = Image.new("RGB", (1200, 600), (120, 120, 120))
    image.paste((30, 30, 220), (1050, 250, 1150, 350))  # vivid but not a face
    image.paste((90, 90, 90), (40, 250, 140, 350))  # the "face": dull, found only by the detector
    assert saliency.analyse(image, detect=None).box_for(600, 600)[0] >= 550

    def one_face(picture: Image.Image) -> list[tuple[float, float, float, float]]:
        scale = picture.width / 1200
        return [(40 * scale, 250 * scale, 140 * scale, 350 * scale)]

    left, _, right, _ = saliency.analyse(image, detect=one_face).box_for(600, 600)
    assert left <= 40 - 15 and right >= 140 + 15   # the cheeks' margin is kept too


def test_a_window_that_cannot_hold_two_faces_keeps_one_whole_and_cuts_neither():
    image = Image.new("RGB", (1000, 400), (120, 120, 120))

    def two_faces(picture: Image.Image) -> list[tuple[float, float, float, float]]:
        scale = picture.width / 1000
        return [(box[0] * scale, 150 * scale, box[1] * scale, 250 * scale) for box in ((250, 350), (650, 750))]

    left, _, right, _ = saliency.analyse(image, detect=two_faces).box_for(400, 400)
    kept = [max(0, min(right, b) - max(left, a)) / 100 for a, b in ((250, 350), (650, 750))]
    assert sorted(kept) == [0.0, 1.0]


def test_face_scores_reward_a_whole_face_and_punish_a_cut_one():
    starts = np.array([0.0, 100.0, 165.0, 400.0])
    scores = saliency.face_scores((250, 100, 350, 200), True, starts, 200.0)
    # the face with its ears spans 235..365: [0,200) and [400,600) leave it out, [100,300) cuts it
    assert list(scores[[0, 3]]) == [0.0, 0.0]
    assert scores[1] < 0 and scores[2] == saliency._FACE_WHOLE


def test_detail_density_is_low_far_from_edges():
    edges = np.zeros((256, 256), dtype=np.float32)
    edges[100:140, 20:60] = 1.0
    density = saliency.detail_density(edges, 8.0)
    assert density.shape == edges.shape
    assert density[120, 40] > 0.5 and density[120, 220] < 0.01


def test_an_analysis_scaled_to_a_larger_decode_gives_the_same_windows_there():
    small = saliency.analyse(photograph("astronaut"))
    larger = small.scaled_to((2048, 2048))
    assert larger.source_size == (2048, 2048)
    assert larger.faces == [pytest.approx(tuple(v * 4 for v in box)) for box in small.faces]
    cell = 2048 / saliency.ANALYSIS_SIDE   # windows start on the analysis map's cells
    for size in [(1500, 500), (1080, 1920), (1128, 191)]:
        assert larger.box_for(*size) == pytest.approx(tuple(v * 4 for v in small.box_for(*size)), abs=cell)
