"""Reserving credits is one atomic step: concurrent priced requests never overdraw."""
import threading

import pytest
from sqlalchemy import select

from app.credits.models import LedgerEntry
from app.extensions import db
from tests.create.conftest import CREATE, slow_png

pytestmark = pytest.mark.database
REQUESTS = 24


def test_concurrent_creates_never_take_the_balance_below_zero(make_app, provider_config, token_for, user,
                                                              fake_stability):
    """10 credits, 3 a Stability core image: at most 3 may run, whatever the interleaving."""
    app = make_app(**{**provider_config, "PROVIDER_MAX_RETRIES": 0, "CREDITS_FREE": 10})
    slow_png(fake_stability, 0.05, times=REQUESTS)
    headers = {"Authorization": f"Bearer {token_for()}"}
    start = threading.Barrier(REQUESTS)
    statuses: list[int] = []

    def post() -> None:
        client = app.test_client()
        start.wait(timeout=10)
        response = client.post(CREATE, json={"prompt": "x", "provider": "stability", "width": 64,
                                             "height": 64}, headers=headers)
        statuses.append(response.status_code)

    threads = [threading.Thread(target=post) for _ in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(set(statuses)) == [200, 402] and len(statuses) == REQUESTS
    with app.app_context():
        rows = db.session.scalars(select(LedgerEntry).where(LedgerEntry.user_id == user)).all()
        balance = app.test_client().get("/api/image-studio/usage", headers=headers).json["balance"]
    charged = [r for r in rows if r.outcome == "charged"]
    assert statuses.count(200) == 3 == len(charged) == len(fake_stability.requests)
    assert [r.outcome for r in rows if r.outcome != "charged"] == []
    assert balance == 1
