"""Image work is admitted, not unbounded: a full process answers 503 with Retry-After."""
import contextvars
import threading
import time

import pytest
from sqlalchemy import select

from app.admission import BUSY, Admission, admission, scope
from app.credits.models import LedgerEntry
from app.errors import ServiceUnavailable
from app.extensions import db
from tests.studio_helpers import Overlap, SlotHolder, b64, photo


def test_at_most_the_configured_number_run_at_once():
    gate, overlap = Admission(concurrency=2, timeout=5), Overlap()

    def work() -> None:
        with gate.slot():
            overlap.busy()

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert overlap.peak == 2


@pytest.mark.parametrize("path, body", [
    ("/api/image-studio/edit/process", {"operation": "remove_background"}),  # waits to decode
    ("/api/image-studio/create", {"prompt": "a lighthouse", "provider": "sandbox",  # to render
                                  "num_variations": 3, "width": 64, "height": 64}),
])
def test_a_request_that_cannot_start_in_time_gets_503_and_costs_nothing(make_app, user, auth, png_payload,
                                                                         path, body):
    app = make_app(IMAGE_CONCURRENCY=1, IMAGE_QUEUE_TIMEOUT=0.2)
    client = app.test_client()
    body = {**body, "image_base64": png_payload()} if "operation" in body else body
    with SlotHolder():
        busy = client.post(path, json=body, headers=auth)
    assert (busy.status_code, busy.json) == (503, {"detail": BUSY})
    assert int(busy.headers["Retry-After"]) >= 1  # the limiter may raise it to its window's reset
    with app.app_context():
        assert db.session.scalars(select(LedgerEntry)).all() == []
    assert client.post(path, json=body, headers=auth).status_code == 200


def test_by_default_every_request_that_can_start_in_time_waits_its_turn(make_app, user, auth, png_payload):
    """service.md: only a request that "cannot start within IMAGE_QUEUE_TIMEOUT seconds" gets
    the 503. With no IMAGE_QUEUE_LENGTH set, eight requests queued behind a full process all
    start once it frees up, well within the 30 s."""
    app = make_app(IMAGE_CONCURRENCY=1)
    body = {"operation": "remove_background", "image_base64": png_payload()}
    statuses: list[int] = []

    def post() -> None:
        statuses.append(app.test_client().post("/api/image-studio/edit/process", json=body,
                                               headers=auth).status_code)

    with SlotHolder() as holder:
        threads = [threading.Thread(target=post) for _ in range(8)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 5
        while admission.waiting < 8 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert admission.waiting == 8   # all of them queued, none turned away at the door
        holder.release()
        for thread in threads:
            thread.join(timeout=30)
    assert statuses == [200] * 8


def test_a_step_nested_in_an_admitted_one_runs_in_its_slot():
    gate = Admission(concurrency=1, timeout=0.1)
    with gate.slot(), gate.slot():  # a second slot would wait for the first: 503 after 0.1 s
        pass
    with gate.slot():  # and the slot was given back once
        pass


def test_a_request_that_finds_the_queue_full_gets_503_at_once():
    gate, release = Admission(concurrency=1, timeout=5, queue=1), threading.Event()

    def hold() -> None:
        with gate.slot():
            release.wait(timeout=10)

    holder, waiter = threading.Thread(target=hold), threading.Thread(target=hold)
    holder.start()
    time.sleep(0.1)
    waiter.start()  # the one place in the queue
    time.sleep(0.1)
    started = time.monotonic()
    try:
        with pytest.raises(ServiceUnavailable) as caught, gate.slot():
            pass
    finally:
        release.set()
        holder.join(timeout=10)
        waiter.join(timeout=10)
    assert time.monotonic() - started < 1  # not after the 5 s queue timeout
    assert (caught.value.detail, caught.value.headers["Retry-After"]) == (BUSY, "5")


def test_work_is_turned_away_at_its_first_step_and_waits_at_its_later_ones():
    """No queue at all: work whose first step finds the slot taken is refused; work admitted
    to a first step waits at its next one (and in threads given a copy of its context),
    however long the slot is held, instead of losing what it did."""
    gate, steps = Admission(concurrency=1, timeout=0.1, queue=0), []

    def later_step() -> None:
        with gate.slot():
            steps.append(time.monotonic())

    with scope():
        with gate.slot():   # the first step: admitted
            pass
        with SlotHolder(gate) as holder:
            with scope(), pytest.raises(ServiceUnavailable):   # other work, at its first step
                with gate.slot():
                    pass
            helper = threading.Thread(target=contextvars.copy_context().run, args=(later_step,))
            helper.start()
            time.sleep(0.3)   # three times the queue timeout
            assert steps == [] and helper.is_alive()
            released = time.monotonic()
            holder.release()
            helper.join(timeout=10)
    assert len(steps) == 1 and steps[0] >= released


def test_a_job_is_admitted_from_its_first_step():
    gate = Admission(concurrency=1, timeout=0.1, queue=0)
    with SlotHolder(gate) as holder:
        released = threading.Event()
        threading.Timer(0.3, lambda: (released.set(), holder.release())).start()
        with scope(admitted=True), gate.slot():   # waits the 0.3 s, three times the queue timeout
            assert released.is_set()


def test_a_request_admitted_with_its_own_render_threads_is_not_refused_by_them(make_app, user, auth):
    """One slot and no queue: a Social request's decode admits it, and its renders on two
    threads wait for each other. It used to refuse itself with a 503."""
    app = make_app(IMAGE_CONCURRENCY=1, IMAGE_QUEUE_LENGTH=0, IMAGE_QUEUE_TIMEOUT=0.2)
    client = app.test_client()
    body = {"image_base64": b64(photo(1600, 1200)), "platforms": ["instagram", "facebook", "linkedin"],
            "all_formats": True, "output_format": "jpeg"}
    response = client.post("/api/image-studio/social/optimize", json=body, headers=auth)
    assert response.status_code == 200, response.json
    assert response.json["total_optimized"] >= 10
    zipped = client.post("/api/image-studio/social/optimize.zip", json=body, headers=auth)
    assert zipped.status_code == 200 and zipped.mimetype == "application/zip"


def test_each_request_starts_a_scope_of_its_own(make_app, user, auth):
    """A request served after an admitted one on the same thread is at its first step again:
    with the slot taken, it is refused, not left waiting."""
    app = make_app(IMAGE_CONCURRENCY=1, IMAGE_QUEUE_LENGTH=0, IMAGE_QUEUE_TIMEOUT=0.2)
    client = app.test_client()
    body = {"prompt": "a lighthouse", "provider": "sandbox", "width": 64, "height": 64}
    assert client.post("/api/image-studio/create", json=body, headers=auth).status_code == 200
    with SlotHolder():
        refused = client.post("/api/image-studio/create", json=body, headers=auth)
    assert (refused.status_code, refused.json) == (503, {"detail": BUSY})


def test_the_busy_and_idle_hooks_run_when_the_first_slot_is_taken_and_the_last_given_back():
    calls = []
    gate = Admission(concurrency=2, timeout=5)
    gate.configure(2, 5, 4, on_busy=lambda: calls.append("busy"), on_idle=lambda: calls.append("idle"))
    with gate.slot():
        other_started, other_done = threading.Event(), threading.Event()

        def other() -> None:
            with gate.slot():
                other_started.set()
                other_done.wait(5)

        thread = threading.Thread(target=other)
        thread.start()
        other_started.wait(5)
        with gate.slot():   # nested in a held slot: no second slot, no idle moment
            pass
        other_done.set()
        thread.join(5)
        assert calls == ["busy"]   # this thread still holds its slot
    assert calls == ["busy", "idle"]
    with gate.slot():
        pass
    assert calls == ["busy", "idle", "busy", "idle"]


def recording_gate(linger: float) -> tuple[Admission, list[str]]:
    """A gate whose busy and idle hooks write down when they run."""
    calls: list[str] = []
    gate = Admission()
    gate.configure(2, 5, 4, on_busy=lambda: calls.append("busy"), on_idle=lambda: calls.append("idle"),
                   linger=linger)
    return gate, calls


def within(seconds: float, condition) -> bool:
    """True once `condition()` holds, polling until `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_the_idle_hook_waits_for_the_linger_and_a_step_within_it_keeps_the_spell_busy():
    gate, calls = recording_gate(linger=0.3)
    with gate.slot():
        pass
    time.sleep(0.1)
    with gate.slot():   # the next step (a client's next request) within the linger
        pass
    assert calls == ["busy"]
    assert within(5, lambda: calls == ["busy", "idle"])
    time.sleep(0.4)
    assert calls == ["busy", "idle"]   # one idle per busy spell, however many steps it held


def test_reconfiguring_ends_a_lingering_spell_with_the_hooks_it_began_with():
    gate, calls = recording_gate(linger=30)
    with gate.slot():
        pass
    gate.configure(2, 5, 4, on_busy=lambda: calls.append("new busy"), linger=30)
    assert calls == ["busy", "idle"]


def test_an_app_keeps_freed_rasters_while_image_work_runs_and_for_its_linger(make_app):
    from PIL import Image

    from app.imaging import memory

    make_app(IMAGE_MEMORY_LINGER=0.3)
    assert admission.on_busy is memory.keep_freed_rasters and admission.on_idle is memory.release
    with admission.slot():
        assert Image.core.get_blocks_max() == memory.CACHED_BLOCKS
        Image.new("RGB", (3000, 2000)).close()   # a freed 24 MB raster: kept for the next
        assert Image.core.get_stats()["blocks_cached"] > 0
    Image.new("RGB", (3000, 2000)).close()   # freed after the step (a request's upload): kept too
    assert Image.core.get_stats()["blocks_cached"] > 0
    assert within(5, lambda: Image.core.get_stats()["blocks_cached"] == 0)
    Image.new("RGB", (3000, 2000)).close()   # freed once the worker is idle: not kept
    assert Image.core.get_stats()["blocks_cached"] == 0
