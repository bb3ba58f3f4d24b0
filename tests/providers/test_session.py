"""Shared transport behaviour, exercised through real clients against the fakes."""
from __future__ import annotations

import base64
import time

import pytest

from app.providers import build_registry
from app.providers.base import GenerateRequest, ProviderError, UpscaleRequest
from app.providers.session import make_session, poll
from tests.fakes.server import Streamed, png_bytes, png_header

from .conftest import KEYS


def generate(registry, name="stability"):
    return registry.get(name).generate(GenerateRequest("a lighthouse"))


def test_retries_then_success(registry, fake_stability):
    fake_stability.fail(times=2, status=503)
    result = generate(registry)
    assert result.mime_type == "image/png"
    assert len(fake_stability.requests) == 3


def test_retries_exhausted_reports_provider_reason(registry, fake_stability):
    fake_stability.fail(times=3, status=500, message="An unexpected server error has occurred")
    with pytest.raises(ProviderError) as err:
        generate(registry)
    assert len(fake_stability.requests) == 3  # first try + PROVIDER_MAX_RETRIES (2)
    assert err.value.status == 500 and err.value.retryable and not err.value.refused
    assert err.value.message == "An unexpected server error has occurred"


def test_retry_after_is_honoured(registry, fake_wavespeed):
    fake_wavespeed.fail(times=1, status=429, message="rate limited", retry_after=1)
    generate(registry, "wavespeed")
    first, second = fake_wavespeed.requests[:2]
    assert second.at - first.at >= 0.95


def test_client_errors_are_not_retried(registry, fake_gemini):
    fake_gemini.fail(times=1, status=400, message="bad field")
    with pytest.raises(ProviderError) as err:
        generate(registry, "gemini")
    assert len(fake_gemini.requests) == 1 and not err.value.retryable


def test_a_submission_that_timed_out_is_never_sent_again(provider_config, fake_huggingface):
    provider_config.update(PROVIDER_TIMEOUT=0.3, PROVIDER_MAX_RETRIES=1)
    fake_huggingface.hang(1.0, times=2)
    started = time.monotonic()
    with pytest.raises(ProviderError) as err:
        generate(build_registry(provider_config), "huggingface")
    assert time.monotonic() - started < 1.0
    assert err.value.retryable and "did not answer in time" in err.value.message  # auto may fail over
    assert len(fake_huggingface.requests) == 1  # the work may exist and be billed: one POST only


@pytest.mark.parametrize("name, status, sent", [
    ("stability", 502, 3), ("stability", 500, 3),   # Stability bills only successful calls
    ("wavespeed", 502, 1), ("wavespeed", 500, 1),   # a WaveSpeed task may already exist
    ("huggingface", 503, 3), ("huggingface", 502, 1),
    ("gemini", 503, 1),
    ("stability", 429, 3), ("wavespeed", 429, 3), ("huggingface", 429, 3), ("gemini", 429, 3),
])
def test_a_paid_submission_is_sent_again_only_after_an_unbilled_answer(registry, request, name, status, sent):
    fake = request.getfixturevalue(f"fake_{name}")
    fake.fail(times=3, status=status, message="no")
    with pytest.raises(ProviderError):
        generate(registry, name)
    assert len(fake.requests) == sent and {r.method for r in fake.requests} == {"POST"}


def test_connection_refused_is_retryable(provider_config):
    provider_config.update(STABILITY_API_BASE="http://127.0.0.1:9", PROVIDER_MAX_RETRIES=0)
    with pytest.raises(ProviderError) as err:
        generate(build_registry(provider_config))
    assert err.value.retryable and err.value.message == "Could not connect to Stability AI"


def test_session_settings():
    session = make_session({"PROVIDER_TIMEOUT": 7, "PROVIDER_MAX_RETRIES": 4}, unbilled=(429, 503))
    retry = session.get_adapter("https://x").max_retries
    assert session.timeout == (7.0, 7.0)
    assert retry.total == 4 and retry.respect_retry_after_header and not retry.raise_on_status
    assert {429, 500, 502, 503, 504} <= set(retry.status_forcelist)  # for GETs
    assert "POST" not in retry.allowed_methods and retry.backoff_factor == 0.5
    assert retry.is_retry("POST", 503) and not retry.is_retry("POST", 502)
    assert retry.new(total=1).unbilled == {429, 503} and retry.is_retry("GET", 502)


def test_poll_returns_first_value_and_times_out():
    answers = iter([None, None, "done"])
    assert poll(lambda: next(answers), 0.001, 1, provider="p", label="P") == "done"
    with pytest.raises(ProviderError) as err:
        poll(lambda: None, 0.01, 0.05, provider="p", label="P")
    assert err.value.retryable


@pytest.mark.parametrize("name, status", [("stability", 401), ("wavespeed", 401),
                                          ("huggingface", 401), ("gemini", 400)])
def test_no_key_in_errors(provider_config, name, status):
    key = {"stability": "STABILITY_API_KEY", "wavespeed": "WAVESPEED_API_KEY",
           "huggingface": "HF_TOKEN", "gemini": "GEMINI_API_KEY"}[name]
    provider_config[key] = "wrong-" + KEYS[name]
    registry = build_registry(provider_config)
    with pytest.raises(ProviderError) as err:
        generate(registry, name)
    assert err.value.status == status
    for text in (err.value.message, str(err.value), repr(err.value), repr(registry.get(name))):
        assert KEYS[name] not in text and "SECRET" not in text


def test_polls_are_retried_while_the_submission_is_sent_once(registry, fake_stability, image):
    fake_stability.async_pending = 1
    fake_stability.fail(times=2, status=503, message="busy", path=r"^/v2beta/results/")
    result = registry.get("stability").upscale(UpscaleRequest("creative", image))
    methods = [r.method for r in fake_stability.requests]
    assert result.mime_type.startswith("image/")
    assert methods.count("POST") == 1 and methods.count("GET") >= 3  # two 503 polls retried


def test_each_provider_polls_at_its_own_cadence_unless_one_is_set(provider_config):
    unset = {**provider_config, "PROVIDER_POLL_INTERVAL": None}
    registry = build_registry(unset)
    assert registry.get("stability").poll_interval == 10  # "do not poll more often than every 10 s"
    assert registry.get("wavespeed").poll_interval == 1
    set_ = build_registry({**provider_config, "PROVIDER_POLL_INTERVAL": 0.2})
    assert {set_.get(name).poll_interval for name in ("stability", "wavespeed")} == {0.2}


def test_a_429_while_polling_is_waited_out_and_the_job_kept(registry, fake_stability, image):
    fake_stability.async_pending = 1
    fake_stability.fail(times=4, status=429, message="slow down", path=r"^/v2beta/results/")
    result = registry.get("stability").upscale(UpscaleRequest("creative", image))
    assert result.mime_type.startswith("image/")
    assert [r.method for r in fake_stability.requests].count("POST") == 1


def answer_with(name: str, fakes: dict, data: bytes) -> None:
    """Make provider `name`'s next image (its reply body, result download or base64) `data`."""
    fake = fakes[name]
    if name == "gemini":
        part = {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(data).decode()}}
        fake.queue(status=200, body={"candidates": [{"content": {"role": "model", "parts": [part]},
                                                     "finishReason": "STOP", "index": 0}]})
    elif name == "wavespeed":
        fake.output = "url"
        fake.queue(status=200, body=data, content_type="image/png", path=r"^/outputs/")
    else:
        fake.queue(status=200, body=data, content_type="image/png")


@pytest.fixture
def fakes(fake_stability, fake_wavespeed, fake_huggingface, fake_gemini) -> dict:
    return {"stability": fake_stability, "wavespeed": fake_wavespeed,
            "huggingface": fake_huggingface, "gemini": fake_gemini}


@pytest.mark.parametrize("name", ["stability", "wavespeed", "huggingface", "gemini"])
@pytest.mark.parametrize("size", [(1001, 1000), (14000, 14000)])  # past ours; past Pillow's bomb check
def test_a_reply_past_the_pixel_limit_is_refused_from_its_header(provider_config, fakes, name, size):
    provider_config["MAX_IMAGE_PIXELS"] = 1_000_000
    answer_with(name, fakes, png_header(*size))
    with pytest.raises(ProviderError) as err:
        generate(build_registry(provider_config), name)
    label = {"stability": "Stability AI", "wavespeed": "WaveSpeed AI", "huggingface": "Hugging Face",
             "gemini": "Google Gemini"}[name]
    shown = f"a {size[0]}×{size[1]}" if size[0] < 14000 else "an"
    assert err.value.message == f"{label} returned {shown} image over this server's 1,000,000-pixel limit"
    assert err.value.retryable and not err.value.refused  # another provider may answer at size


@pytest.mark.parametrize("name", ["stability", "huggingface"])
def test_a_reply_at_the_pixel_limit_is_read_whole(provider_config, fakes, name):
    provider_config["MAX_IMAGE_PIXELS"] = 1_000_000
    answer_with(name, fakes, png_bytes(1000, 1000))
    result = generate(build_registry(provider_config), name)
    assert (result.metadata["width"], result.metadata["height"]) == (1000, 1000)
    answer_with(name, fakes, png_header(1000, 1000))  # at the limit, a truncated file is still caught
    with pytest.raises(ProviderError, match="unreadable or truncated"):
        generate(build_registry(provider_config), name)


LABELS = {"stability": "Stability AI", "wavespeed": "WaveSpeed AI", "huggingface": "Hugging Face",
          "gemini": "Google Gemini"}


@pytest.mark.parametrize("name", ["stability", "wavespeed", "huggingface", "gemini"])
def test_a_reply_over_the_byte_limit_is_refused_by_its_length(provider_config, fakes, name):
    provider_config["MAX_PROVIDER_REPLY_MB"] = 1
    answer_with(name, fakes, png_bytes(8, 8) + b"\0" * (1 << 20))
    with pytest.raises(ProviderError) as err:
        generate(build_registry(provider_config), name)
    assert err.value.message == f"{LABELS[name]} sent a reply over this server's 1 MB limit"
    assert err.value.retryable and not err.value.refused


@pytest.mark.parametrize("name", ["stability", "wavespeed", "huggingface", "gemini"])
def test_a_streamed_reply_is_cut_off_at_the_byte_limit(provider_config, fakes, name):
    """A reply with no length (or one that lies) is counted as it comes, not read to its end."""
    provider_config["MAX_PROVIDER_REPLY_MB"] = 1
    body = Streamed(256 << 20)
    path = r"^/outputs/" if name == "wavespeed" else None
    if name == "wavespeed":
        fakes[name].output = "url"
    fakes[name].queue(status=200, body=body, content_type="application/json", path=path)
    with pytest.raises(ProviderError) as err:
        generate(build_registry(provider_config), name)
    assert err.value.message == f"{LABELS[name]} sent a reply over this server's 1 MB limit"
    assert body.sent < 32 << 20         # 1 MB read, the rest at most what the sockets buffered


@pytest.mark.parametrize("name", ["stability", "wavespeed", "huggingface", "gemini"])
def test_a_reply_broken_off_is_told_as_such(provider_config, fakes, name):
    if name == "wavespeed":
        fakes[name].output = "url"
    fakes[name].queue(status=200, body=Streamed(256 << 10, broken=True), content_type="application/json",
                      path=r"^/outputs/" if name == "wavespeed" else None)
    with pytest.raises(ProviderError) as err:
        generate(build_registry(provider_config), name)
    assert err.value.message == f"{LABELS[name]} broke off its reply" and err.value.retryable


def test_a_reply_within_the_byte_limit_is_read_whole(provider_config, fakes):
    image = png_bytes(300, 200)
    provider_config["MAX_PROVIDER_REPLY_MB"] = len(image) / (1 << 20)
    answer_with("huggingface", fakes, image)
    assert generate(build_registry(provider_config), "huggingface").data == image
    answer_with("huggingface", fakes, image + b"\0")
    with pytest.raises(ProviderError, match="reply over this server's"):
        generate(build_registry(provider_config), "huggingface")


@pytest.mark.parametrize("status", [503, 429])
def test_a_retried_reply_without_end_is_not_read_to_its_end(provider_config, fake_stability, status):
    """Before a retry the failed reply is discarded, and discarding is bounded like reading."""
    provider_config["MAX_PROVIDER_REPLY_MB"] = 1
    body = Streamed(256 << 20)
    fake_stability.queue(status=status, body=body)
    with pytest.raises(ProviderError) as err:
        generate(build_registry(provider_config))
    assert err.value.message == f"Stability AI returned HTTP {status}"       # its reason is lost
    assert err.value.status == status and err.value.retryable                # auto fails over
    assert body.sent < 32 << 20 and len(fake_stability.requests) == 1


def test_a_retried_reply_of_a_few_bytes_is_retried(provider_config, fake_stability):
    provider_config["MAX_PROVIDER_REPLY_MB"] = 1
    fake_stability.queue(status=503, body=Streamed(512 << 10))
    assert generate(build_registry(provider_config)).mime_type == "image/png"
    assert len(fake_stability.requests) == 2
