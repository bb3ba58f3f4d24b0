import jwt
import pytest

from app.auth.service import find_user
from app.extensions import db

pytestmark = pytest.mark.database


def test_users_create_then_tokens_issue_prints_the_token_alone(app, runner):
    result = runner.invoke(args=["users", "create", "ops@example.com", "--password", "s3cret-pass",
                                 "--tier", "pro", "--admin"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = find_user("ops@example.com")
        assert user.tier == "pro" and user.is_admin
    result = runner.invoke(args=["tokens", "issue", "ops@example.com", "--expires-in", "120"])
    assert result.exit_code == 0
    token = result.stdout.strip()
    assert "\n" not in token
    claims = jwt.decode(token, app.config["SECRET_KEY"], algorithms=["HS256"])
    assert claims["tier"] == "pro" and claims["exp"] - claims["iat"] == 120


def test_duplicate_email_exits_non_zero_with_a_message(runner):
    assert runner.invoke(args=["users", "create", "a@example.com", "--password", "long-enough"]).exit_code == 0
    result = runner.invoke(args=["users", "create", "A@example.com", "--password", "long-enough"])
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_invalid_email_and_short_password_are_refused(runner):
    assert runner.invoke(args=["users", "create", "not-an-email", "--password", "long-enough"]).exit_code != 0
    result = runner.invoke(args=["users", "create", "b@example.com", "--password", "short"])
    assert result.exit_code != 0 and "at least 8" in result.output


def test_token_for_unknown_account_fails(runner):
    result = runner.invoke(args=["tokens", "issue", "ghost@example.com"])
    assert result.exit_code != 0 and "No account" in result.output


@pytest.mark.parametrize("args", [["users", "create", "a@example.com", "--password", "long-enough"],
                                  ["credits", "show", "a@example.com"], ["sweep"], ["jobs", "--help"]])
def test_commands_before_the_first_migration_say_what_to_run(app, runner, args):
    with app.app_context():
        db.drop_all()
    result = runner.invoke(args=args)
    if args[-1] == "--help":   # a command that needs no table still works
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "The database has no tables yet: run `flask --app wsgi db upgrade`" in result.output


def test_many_apps_in_one_process_wrap_each_command_once(make_app):
    names = ("sweep", "users", "credits", "jobs")
    first = {name: make_app().cli.commands[name].invoke for name in names}
    again = make_app().cli.commands
    for name in names:
        assert again[name].invoke is first[name], name   # not a wrapper around a wrapper
    result = make_app().test_cli_runner().invoke(args=["sweep"])
    assert result.exit_code == 0, result.output
