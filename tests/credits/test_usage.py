
import pytest

from app.auth.models import User
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


def test_usage_page_draws_the_chart(app, signed_in, user):
    with app.app_context():
        grant(db.session.get(User, user), 10)
    html = signed_in.get("/usage").get_data(as_text=True)
    assert "<svg" in html and "110 credits" in html
