"""Campaigns: POST /batch reserves every item up front, makes each item and its social
renditions, lists every image with its item index, and zips the whole campaign."""
import io
import time
import zipfile

import pytest
from PIL import Image
from sqlalchemy import select

from app.credits.models import LedgerEntry
from app.extensions import db
from app.jobs.models import Job

pytestmark = pytest.mark.database
BATCH, ESTIMATE = "/api/image-studio/batch", "/api/image-studio/batch/estimate"
SOCIAL = {"platforms": ["instagram", "linkedin"], "output_format": "jpeg"}


def _wait(client, auth, url, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        doc = client.get(url, headers=auth).get_json()
        if doc["status"] not in ("queued", "running"):
            return doc
        time.sleep(0.05)
    raise AssertionError(f"job still {doc['status']} after {timeout} s")


def _ledger(app, user):
    with app.app_context():
        return db.session.scalars(select(LedgerEntry).where(LedgerEntry.user_id == user)
                                  .order_by(LedgerEntry.id)).all()


@pytest.fixture
def paid(make_app, provider_config, user, token_for):
    app = make_app(**{**provider_config, "PROVIDER_MAX_RETRIES": 0})
    return app, app.test_client(), {"Authorization": f"Bearer {token_for()}"}


def test_a_campaign_makes_every_item_and_rendition_and_zips_them_by_item(paid, user):
    app, client, auth = paid
    body = {"items": [{"prompt": "a red kite", "num_variations": 2, "provider": "stability"},
                      {"prompt": "a blue boat", "provider": "stability", "width": 512, "height": 512}],
            "social": SOCIAL}
    estimate = client.post(ESTIMATE, json=body, headers=auth).get_json()
    assert estimate["items"] == [{"index": 1, "images": 2, "renditions": 4, "credits": 6.0},
                                 {"index": 2, "images": 1, "renditions": 2, "credits": 3.0}]
    assert (estimate["total_images"], estimate["total_credits"]) == (9, 9.0)
    assert _ledger(app, user) == []  # an estimate spends nothing

    answer = client.post(BATCH, json=body, headers=auth)
    assert answer.status_code == 202
    assert answer.headers["Location"] == answer.get_json()["status_url"]
    doc = _wait(client, auth, answer.headers["Location"])
    assert doc["status"] == "succeeded" and doc["operation"] == "batch"
    assert doc["progress"] == {"done": 9, "total": 9}
    result = doc["result"]
    assert (result["total_images"], result["total_renditions"], result["total_failed"]) == (3, 6, 0)
    assert [(i["item"], i["variation"]) for i in result["images"]] == [(1, 1), (1, 2), (2, 1)]
    assert [(r["platform"], r["width"], r["height"]) for r in result["images"][2]["renditions"]] == [
        ("instagram", 1080, 1080), ("linkedin", 1200, 628)]
    charged = [e for e in _ledger(app, user) if e.outcome == "charged"]
    assert sorted(e.studio for e in charged) == ["create"] * 3 + ["social"] * 6
    assert sum(e.credits for e in charged) == 9.0 and doc["credits"]["charged"] == 9.0

    archive = client.get(f"{answer.headers['Location']}/zip", headers=auth)
    assert archive.status_code == 200 and archive.mimetype == "application/zip"
    entries = zipfile.ZipFile(io.BytesIO(archive.data))
    assert entries.namelist() == [
        "item-001/variation-1.png", "item-001/variation-1/instagram_feed_post_square.jpg",
        "item-001/variation-1/linkedin_feed_post.jpg", "item-001/variation-2.png",
        "item-001/variation-2/instagram_feed_post_square.jpg", "item-001/variation-2/linkedin_feed_post.jpg",
        "item-002/variation-1.png", "item-002/variation-1/instagram_feed_post_square.jpg",
        "item-002/variation-1/linkedin_feed_post.jpg"]
    assert Image.open(io.BytesIO(entries.read("item-002/variation-1.png"))).size == (512, 512)
    assert entries.read("item-001/variation-1/linkedin_feed_post.jpg")[:3] == b"\xff\xd8\xff"


def test_a_failed_item_is_reported_and_refunded_and_the_campaign_goes_on(paid, user, fake_stability):
    app, client, auth = paid
    fake_stability.fail(times=1, status=500, message="GPU fell over")
    body = {"items": [{"prompt": "first", "provider": "stability"},
                      {"prompt": "second", "provider": "stability"}]}
    doc = _wait(client, auth, client.post(BATCH, json=body, headers=auth).headers["Location"])
    assert doc["status"] == "succeeded"
    first, second = doc["result"]["items"]
    assert first["success"] is False and "GPU fell over" in first["error"]
    assert second["success"] is True and len(second["images"]) == 1
    assert sorted(e.outcome for e in _ledger(app, user)) == ["charged", "refunded"]


def test_a_bad_item_is_named_and_nothing_is_queued(paid, user):
    app, client, auth = paid
    answer = client.post(BATCH, json={"items": [{"prompt": "fine"}, {"prompt": " "}]}, headers=auth)
    assert answer.status_code == 400
    assert answer.get_json()["detail"] == "Invalid value for 'items': item 2.prompt: Must not be empty."
    for items in ([], [{"prompt": "x"}] * 101):
        assert client.post(BATCH, json={"items": items}, headers=auth).status_code == 400
    unknown = client.post(BATCH, json={"items": [{"prompt": "x"}], "social": {"platforms": ["myspace"]}},
                          headers=auth)
    assert unknown.status_code == 400 and unknown.get_json()["detail"].startswith("Unknown platform: myspace")
    with app.app_context():
        assert db.session.scalars(select(Job)).all() == []


def test_a_campaign_beyond_the_balance_is_402_with_nothing_held(make_app, provider_config, user, token_for):
    app = make_app(**provider_config, CREDITS_FREE=10)
    client, auth = app.test_client(), {"Authorization": f"Bearer {token_for()}"}
    items = [{"prompt": f"item {n}", "provider": "stability", "num_variations": 2} for n in range(2)]
    answer = client.post(BATCH, json={"items": items}, headers=auth)   # 6 + 6 credits > 10
    assert answer.status_code == 402
    assert answer.get_json()["detail"] == ("Insufficient credits: this needs 6 credits and 4 remain "
                                           "this month")
    assert {e.outcome for e in _ledger(app, user)} == {"refunded"}
    with app.app_context():
        assert db.session.scalars(select(Job)).all() == []
    assert client.get("/api/image-studio/usage", headers=auth).get_json()["balance"] == 10


def test_the_zip_of_a_job_without_images_and_of_another_users_job_is_404(paid, make_user, token_for):
    app, client, auth = paid
    make_user("other@example.com")
    other = {"Authorization": f"Bearer {token_for('other@example.com')}"}
    url = client.post(BATCH, json={"items": [{"prompt": "mine"}]}, headers=auth).headers["Location"]
    _wait(client, auth, url)
    assert client.get(f"{url}/zip", headers=other).get_json() == {"detail": "Job not found"}
    assert client.get(f"{url}/zip", headers=auth).status_code == 200


def test_a_refusal_from_the_studio_names_its_item(paid):
    app, client, auth = paid
    body = {"items": [{"prompt": "fine"}, {"prompt": "fine", "template_id": "nope"}]}
    for url in (ESTIMATE, BATCH):
        answer = client.post(url, json=body, headers=auth)
        assert answer.status_code == 400
        assert answer.get_json() == {"detail": "item 2: Template not found: nope",
                                     "errors": {"items": ["item 2: Template not found: nope"]}}
