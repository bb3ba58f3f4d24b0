"""`flask providers check`: a table of every provider, exit 1 when a configured one fails."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.fakes.fixtures import KEYS

ROOT = Path(__file__).resolve().parents[2]


def _check(make_app, **settings):
    result = make_app(**settings).test_cli_runner().invoke(args=["providers", "check"])
    lines = result.output.splitlines()
    rows = {line.split()[0]: line for line in lines[1:]}
    return result.exit_code, lines[0], rows


def test_all_configured_and_working(make_app, provider_config):
    code, header, rows = _check(make_app, **provider_config)
    assert code == 0
    assert header.split() == ["provider", "configured", "key", "ok", "models", "served", "missing",
                              "message"]
    assert list(rows) == ["stability", "wavespeed", "huggingface", "gemini", "sandbox"]
    assert rows["gemini"].split()[:6] == ["gemini", "yes", "yes",
                                          "gemini-3.1-flash-image,", "gemini-3-pro-image", "-"]
    assert rows["stability"].split()[:6] == ["stability", "yes", "yes", "not", "listed", "-"]
    assert rows["stability"].endswith("key accepted; balance 12.50 credits")


def test_nothing_configured_is_not_a_failure(make_app):
    code, _, rows = _check(make_app)
    assert code == 0
    for name in ("stability", "wavespeed", "huggingface", "gemini"):
        assert rows[name].split()[:5] == [name, "no", "-", "-", "-"]
        assert rows[name].endswith("no key is set")


def test_a_bad_key_fails_the_check(make_app, provider_config):
    code, _, rows = _check(make_app, **{**provider_config, "GEMINI_API_KEY": "AIza-wrong"})
    assert code == 1
    assert rows["gemini"].split()[:3] == ["gemini", "yes", "no"]
    assert rows["gemini"].endswith("API key not valid. Please pass a valid API key.")
    assert rows["stability"].split()[2] == "yes"


def test_a_configured_model_that_is_not_served_fails_the_check(make_app, provider_config,
                                                                fake_gemini):
    fake_gemini.served.discard("gemini-3-pro-image")  # retired under us
    code, _, rows = _check(make_app, **provider_config)
    assert code == 1
    assert rows["gemini"].split()[:5] == ["gemini", "yes", "yes", "gemini-3.1-flash-image",
                                          "gemini-3-pro-image"]


def test_flask_providers_check_from_a_shell(tmp_path, fake_stability):
    """As an operator runs it: `flask --app wsgi providers check`, settings from the environment."""
    env = {**os.environ, "SECRET_KEY": "s" * 32, "IMAGE_STUDIO_INSTANCE_PATH": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
           "STABILITY_API_KEY": "sk-wrong", "STABILITY_API_BASE": fake_stability.url,
           "PROVIDER_MAX_RETRIES": "0"}
    flask = Path(sys.executable).with_name("flask")
    result = subprocess.run([str(flask), "--app", "wsgi", "providers", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    stability = next(line for line in result.stdout.splitlines() if line.startswith("stability"))
    assert stability.split()[:3] == ["stability", "yes", "no"]
    assert "authorization: invalid key" in stability and KEYS["stability"] not in result.stdout
