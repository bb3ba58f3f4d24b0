
import pytest

from app.auth.models import User
from app.credits.models import LedgerEntry
from app.credits.service import grant
from app.extensions import db

pytestmark = pytest.mark.database


def test_usage_report_and_grant(app, client, auth, user, runner):
    body = client.get("/api/image-studio/usage", headers=auth).json
    assert body["balance"] == 100 and body["allowance"] == 100 and body["spent"] == 0
    assert body["by_day"][0]["date"].endswith("-01")
    result = runner.invoke(args=["credits", "grant", "user@example.com", "50", "--note", "launch"])
    assert result.exit_code == 0, result.output
    body = client.get("/api/image-studio/usage", headers=auth).json
    assert body["balance"] == 150 and body["granted"] == 50
    assert runner.invoke(args=["credits", "show", "user@example.com"]).output.strip() == "150"
    assert runner.invoke(args=["credits", "grant", "ghost@example.com", "5"]).exit_code != 0
    assert runner.invoke(args=["credits", "grant", "user@example.com", "-5"]).exit_code != 0


def _spend(user_id: int, studio: str, credits: float) -> None:
    db.session.add(LedgerEntry(user_id=user_id, studio=studio, operation="generate", provider="stability",
                               credits=credits, outcome="charged"))
    db.session.commit()


def test_usage_page_says_why_nothing_was_spent(app, signed_in, user):
    with app.app_context():
        grant(db.session.get(User, user), 10)
        _spend(user, "create", 0)
        _spend(user, "social", 0)
    html = signed_in.get("/usage").get_data(as_text=True)
    assert "110 credits" in html and "<svg" not in html and "peak" not in html
    assert "Nothing spent since" in html
    assert "2 results made (2 free: the sandbox and in-app work cost nothing)" in html


def test_usage_page_charts_paid_days(app, signed_in, user):
    with app.app_context():
        _spend(user, "create", 4)
        _spend(user, "create", 0)
    html = signed_in.get("/usage").get_data(as_text=True)
    assert html.count("<rect") >= 1 and "busiest day: 4 credits" in html
    assert "2 results made (1 free" in html and "Nothing spent since" not in html
