"""WaveSpeed client against the fake: JSON wire, envelope, sync mode, polling, output hosts."""
from __future__ import annotations

import pytest

from app.providers import build_registry
from app.providers.base import EditRequest, GenerateRequest, ProviderError
from tests.fakes.server import png_bytes

from .conftest import KEYS


def run(registry, **kwargs):
    return registry.get("wavespeed").generate(GenerateRequest("a poster", **kwargs))


def test_ideogram_wire(registry, fake_wavespeed):
    result = run(registry, width=1080, height=1350, seed=7, negative_prompt="x")
    sent = fake_wavespeed.requests[0]
    assert sent.path == "/api/v3/ideogram-ai/ideogram-v3-turbo"
    assert sent.header("authorization") == f"Bearer {KEYS['wavespeed']}"
    assert sent.header("content-type") == "application/json"
    assert sent.json == {"prompt": "a poster", "aspect_ratio": "3:4",
                         "enable_base64_output": True, "enable_sync_mode": False}
    assert [r.method for r in fake_wavespeed.requests] == ["POST", "GET"]  # created, then polled
    assert result.model == "ideogram-v3-turbo" and result.metadata["requested_aspect_ratio"] == "3:4"


@pytest.mark.parametrize("size, expected", [((1920, 1080), "1536*864"), ((1024, 1024), "1024*1024"),
                                            ((200, 100), "512*256")])
def test_qwen_size(registry, fake_wavespeed, size, expected):
    run(registry, model="qwen-image", width=size[0], height=size[1], seed=0)
    sent = fake_wavespeed.requests[0]
    assert sent.path == "/api/v3/wavespeed-ai/qwen-image/text-to-image"
    assert sent.json["size"] == expected and sent.json["seed"] == 0
    assert sent.json["output_format"] == "png"


@pytest.mark.parametrize("interim", ["processing", "pending"])
def test_polls_until_completed(registry, fake_wavespeed, interim):
    fake_wavespeed.pending, fake_wavespeed.interim_status = 2, interim
    result = run(registry)
    paths = fake_wavespeed.paths()
    job = paths[1].split("/")[4]
    assert paths[1:] == [f"/api/v3/predictions/{job}/result"] * 3
    assert result.metadata["job_id"] == job


@pytest.mark.parametrize("end", ["failed", "cancelled", "timeout"])
def test_a_task_that_ends_badly_stops_polling_at_once_and_is_not_retried(registry, fake_wavespeed, end):
    fake_wavespeed.fail_task, fake_wavespeed.end_status = "NSFW content detected", end
    with pytest.raises(ProviderError) as err:
        run(registry)
    assert "NSFW content detected" in err.value.message and not err.value.retryable
    assert [r.method for r in fake_wavespeed.requests] == ["POST", "GET"]


@pytest.mark.parametrize("error", [{"code": 7}, ["", None], 5])
def test_a_failed_tasks_odd_error_is_told_in_words(registry, fake_wavespeed, error):
    fake_wavespeed.fail_task = error
    with pytest.raises(ProviderError) as err:
        run(registry)
    assert err.value.message == "WaveSpeed AI job failed: the job ended failed"


def test_envelope_code_fails_an_http_200(registry, fake_wavespeed):
    fake_wavespeed.queue(status=200, body={"code": 500, "message": "Upload failed", "data": None})
    with pytest.raises(ProviderError) as err:
        run(registry)
    assert err.value.message == "Upload failed" and err.value.retryable


def test_http_error_message(registry, fake_wavespeed):
    fake_wavespeed.fail(status=403, message="Account suspended")
    with pytest.raises(ProviderError) as err:
        run(registry)
    assert err.value.status == 403 and err.value.message == "Account suspended"


def test_data_url_output(registry, fake_wavespeed):
    fake_wavespeed.output = "data_url"
    assert run(registry).metadata["width"] == 96


def test_url_output_from_own_host_is_downloaded_without_key(registry, fake_wavespeed):
    fake_wavespeed.output = "url"
    result = run(registry)
    download = fake_wavespeed.requests[-1]
    assert download.path.startswith("/outputs/") and download.header("authorization") is None
    assert result.mime_type == "image/png"


def test_url_output_from_other_host_is_refused(registry, fake_wavespeed):
    fake_wavespeed.output = "url"
    fake_wavespeed.output_host = fake_wavespeed.url.replace("127.0.0.1", "localhost")
    with pytest.raises(ProviderError) as err:
        run(registry)
    assert "not allowed" in err.value.message
    assert not any(r.path.startswith("/outputs/") for r in fake_wavespeed.requests)


def test_a_redirect_from_an_allowed_host_is_followed_only_to_an_allowed_host(provider_config, fake_wavespeed):
    """A download that redirects is checked at each hop, so a trusted host cannot hand the
    server on to one it was not told to trust (an internal address, a metadata service)."""
    fake_wavespeed.output = "url"
    elsewhere = fake_wavespeed.url.replace("127.0.0.1", "localhost") + "/outputs/moved.png"
    fake_wavespeed.queue(status=302, headers={"Location": elsewhere}, path=r"^/outputs/")
    with pytest.raises(ProviderError) as err:
        run(build_registry(provider_config))
    assert err.value.message == ("WaveSpeed AI output host 'localhost' is not allowed; "
                                 "add it to PROVIDER_OUTPUT_HOSTS to trust it")
    assert sum(r.path.startswith("/outputs/") for r in fake_wavespeed.requests) == 1   # not fetched
    provider_config["PROVIDER_OUTPUT_HOSTS"] = "localhost"
    fake_wavespeed.queue(status=302, headers={"Location": elsewhere}, path=r"^/outputs/")
    assert run(build_registry(provider_config)).mime_type == "image/png"
    assert fake_wavespeed.requests[-1].path == "/outputs/moved.png"


def test_a_download_that_redirects_without_end_is_refused(registry, fake_wavespeed):
    fake_wavespeed.output = "url"
    fake_wavespeed.queue(times=20, status=302, headers={"Location": "/outputs/again.png"}, path=r"^/outputs/")
    with pytest.raises(ProviderError) as err:
        run(registry)
    assert err.value.message == "WaveSpeed AI redirected its result download more than 5 times"
    assert sum(r.path.startswith("/outputs/") for r in fake_wavespeed.requests) == 6


def test_output_hosts_setting_allows_a_host(provider_config, fake_wavespeed):
    fake_wavespeed.output = "url"
    fake_wavespeed.output_host = fake_wavespeed.url.replace("127.0.0.1", "localhost")
    provider_config["PROVIDER_OUTPUT_HOSTS"] = "cdn.example.com, localhost"
    assert run(build_registry(provider_config)).mime_type == "image/png"


def test_general_edit_with_mask(registry, fake_wavespeed, image):
    mask = png_bytes(96, 64, (0, 0, 0))
    result = registry.get("wavespeed").edit(EditRequest("general_edit", image, mask=mask,
                                                        prompt="make it blue", seed=3))
    sent = fake_wavespeed.requests[0]
    assert sent.path == "/api/v3/wavespeed-ai/qwen-image/edit"
    assert sent.json["image"].startswith("data:image/png;base64,")
    assert sent.json["prompt"] == "make it blue" and sent.json["seed"] == 3
    assert result.metadata["mask_applied"] and result.metadata["width"] == 96


def test_unsupported_edit(registry, image):
    with pytest.raises(ProviderError):
        registry.get("wavespeed").edit(EditRequest("inpaint", image, prompt="x"))


@pytest.mark.parametrize("seed, sent", [(4294967294, 2147483646), (2147483647, 2147483647), (0, 0)])
def test_qwen_seeds_are_folded_into_the_models_range_and_reported(registry, fake_wavespeed, seed, sent):
    result = run(registry, model="qwen-image", seed=seed)
    assert fake_wavespeed.requests[0].json["seed"] == sent and result.seed == sent
