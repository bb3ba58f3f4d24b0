"""The shared image path: inputs, provider routes with failover, fitting, storing, errors."""
import base64
import io

import pytest
from PIL import Image
from sqlalchemy import select

from app.assets.models import Asset
from app.credits.models import LedgerEntry
from app.errors import OperationFailed, PayloadTooLarge, ValidationFailed
from app.extensions import db
from app.imaging.formats import output_format
from app.providers.base import GenerateRequest
from app.providers.registry import Route
from app.providers.sandbox import SandboxProvider
from app.studio import execution, runner
from app.studio.inputs import load_input
from tests.fakes.fixtures import KEYS
from tests.studio_helpers import Overlap, run_one


def _b64(image: Image.Image, fmt="PNG", **save) -> str:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return base64.b64encode(buffer.getvalue()).decode()


def test_run_fits_the_result_to_the_exact_size_and_stores_it(app, user):
    with app.test_request_context():
        result = run_one(user, "create", "generate", [Route("sandbox", "sandbox")],
                                GenerateRequest(prompt="a red bike", width=1200, height=628),
                                failure="Image generation failed", size=(1200, 628), output_format="jpeg")
        assert (result.width, result.height, result.mime_type) == (1200, 628, "image/jpeg")
        assert Image.open(io.BytesIO(result.data)).size == (1200, 628)
        assert result.data_url.startswith("data:image/jpeg;base64,")
        asset = db.session.get(Asset, result.asset_id)
        assert asset.user_id == user and asset.provider == "sandbox" and asset.size_bytes == len(result.data)


def test_failover_records_what_failed_first(make_app, provider_config, fake_stability, user):
    app = make_app(**provider_config)
    fake_stability.fail(times=10, status=503, message="Stability is overloaded")
    with app.test_request_context():
        result = run_one(user, "create", "generate",
                                [Route("stability", "core"), Route("sandbox", "sandbox")],
                                GenerateRequest(prompt="x", width=256, height=256),
                                failure="Image generation failed", size=(256, 256))
    assert result.provider == "sandbox"
    assert result.metadata["failover"][0]["provider"] == "stability"
    assert "overloaded" in result.metadata["failover"][0]["error"]


def test_provider_failure_becomes_the_studio_sentence_without_secrets(make_app, provider_config,
                                                                      fake_stability, user):
    app = make_app(**provider_config)
    fake_stability.fail(times=10, status=500, message="An unexpected server error has occurred")
    with app.test_request_context(), pytest.raises(OperationFailed) as error:
        run_one(user, "create", "generate", [Route("stability", "core")],
                       GenerateRequest(prompt="x"), failure="Image generation failed")
    assert error.value.status == 500
    assert error.value.detail.startswith("Image generation failed: ")
    assert KEYS["stability"] not in error.value.detail


def test_moderation_refusal_is_a_400_with_the_providers_reason(make_app, provider_config, fake_stability, user):
    app = make_app(**provider_config)
    fake_stability.moderate()
    with app.test_request_context(), pytest.raises(ValidationFailed) as error:
        run_one(user, "create", "generate", [Route("stability", "core"), Route("sandbox", "sandbox")],
                       GenerateRequest(prompt="x"), failure="Image generation failed")
    assert "moderation" in error.value.detail.lower()


def test_load_input_applies_exif_orientation(app):
    image = Image.new("RGB", (40, 20), (200, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise on display
    with app.app_context():
        loaded = load_input(_b64(image, "JPEG", exif=exif))
    assert (loaded.width, loaded.height) == (20, 40)


def test_load_input_refuses_truncated_oversized_and_bomb_images(make_app):
    app = make_app(MAX_IMAGE_MB=0.05, MAX_IMAGE_PIXELS=10_000)
    noisy = Image.effect_noise((90, 90), 80).convert("RGB")
    full = base64.b64decode(_b64(noisy))
    with app.app_context():
        with pytest.raises(ValidationFailed, match="truncated"):
            load_input(base64.b64encode(full[: len(full) // 2]).decode())
        with pytest.raises(PayloadTooLarge):
            load_input(_b64(Image.effect_noise((200, 200), 90).convert("RGB")))
        with pytest.raises(PayloadTooLarge):
            load_input(_b64(Image.new("L", (200, 200))))
        with pytest.raises(ValidationFailed, match="Invalid base64 image payload"):
            load_input(base64.b64encode(b"not an image at all").decode())
        with pytest.raises(ValidationFailed, match="required"):
            load_input(None)


def test_unknown_output_format_is_400():
    with pytest.raises(ValidationFailed, match="output format"):
        output_format("tiff")


def _plan(routes, count, studio="create"):
    items = [runner.Item(GenerateRequest(prompt="x", width=64, height=64, seed=i), (64, 64),
                         {"variation": i + 1}) for i in range(count)]
    return runner.Plan(studio, "generate", routes, items, output_format("png"), "Image generation failed")


def test_several_items_report_progress_keep_their_order_and_refund_only_failures(
        make_app, provider_config, fake_stability, user):
    app = make_app(**{**provider_config, "PROVIDER_MAX_RETRIES": 0})
    fake_stability.fail(times=1, status=500, message="GPU fell over")
    heard = []
    job = execution.Execution("job", report=lambda slot, result, done, total: heard.append((done, total)))
    with app.test_request_context(), execution.running(job):
        results = runner.run(user, _plan([Route("stability", "core")], 3))
        rows = db.session.scalars(select(LedgerEntry).where(LedgerEntry.user_id == user)).all()
    assert heard == [(1, 3), (2, 3), (3, 3)]
    failed = [r for r in results if not isinstance(r, runner.Delivered)]
    made = [r for r in results if isinstance(r, runner.Delivered)]
    assert len(failed) == 1 and failed[0].message == "GPU fell over" and len(made) == 2
    assert [r.metadata["variation"] for r in made] == sorted(r.metadata["variation"] for r in made)
    assert sorted(r.outcome for r in rows) == ["charged", "charged", "refunded"]
    assert {r.asset_id for r in rows if r.outcome == "charged"} == {r.asset_id for r in made}


def test_file_names_say_what_made_the_image(app, user):
    with app.test_request_context():
        done = runner.run(user, _plan([Route("sandbox", "sandbox")], 1, studio="edit"))[0]
    assert done.file_name == "edit-generate_1.png"      # studio, operation, variation


def test_sandbox_variations_render_one_at_a_time(app, user, monkeypatch):
    overlap, render = Overlap(), SandboxProvider.generate

    def generate(provider, request):
        overlap.busy()
        return render(provider, request)

    monkeypatch.setattr(SandboxProvider, "generate", generate)
    with app.test_request_context():
        results = runner.run(user, _plan([Route("sandbox", "sandbox")], 4))
    assert [r.metadata["variation"] for r in results] == [1, 2, 3, 4]
    assert overlap.peak == 1  # each in-process render holds its rasters: one at a time per slot
