import pytest

from app.config import ConfigError, load_config


def test_defaults_follow_the_service_contract(tmp_path):
    config = load_config(str(tmp_path), {})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'image_studio.db'}"
    assert config["IMAGE_STUDIO_STORAGE_DIR"] == str(tmp_path / "assets")
    assert config["STABILITY_API_BASE"] == "https://api.stability.ai"
    assert config["HF_API_BASE"] == "https://router.huggingface.co"
    assert config["PROVIDER_TIMEOUT"] == 60 and config["PROVIDER_MAX_RETRIES"] == 3
    assert config["PROVIDER_POLL_INTERVAL"] is None and config["PROVIDER_POLL_TIMEOUT"] == 300
    assert config["MAX_IMAGE_MB"] == 10 and config["MAX_CONTENT_LENGTH"] == 64 * 1024 * 1024
    assert config["MAX_IMAGE_PIXELS"] == 40_000_000
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert config["RATELIMIT_FREE"] == "60 per minute"
    assert config["RATELIMIT_ANONYMOUS"] == "120 per minute"
    assert config["IMAGE_STUDIO_ALLOW_SANDBOX"] is True
    assert config["STABILITY_API_KEY"] is None


def test_secret_key_is_generated_once_and_kept(tmp_path):
    first = load_config(str(tmp_path), {})["SECRET_KEY"]
    second = load_config(str(tmp_path), {})["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_overrides(tmp_path):
    config = load_config(str(tmp_path), {
        "SECRET_KEY": "s", "DATABASE_URL": "postgresql://x/y", "MAX_REQUEST_MB": "2",
        "IMAGE_STUDIO_ALLOW_SANDBOX": "0", "PROVIDER_MAX_RETRIES": "5",
    })
    assert config["SECRET_KEY"] == "s"
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql://x/y"
    assert config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024
    assert config["IMAGE_STUDIO_ALLOW_SANDBOX"] is False
    assert config["PROVIDER_MAX_RETRIES"] == 5


@pytest.mark.parametrize("name, value", [("PROVIDER_TIMEOUT", "soon"), ("MAX_IMAGE_MB", "-1")])
def test_bad_numbers_stop_start_up_with_a_clear_message(tmp_path, name, value):
    with pytest.raises(ConfigError, match=name):
        load_config(str(tmp_path), {"SECRET_KEY": "s", name: value})


MODEL_SETTINGS = ("STABILITY_MODELS", "STABILITY_DEFAULT_MODEL", "WAVESPEED_MODELS",
                  "WAVESPEED_DEFAULT_MODEL", "WAVESPEED_DEFAULT_EDIT_MODEL", "HF_MODELS",
                  "HF_DEFAULT_MODEL", "GEMINI_MODELS", "GEMINI_DEFAULT_MODEL",
                  "GEMINI_DEFAULT_EDIT_MODEL")


def test_model_settings_and_the_live_check_default_to_the_catalogue(tmp_path):
    config = load_config(str(tmp_path), {"SECRET_KEY": "s"})
    assert {name: config[name] for name in MODEL_SETTINGS} == dict.fromkeys(MODEL_SETTINGS)
    assert config["HF_HUB_BASE"] == "https://huggingface.co"
    assert (config["PROVIDER_STATUS_TTL"], config["PROVIDER_STATUS_WAIT"]) == (300, 2)
    config = load_config(str(tmp_path), {"SECRET_KEY": "s", "GEMINI_MODELS": "a,b",
                                         "GEMINI_DEFAULT_MODEL": "b", "PROVIDER_STATUS_TTL": "60"})
    assert (config["GEMINI_MODELS"], config["GEMINI_DEFAULT_MODEL"]) == ("a,b", "b")
    assert config["PROVIDER_STATUS_TTL"] == 60
