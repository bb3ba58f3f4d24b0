"""`Prefer: respond-async` on the five studio calls, and GET/DELETE /jobs, against the fakes."""
from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import threading
import time
from datetime import datetime, timedelta

import pytest
from werkzeug import Response

from app.imaging import codec
from app.jobs.webhooks import derive_secret
from tests.fakes.fixtures import KEYS
from tests.jobs.fakes import generate_calls, slow_images
from tests.jobs.helpers import (
    API,
    ASYNC,
    CALLS,
    account,
    asset_ids,
    comparable,
    job_count,
    ledger,
    wait_for,
    watch_refunds,
)
from tests.studio_helpers import SlotHolder, b64, photo

ACCEPTED_KEYS = {"job_id", "status", "status_url"}
DOCUMENT_KEYS = {"job_id", "status", "operation", "progress", "created_at", "finished_at", "result", "error"}
NOT_FOUND = {"detail": "Job not found"}
CREATE = API + "/create"


def submit(client, headers, path, body):
    """POST with Prefer: respond-async; checks the 202 and returns the job's status URL."""
    response = client.post(API + path, json=body, headers={**headers, **ASYNC})
    assert response.status_code == 202, response.json
    assert set(response.json) == ACCEPTED_KEYS and response.json["status"] == "queued"
    assert response.json["status_url"] == f"{API}/jobs/{response.json['job_id']}"
    assert response.headers["Location"] == response.json["status_url"]
    assert response.headers["Preference-Applied"] == "respond-async"
    return response.json["status_url"]


def assert_utc(moment: str) -> None:
    assert datetime.fromisoformat(moment).utcoffset() == timedelta(0), moment


@pytest.mark.database
@pytest.mark.parametrize("operation", list(CALLS))
def test_each_studio_call_answers_202_and_its_job_returns_the_synchronous_body(
        studio, operation):
    app, client, headers, user = studio()
    path, body, images = CALLS[operation]
    synchronous = client.post(API + path, json=body, headers=headers)
    assert synchronous.status_code == 200, synchronous.json
    url = submit(client, headers, path, body)
    job = wait_for(client, url, headers)
    assert set(job) >= DOCUMENT_KEYS
    assert (job["status"], job["operation"], job["error"]) == ("succeeded", operation, None)
    assert job["progress"] == {"done": images, "total": images}
    assert comparable(job["result"]) == comparable(synchronous.json)
    # The fakes answer the same bytes twice, and identical bytes of one user are stored once.
    assert _asset_ids(job["result"]) == _asset_ids(synchronous.json)
    for moment in (job["created_at"], job["started_at"], job["finished_at"]):
        assert_utc(moment)
    assert job["created_at"] <= job["started_at"] <= job["finished_at"]
    # The job charged what the synchronous call charged, image for image, and holds nothing.
    job_rows = ledger(app, job_id=job["job_id"])
    assert len(job_rows) == images and {outcome for outcome, _, _ in job_rows} <= {"charged"}
    assert sorted(job_rows) == sorted(ledger(app, synchronous=True))
    # Each result image is the caller's, as the synchronous one is.
    results = job["result"]["results"] if "results" in job["result"] else [job["result"]]
    for result in results:
        assert client.get(result["url"], headers=headers).status_code == 200


def _asset_ids(body: dict) -> list[str]:
    return [result["asset_id"] for result in (body["results"] if "results" in body else [body])]


PREFERENCES = [("respond-async", 202), ("RESPOND-ASYNC", 202), ("wait=10, respond-async", 202),
               ("respond-async; foo=bar", 202), ("return=minimal", 200), ("respond-asynchronously", 200)]


def test_only_the_respond_async_preference_makes_a_job(studio):
    app, client, headers, user = studio()
    for prefer, status in PREFERENCES:
        response = client.post(CREATE, json={"prompt": "x", "width": 96, "height": 64},
                               headers={**headers, "Prefer": prefer})
        assert response.status_code == status, prefer
        assert ("Preference-Applied" in response.headers) is (status == 202), prefer
    assert job_count(app) == 4


def cut_short(fmt: str) -> str:
    """A photograph's file cut off halfway, as base64: its header reads, its pixels do not."""
    buffer = io.BytesIO()
    photo(320, 240).save(buffer, fmt)
    return base64.b64encode(buffer.getvalue()[: buffer.tell() // 2]).decode()


SOCIAL = {"platforms": ["instagram", "twitter"]}
BAD_BODIES = [
    ("/create", {"prompt": ""}, 400),
    ("/create", {"prompt": "x", "use_persona": True, "persona_id": "f" * 32}, 404),
    ("/edit/process", {"image_base64": b64(photo(96, 64)), "operation": "relight",
                       "lighting_image_base64": b64(photo(32, 32))}, 400),
    ("/upscale", {"image_base64": b64(photo(32, 16)), "mode": "fast"}, 400),
    ("/control/process", {"control_image_base64": b64(photo(96, 64)), "operation": "doodle"}, 400),
    ("/social/optimize", {"image_base64": CALLS["social"][1]["image_base64"], "platforms": ["myspace"]}, 400),
    ("/social/optimize", {"image_base64": cut_short("JPEG"), **SOCIAL}, 400),
    ("/social/optimize", {"image_base64": cut_short("PNG"), **SOCIAL}, 400),
    ("/social/optimize", {"image_base64": cut_short("JPEG"), **SOCIAL, "crop_mode": "fit", "background": "mauve"}, 400),
    ("/social/optimize", {"image_base64": CALLS["social"][1]["image_base64"], **SOCIAL,
                          "focal_points": {"instagram/Story": {"x": 0.5, "y": 0.5}}}, 400),
]


@pytest.mark.parametrize("path, body, status", BAD_BODIES)
def test_a_bad_call_is_answered_as_the_synchronous_one_and_queues_nothing(studio,
                                                                          fake_stability, path, body, status):
    app, client, headers, user = studio()
    synchronous = client.post(API + path, json=body, headers=headers)
    deferred = client.post(API + path, json=body, headers={**headers, **ASYNC})
    assert (deferred.status_code, synchronous.status_code) == (status, status)
    assert deferred.json == synchronous.json and deferred.json["detail"]
    assert "Preference-Applied" not in deferred.headers and "Location" not in deferred.headers
    assert job_count(app) == 0 and ledger(app) == []
    assert fake_stability.requests == []


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_a_social_submission_checks_its_upload_and_leaves_decoding_it_to_the_run(studio, monkeypatch, fmt):
    """The submission refuses what the run would (above), but decoding the upload for its
    renders and finding its subject are the run's work, done once there."""
    app, client, headers, user = studio()
    decoded, real = [], codec.normalize
    monkeypatch.setattr(codec, "normalize", lambda image: decoded.append(threading.current_thread()) or real(image))
    buffer = io.BytesIO()
    photo(640, 480).save(buffer, fmt)
    body = {"image_base64": base64.b64encode(buffer.getvalue()).decode(), **SOCIAL}
    url = submit(client, headers, "/social/optimize", body)
    assert threading.current_thread() not in decoded   # the submission ran in this thread
    job = wait_for(client, url, headers)
    assert job["status"] == "succeeded"
    assert [(r["width"], r["height"]) for r in job["result"]["results"]] == [(1080, 1080), (1200, 675)]
    assert decoded and threading.current_thread() not in decoded


@pytest.mark.database
def test_a_job_waits_its_turn_for_image_work_while_requests_are_turned_away(studio):
    """Every image slot taken and no room to queue: a request gets the 503 it can retry, but a
    job accepted meanwhile waits for a slot and finishes. Under a burst of 48 requests, 16 of
    24 accepted jobs once failed with that 503."""
    from app.admission import BUSY

    app, client, headers, user = studio(IMAGE_CONCURRENCY=1, IMAGE_QUEUE_LENGTH=0, IMAGE_QUEUE_TIMEOUT=0.2)
    body = {"prompt": "a lighthouse", "provider": "sandbox", "width": 96, "height": 64, "num_variations": 2}
    with SlotHolder():
        url = submit(client, headers, "/create", body)
        wait_for(client, url, headers, until=("running",))
        time.sleep(0.5)   # past IMAGE_QUEUE_TIMEOUT: a request would have been turned away by now
        refused = client.post(CREATE, json=body, headers=headers)
        assert (refused.status_code, refused.json) == (503, {"detail": BUSY})
        assert client.get(url, headers=headers).json["status"] == "running"
    done = wait_for(client, url, headers, timeout=20)
    assert done["status"] == "succeeded", done
    assert done["progress"] == {"done": 2, "total": 2}


@pytest.mark.database
def test_a_jobs_renders_on_the_runners_threads_wait_for_each_other(studio):
    """One image slot and no queue: a Social job renders its formats on two runner threads,
    and the one that finds the slot taken waits as the job does (the job's admission scope is
    in the context each thread is handed), instead of failing its rendition with a 503."""
    app, client, headers, user = studio(IMAGE_CONCURRENCY=1, IMAGE_QUEUE_LENGTH=0, IMAGE_QUEUE_TIMEOUT=0.2)
    body = {"image_base64": b64(photo(1600, 1200)), "platforms": ["instagram", "facebook", "linkedin"],
            "all_formats": True, "output_format": "jpeg"}
    url = submit(client, headers, "/social/optimize", body)
    done = wait_for(client, url, headers, timeout=30)
    assert done["status"] == "succeeded", done["error"]
    assert done["progress"]["done"] == done["progress"]["total"] >= 10


@pytest.mark.database
def test_too_few_credits_is_a_402_with_no_job_and_nothing_reserved(studio, fake_stability):
    app, client, headers, user = studio(CREDITS_FREE=5)
    body = {"prompt": "x", "width": 96, "height": 64, "num_variations": 2}   # 2 x 3 credits at core
    synchronous = client.post(CREATE, json=body, headers=headers)
    deferred = client.post(CREATE, json=body, headers={**headers, **ASYNC})
    assert (synchronous.status_code, deferred.status_code) == (402, 402)
    assert deferred.json == synchronous.json == {
        "detail": "Insufficient credits: this needs 6 credits and 5 remain this month"}
    assert job_count(app) == 0 and ledger(app) == []
    assert fake_stability.requests == []
    # One variation fits: the same user can still submit.
    assert submit(client, headers, "/create", {**body, "num_variations": 1})
    assert job_count(app) == 1


def test_another_users_job_and_unknown_ids_are_404(studio):
    app, client, headers, user = studio()
    url = submit(client, headers, "/create", {"prompt": "x", "width": 96, "height": 64})
    wait_for(client, url, headers)
    _, other = account(app, "other@example.com")
    for method in (client.get, client.delete):
        response = method(url, headers=other)
        assert (response.status_code, response.json) == (404, NOT_FOUND)
        for unknown in ("0" * 32, "nope", "f" * 200):
            response = method(f"{API}/jobs/{unknown}", headers=headers)
            assert (response.status_code, response.json) == (404, NOT_FOUND)
    assert client.get(f"{API}/jobs", headers=other).json == {"jobs": [], "total": 0}
    assert client.get(url).status_code == 401
    assert client.get(url, headers=headers).json["status"] == "succeeded"  # nothing cancelled it


@pytest.mark.database
def test_listing_is_newest_first_without_results(studio):
    app, client, headers, user = studio()
    urls = [submit(client, headers, "/create", {"prompt": f"cat {n}", "width": 96, "height": 64})
            for n in range(3)]
    for url in urls:
        wait_for(client, url, headers)
    response = client.get(f"{API}/jobs", headers=headers)
    assert response.status_code == 200
    listing = response.json
    assert listing["total"] == 3
    assert [job["status_url"] for job in listing["jobs"]] == urls[::-1]
    for job in listing["jobs"]:
        assert "result" not in job and job["status"] == "succeeded" and job["operation"] == "create"
        assert_utc(job["created_at"])
    page = client.get(f"{API}/jobs?limit=1&offset=1", headers=headers).json
    assert page["total"] == 3 and [job["status_url"] for job in page["jobs"]] == [urls[1]]
    assert client.get(f"{API}/jobs?offset={2**63 - 1}", headers=headers).json == {"jobs": [], "total": 3}
    too_far = client.get(f"{API}/jobs?offset={2**63}", headers=headers)
    assert too_far.status_code == 400 and too_far.json["detail"].startswith("Invalid value for 'offset'")
    assert client.get(f"{API}/jobs?status=failed", headers=headers).json == {"jobs": [], "total": 0}
    assert client.get(f"{API}/jobs?status=lost", headers=headers).status_code == 400


@pytest.mark.database
def test_delete_cancels_a_queued_and_a_running_job_and_refunds_them(studio, fake_stability,
                                                                   monkeypatch):
    app, client, headers, user = studio(JOBS_CONCURRENCY=1)
    refunds = watch_refunds(monkeypatch, app)
    slow_images(fake_stability, [1.0])
    running = submit(client, headers, "/create", {"prompt": "slow", "width": 96, "height": 64})
    wait_for(client, running, headers, until=("running",), check=lambda _: generate_calls(fake_stability) == 1)
    queued = submit(client, headers, "/create", {"prompt": "x", "width": 96, "height": 64, "num_variations": 2})
    waiting = client.get(queued, headers=headers).json
    assert (waiting["status"], waiting["finished_at"], waiting["result"]) == ("queued", None, None)
    assert waiting["progress"] == {"done": 0, "total": 2}
    assert waiting["credits"] == {"reserved": 6.0, "charged": 0.0, "refunded": 0.0}

    response = client.delete(queued, headers=headers)
    assert response.status_code == 200, response.json
    assert response.json["status"] == "cancelled" and response.json["refunded_credits"] == 6.0
    assert response.json["credits"] == {"reserved": 0.0, "charged": 0.0, "refunded": 6.0}
    assert_utc(response.json["finished_at"])
    queued_id = response.json["job_id"]
    # Others saw the job queued with its credits held until the cancel and its refund, together.
    assert refunds == [("queued", 2)]
    assert [outcome for outcome, _, _ in ledger(app, job_id=queued_id)] == ["refunded", "refunded"]

    response = client.delete(running, headers=headers)
    assert response.status_code == 200, response.json
    assert response.json["status"] == "cancelled" and response.json["refunded_credits"] == 3.0
    running_id = response.json["job_id"]

    app.extensions["jobs"].shutdown()   # waits for the running job's thread to end
    assert generate_calls(fake_stability) == 1   # the cancelled queued job never ran
    # The slow image arrived after the cancel: not kept, not charged.
    assert ledger(app, job_id=running_id) == [("refunded", 3.0, False)]
    assert ledger(app, job_id=queued_id) == [("refunded", 3.0, False)] * 2
    for url in (queued, running):
        assert client.get(url, headers=headers).json["status"] == "cancelled"
        again = client.delete(url, headers=headers)
        assert (again.status_code, again.json) == (409, {"detail": "The job was already cancelled"})
    assert asset_ids(app) == set()


def test_delete_of_a_finished_job_is_409(studio):
    app, client, headers, user = studio()
    url = submit(client, headers, "/create", {"prompt": "x", "width": 96, "height": 64})
    job = wait_for(client, url, headers)
    response = client.delete(url, headers=headers)
    assert (response.status_code, response.json) == (409, {"detail": "The job has already succeeded"})
    assert ledger(app, job_id=job["job_id"]) == [("charged", 3.0, True)]


@pytest.mark.database
def test_cancel_mid_run_keeps_and_charges_only_the_images_made_before_it(studio,
                                                                         fake_stability):
    app, client, headers, user = studio()
    slow_images(fake_stability, [0.1, 0.1, 1.2, 1.2])
    url = submit(client, headers, "/create", {"prompt": "x", "width": 96, "height": 64, "num_variations": 4})
    made = wait_for(client, url, headers, until=("running",), check=lambda job: job["progress"]["done"] == 2)
    assert made["credits"] == {"reserved": 6.0, "charged": 6.0, "refunded": 0.0}
    response = client.delete(url, headers=headers)
    assert response.status_code == 200, response.json
    assert response.json["status"] == "cancelled" and response.json["refunded_credits"] == 6.0
    app.extensions["jobs"].shutdown()
    assert generate_calls(fake_stability) == 4   # the two late images did reach the provider...
    rows = ledger(app, job_id=made["job_id"])
    assert sorted(rows) == [("charged", 3.0, True)] * 2 + [("refunded", 3.0, False)] * 2   # ...unpaid
    assert sum(credits for _, credits, _ in rows) == 12.0   # charged + refunded = reserved
    job = client.get(url, headers=headers).json
    assert job["status"] == "cancelled" and job["result"] is None
    assert job["credits"] == {"reserved": 0.0, "charged": 6.0, "refunded": 6.0}
    kept = [item["asset_id"] for item in job["items"] if "asset_id" in item]
    assert len(kept) == 2 and asset_ids(app) == set(kept)


def test_a_cancel_stops_a_job_from_starting_its_remaining_images(studio):
    """Social renders one format after another in this process: once cancelled (seen at the
    next heartbeat), the formats not yet started are never made."""
    app, client, headers, user = studio(JOBS_HEARTBEAT=0.05)
    body = {"image_base64": CALLS["social"][1]["image_base64"], "platforms": ["instagram", "facebook",
            "twitter", "linkedin", "pinterest", "youtube", "tiktok"], "all_formats": True}
    url = submit(client, headers, "/social/optimize", body)
    started = wait_for(client, url, headers, until=("running",), check=lambda job: job["progress"]["done"] >= 1)
    total = started["progress"]["total"]
    assert total >= 15
    assert client.delete(url, headers=headers).status_code == 200
    app.extensions["jobs"].shutdown()
    job = client.get(url, headers=headers).json
    assert job["status"] == "cancelled"
    made = [item["asset_id"] for item in job["items"] if "asset_id" in item]
    assert 1 <= len(made) <= total - 5   # most formats were never rendered
    assert set(made) == asset_ids(app)   # (identical renditions share one stored asset)
    rows = ledger(app, job_id=job["job_id"])   # social is free, but each format has its entry
    assert sorted(outcome for outcome, _, _ in rows) == ["charged"] * len(made) + ["refunded"] * (total - len(made))


@pytest.mark.parametrize("failure, status", [("fail", 500), ("moderate", 400)])
def test_a_provider_failure_is_the_synchronous_error(studio, fake_stability, failure, status):
    app, client, headers, user = studio()
    body = {"prompt": "x", "width": 96, "height": 64, "provider": "stability"}
    if failure == "fail":
        fake_stability.fail(times=2, status=500, message="An unexpected server error has occurred")
    else:
        fake_stability.moderate(times=2)
    synchronous = client.post(CREATE, json=body, headers=headers)
    assert synchronous.status_code == status
    job = wait_for(client, submit(client, headers, "/create", body), headers)
    assert (job["status"], job["result"]) == ("failed", None)
    assert job["error"] == {"status": status, "detail": synchronous.json["detail"]}
    assert set(job["error"]) == {"status", "detail"}
    assert KEYS["stability"] not in json.dumps(job)
    assert ledger(app, job_id=job["job_id"]) == [("refunded", 3.0, False)]
    assert_utc(job["finished_at"])


WEBHOOK_REFUSALS = [
    ("http://127.0.0.1:9/hook", "must point to a public address, not 127.0.0.1 (loopback)"),
    ("http://10.1.2.3/hook", "must point to a public address, not 10.1.2.3 (private)"),
    ("ftp://example.com/hook", "must be an http or https URL"),
]


def test_webhook_url_needs_prefer_and_a_public_address(studio, fake_stability):
    app, client, headers, user = studio()
    for path, body, _ in CALLS.values():
        url, body = API + path, {**body, "webhook_url": "https://example.com/hook"}
        response = client.post(url, json=body, headers=headers)
        assert response.status_code == 400, path
        assert response.json["detail"] == ("webhook_url needs the header Prefer: respond-async "
                                           "(a webhook is sent when a job ends)")
        assert list(response.json["errors"]) == ["webhook_url"]
        for hook_url, reason in WEBHOOK_REFUSALS:
            response = client.post(url, json={**body, "webhook_url": hook_url}, headers={**headers, **ASYNC})
            assert response.status_code == 400, (path, hook_url)
            assert response.json["detail"] == f"Invalid value for 'webhook_url': {reason}"
            assert list(response.json["errors"]) == ["webhook_url"]
    assert job_count(app) == 0 and ledger(app) == [] and fake_stability.requests == []


def test_the_webhook_is_signed_with_the_cli_secret_and_recorded_on_the_job(studio, receiver):
    app, client, headers, user = studio(WEBHOOK_ALLOWED_HOSTS="127.0.0.1", WEBHOOK_ATTEMPTS=3)
    replies = iter([Response("busy", status=503), Response("ok")])
    receiver.expect_request("/hook", method="POST").respond_with_handler(lambda _: next(replies))
    body = {"prompt": "x", "width": 96, "height": 64, "webhook_url": receiver.url_for("/hook")}
    url = submit(client, headers, "/create", body)
    job = wait_for(client, url, headers, check=lambda job: job["webhook"] is not None)

    secret = app.test_cli_runner().invoke(args=["jobs", "webhook-secret"])
    assert secret.exit_code == 0
    assert secret.output.strip() == derive_secret(app.config["SECRET_KEY"], None)
    assert len(receiver.log) == 2
    for n, (request, _) in enumerate(receiver.log, start=1):
        raw = request.get_data()
        expected = "sha256=" + hmac.new(secret.output.strip().encode(), raw, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(request.headers["X-Image-Studio-Signature"], expected)
        assert request.headers["X-Image-Studio-Event"] == "job.succeeded"
        assert request.headers["Content-Type"] == "application/json"
        assert request.headers["X-Image-Studio-Delivery"] == str(n)
    sent = json.loads(receiver.log[-1][0].get_data())
    assert sent["status"] == "succeeded" and sent["result"] == job["result"]
    assert {key: sent[key] for key in DOCUMENT_KEYS} == {key: job[key] for key in DOCUMENT_KEYS}
    assert job["webhook"]["delivered"] is True and job["webhook"]["attempts"] == 2
    assert (job["webhook"]["status"], job["webhook"]["error"]) == (200, None)
    assert job["webhook"]["event"] == "job.succeeded"


def test_a_cancelled_job_tells_its_webhook_once_signed_with_the_configured_secret(
        studio, receiver, fake_stability):
    app, client, headers, user = studio(WEBHOOK_ALLOWED_HOSTS="127.0.0.1", WEBHOOK_SECRET="s3cret-for-hooks")
    delivered = threading.Event()

    def receive(request):
        delivered.set()
        time.sleep(0.8)   # still answering the cancel's webhook when the run itself ends
        return Response("ok")

    receiver.expect_request("/hook", method="POST").respond_with_handler(receive)
    secret = app.test_cli_runner().invoke(args=["jobs", "webhook-secret"]).output.strip()
    assert secret == "s3cret-for-hooks"
    slow_images(fake_stability, [0.3])
    url = submit(client, headers, "/create", {"prompt": "x", "width": 96, "height": 64,
                                              "webhook_url": receiver.url_for("/hook")})
    wait_for(client, url, headers, until=("running",), check=lambda _: generate_calls(fake_stability) == 1)
    assert client.delete(url, headers=headers).status_code == 200
    assert delivered.wait(5)
    app.extensions["jobs"].shutdown()   # the run and every delivery have ended
    assert len(receiver.log) == 1   # told once: by the cancel, not again when the run ended
    request = receiver.log[0][0]
    assert request.headers["X-Image-Studio-Event"] == "job.cancelled"
    expected = "sha256=" + hmac.new(secret.encode(), request.get_data(), hashlib.sha256).hexdigest()
    assert request.headers["X-Image-Studio-Signature"] == expected
    assert json.loads(request.get_data())["status"] == "cancelled"
    job = client.get(url, headers=headers).json
    assert (job["webhook"]["event"], job["webhook"]["delivered"], job["webhook"]["attempts"]) == (
        "job.cancelled", True, 1)


STUDIO_PATHS = ["/create", "/edit/process", "/upscale", "/control/process", "/social/optimize"]


def test_openapi_lists_prefer_202_and_the_jobs_paths(client):
    spec = client.get("/api/openapi.json").json
    for path in STUDIO_PATHS:
        post = spec["paths"][API + path]["post"]
        assert any(p["in"] == "header" and p["name"] == "Prefer" for p in post["parameters"]), path
        assert "202" in post["responses"] and "200" in post["responses"], path
    listing = spec["paths"][API + "/jobs"]
    assert "get" in listing
    one = spec["paths"][API + "/jobs/{job_id}"]
    assert {"get", "delete"} <= set(one)
    assert {"200", "404"} <= set(one["get"]["responses"])
    assert {"200", "404", "409"} <= set(one["delete"]["responses"])
