"""Credits: reserve before the call, charge only returned results, refund failures, 402 when short."""
import pytest
from sqlalchemy import select

from app.credits.models import LedgerEntry
from app.credits.service import balance
from app.errors import InsufficientCredits, OperationFailed, ValidationFailed
from app.extensions import db
from app.providers.base import GenerateRequest
from app.providers.registry import Route
from tests.studio_helpers import run_one

pytestmark = pytest.mark.database


def _rows(user_id):
    return db.session.scalars(select(LedgerEntry).where(LedgerEntry.user_id == user_id)).all()


def test_charge_only_for_a_returned_result(make_app, provider_config, fake_stability):
    app = make_app(**provider_config)
    from app.auth.service import create_user
    with app.test_request_context():
        user = create_user("c@example.com", "long-enough-pw")
        result = run_one(user.id, "create", "generate", [Route("stability", "core")],
                                GenerateRequest(prompt="a cat"), failure="Image generation failed")
        rows = _rows(user.id)
        assert [(r.outcome, r.credits, r.provider, r.asset_id) for r in rows] == [
            ("charged", 3.0, "stability", result.asset_id)]
        assert balance(user) == 100 - 3


def test_failed_call_is_refunded_and_not_counted(make_app, provider_config, fake_stability):
    app = make_app(**provider_config)
    fake_stability.fail(times=10, status=500)
    from app.auth.service import create_user
    with app.test_request_context():
        user = create_user("c@example.com", "long-enough-pw")
        with pytest.raises(OperationFailed):
            run_one(user.id, "create", "generate", [Route("stability", "ultra")],
                           GenerateRequest(prompt="a cat"), failure="Image generation failed")
        assert [(r.outcome, r.credits) for r in _rows(user.id)] == [("refunded", 8.0)]
        assert balance(user) == 100


def test_refusal_is_refunded(make_app, provider_config, fake_stability):
    app = make_app(**provider_config)
    fake_stability.moderate()
    from app.auth.service import create_user
    with app.test_request_context():
        user = create_user("c@example.com", "long-enough-pw")
        with pytest.raises(ValidationFailed):
            run_one(user.id, "create", "generate", [Route("stability", "core")],
                           GenerateRequest(prompt="x"), failure="Image generation failed")
        assert [r.outcome for r in _rows(user.id)] == ["refunded"]


def test_insufficient_credits_is_402_and_no_provider_call(make_app, provider_config, fake_stability):
    app = make_app(**provider_config, CREDITS_FREE=5)
    from app.auth.service import create_user
    with app.test_request_context():
        user = create_user("c@example.com", "long-enough-pw")
        with pytest.raises(InsufficientCredits) as error:
            run_one(user.id, "create", "generate", [Route("stability", "ultra")],
                           GenerateRequest(prompt="x"), failure="Image generation failed")
        assert error.value.status == 402
        assert error.value.detail.startswith("Insufficient credits: ")
        assert fake_stability.requests == []
        assert _rows(user.id) == []


def test_sandbox_costs_nothing(app, user):
    with app.test_request_context():
        run_one(user, "create", "generate", [Route("sandbox", "sandbox")],
                       GenerateRequest(prompt="x"), failure="Image generation failed")
        assert [(r.outcome, r.credits) for r in _rows(user)] == [("charged", 0.0)]
