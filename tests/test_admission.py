"""Image work is admitted, not unbounded: a full process answers 503 with Retry-After."""
import threading

from sqlalchemy import select

from app.admission import BUSY, Admission, admission
from app.credits.models import LedgerEntry
from app.extensions import db
from tests.studio_helpers import Overlap


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


def test_a_request_that_cannot_start_in_time_gets_503_and_costs_nothing(make_app, user, auth, png_payload):
    app = make_app(IMAGE_CONCURRENCY=1, IMAGE_QUEUE_TIMEOUT=0.2)
    client = app.test_client()
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with admission.slot():
            held.set()
            release.wait(timeout=10)

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(timeout=5)
    body = {"operation": "remove_background", "image_base64": png_payload()}
    try:
        busy = client.post("/api/image-studio/edit/process", json=body, headers=auth)
    finally:
        release.set()
        holder.join(timeout=10)
    assert (busy.status_code, busy.json) == (503, {"detail": BUSY})
    assert int(busy.headers["Retry-After"]) >= 1  # the limiter may raise it to its window's reset
    with app.app_context():
        assert db.session.scalars(select(LedgerEntry)).all() == []
    assert client.post("/api/image-studio/edit/process", json=body, headers=auth).status_code == 200
