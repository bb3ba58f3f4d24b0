"""The face detector on real photographs: what it finds, and what it must not call a face."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import ImageOps

from app.imaging import faces
from tests.imaging.crop_cases import ASTRONAUT_FACE
from tests.photos import photograph


def _overlap(box, label) -> float:
    width = max(0.0, min(box[2], label[2]) - max(box[0], label[0]))
    height = max(0.0, min(box[3], label[3]) - max(box[1], label[1]))
    return width * height / ((label[2] - label[0]) * (label[3] - label[1]))


def test_the_astronauts_face_is_found_and_nothing_else():
    found = faces.detect(photograph("astronaut"))
    assert len(found) == 1   # not the mission patch, not the helmet
    assert _overlap(found[0], ASTRONAUT_FACE) > 0.7


def test_boxes_come_back_in_the_pictures_own_pixels():
    small = photograph("astronaut")
    large = small.resize((2048, 2048))
    (box_small,), (box_large,) = faces.detect(small), faces.detect(large)
    assert box_large == pytest.approx(tuple(v * 4 for v in box_small), abs=12)


def test_a_face_turned_the_other_way_is_found_where_it_is():
    mirrored = ImageOps.mirror(photograph("astronaut"))
    (box,) = faces.detect(mirrored)
    label = (512 - ASTRONAUT_FACE[2], ASTRONAUT_FACE[1], 512 - ASTRONAUT_FACE[0], ASTRONAUT_FACE[3])
    assert _overlap(box, label) > 0.7


@pytest.mark.parametrize("name", ["coffee", "rocket", "chelsea"])
def test_no_faces_in_pictures_without_people(name):
    assert faces.detect(photograph(name)) == []


def test_a_new_thread_reuses_an_idle_detector_instead_of_building_one():
    """Building a detector costs ~250 ms, more than ten searches; a request served by a
    fresh thread (a pool's, gunicorn's) must not pay it."""
    import threading

    picture = photograph("astronaut")
    faces.detect(picture)
    before = faces._idle.qsize()
    for _ in range(3):
        thread = threading.Thread(target=faces.detect, args=(picture,))
        thread.start()
        thread.join(30)
    assert faces._idle.qsize() == before >= 1


def test_a_gunicorn_worker_builds_its_detector_before_its_first_request(monkeypatch):
    import runpy
    from types import SimpleNamespace

    # The config sets defaults in its environment (PROMETHEUS_MULTIPROC_DIR would turn the
    # rest of the suite's metrics multiprocess): it gets a copy, dropped after the test.
    monkeypatch.setattr(os, "environ", dict(os.environ))
    while not faces._idle.empty():
        faces._idle.get_nowait()
    config = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
    config["post_worker_init"](SimpleNamespace(wsgi=SimpleNamespace(extensions={})))
    assert faces._idle.qsize() == 1
