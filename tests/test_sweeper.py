"""The sweeper: stale reservations refunded, orphan files removed, nothing live touched."""
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.assets.service import store_result
from app.credits import service as credits
from app.credits.models import LedgerEntry
from app.extensions import db
from app.sweeper import stale_after, sweep
from tests.fakes.server import png_bytes

pytestmark = pytest.mark.database


def _age(entry_id: int, seconds: float) -> None:
    entry = db.session.get(LedgerEntry, entry_id)
    entry.created_at = datetime.now(UTC) - timedelta(seconds=seconds)
    db.session.commit()


def test_the_bound_is_one_call_its_polling_and_a_minute(app):
    assert stale_after({"PROVIDER_TIMEOUT": 60, "PROVIDER_POLL_TIMEOUT": 300}) == timedelta(seconds=420)
    assert stale_after(app.config) == timedelta(seconds=60 + 300 + 60)


def test_only_reservations_past_the_bound_are_refunded(app, user):
    with app.test_request_context():
        old = credits.reserve(user, studio="create", kind="generate", operation=None,
                              provider="stability", model="core")
        young = credits.reserve(user, studio="create", kind="generate", operation=None,
                                provider="stability", model="core")
        _age(old.entry_ids[0], 421)
        _age(young.entry_ids[0], 300)
        assert sweep(app.config).refunded == 1
        rows = {r.id: r.outcome for r in db.session.scalars(select(LedgerEntry))}
    assert rows == {old.entry_ids[0]: "refunded", young.entry_ids[0]: "pending"}


def test_orphan_files_go_and_stored_or_young_files_stay(app, user):
    root = Path(app.config["IMAGE_STUDIO_STORAGE_DIR"])
    with app.test_request_context():
        kept = store_result(user, studio="edit", operation="erase", data=png_bytes(4, 4), mime_type="image/png",
                            width=4, height=4, provider="sandbox", model=None)
        orphan, fresh, interrupted = root / "1/ab/orphan.png", root / "1/ab/fresh.png", root / "1/ab/.tmp-x"
        for path in (orphan, fresh, interrupted):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"x")
        an_hour_ago = time.time() - 3600
        for path in (orphan, interrupted, *root.rglob(f"{kept.asset_id}.png")):
            os.utime(path, (an_hour_ago, an_hour_ago))
        swept = sweep(app.config, older_than=timedelta(minutes=10))
    assert (swept.refunded, swept.removed) == (0, 2)
    assert not orphan.exists() and not interrupted.exists() and fresh.exists()
    assert len(list(root.rglob(f"{kept.asset_id}.png"))) == 1


def test_the_command_reports_what_it_did(app, runner, user):
    with app.test_request_context():
        reservation = credits.reserve(user, studio="create", kind="generate", operation=None,
                                      provider="stability", model="core")
        _age(reservation.entry_ids[0], 10)
    result = runner.invoke(args=["sweep", "--older-than", "5"])
    assert result.exit_code == 0
    assert result.output.strip() == ("Refunded 1 stale reservation(s); removed 0 orphan file(s) "
                                     "and 0 expired session(s); 0 orphaned job(s) failed or requeued")
