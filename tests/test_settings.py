"""The one settings object (trygg.settings.Settings, pydantic BaseSettings): what an operator sets
in the environment is what the processes use; a blank variable means the default; a wrong value
stops the process with a message that names the variable; secrets never show in a repr."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from trygg.settings import InvalidSetting, Settings, get_settings

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def env(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name in {n.upper() for n in Settings.__fields__} | {"RASA_URLS", "RASA_URL", "TZ_NAME", "TRYGG_ENV",
                                                                "TRYGG_VAR_DIR", "SENDER_HASH_SECRET", "SESSION_SECRET"}:
            monkeypatch.delenv(name)
    monkeypatch.setenv("TRYGG_VAR_DIR", str(tmp_path / "var"))
    return monkeypatch


def set_all(env, **values: str) -> None:
    for name, value in values.items():
        env.setenv(name, value)


def test_values_come_from_the_environment(env, tmp_path):
    set_all(env, WEB_PORT="9090", WEB_RATE_PER_IP="7.5", TZ_NAME="Europe/Copenhagen", TRYGG_ENV=" Production ",
            ALLOWED_ORIGINS="https://kommune.example, https://dagtilbud.example ,",
            RASA_URLS="http://rasa-1:5005,http://rasa-2:5005")
    settings = get_settings()
    assert settings.web_port == 9090 and settings.web_rate_per_ip == 7.5
    assert settings.allowed_origins == ("https://kommune.example", "https://dagtilbud.example")
    assert settings.rasa_urls == ("http://rasa-1:5005", "http://rasa-2:5005")
    assert settings.timezone == "Europe/Copenhagen" and settings.production
    assert settings.database_url == f"sqlite:///{tmp_path / 'var' / 'trygg_havn.db'}", "the SQLite default in TRYGG_VAR_DIR"


def test_a_blank_variable_means_the_default(env):
    for name in ("QUIET_HOURS", "WEB_PORT", "ALLOWED_ORIGINS", "RASA_URLS", "FOLLOWUP_DELAY_DAYS"):
        env.setenv(name, "  " if name == "WEB_PORT" else "")
    env.setenv("RASA_URL", "http://rasa:5005")
    settings = get_settings()
    assert settings.quiet_hours == "22-8" and settings.web_port == 8080 and settings.followup_delay_days == 2
    assert settings.allowed_origins == ("http://localhost:8080", "http://127.0.0.1:8080")
    assert settings.rasa_urls == ("http://rasa:5005",), "RASA_URLS empty: RASA_URL"


def test_a_wrong_value_names_the_variable(env):
    env.setenv("WEB_PORT", "eighty")
    env.setenv("FOLLOWUP_DELAY_DAYS", "two")
    with pytest.raises(InvalidSetting, match=r"WEB_PORT: value is not a valid integer.*FOLLOWUP_DELAY_DAYS"):
        get_settings()


def test_a_process_with_a_wrong_value_stops_with_a_message_not_a_traceback(tmp_path):
    env = {**os.environ, "TRYGG_VAR_DIR": str(tmp_path), "PYTHONPATH": str(REPO_ROOT), "RETENTION_DAYS": "ninety"}
    result = subprocess.run([sys.executable, "-m", "trygg.store.purge"], cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "RETENTION_DAYS: value is not a valid integer" in result.stderr and "Traceback" not in result.stderr


def test_secrets_never_show_in_a_repr(env):
    set_all(env, SENDER_HASH_SECRET="sender-secret-value", SESSION_SECRET="session-secret-value",
            TELEGRAM_BOT_TOKEN="123:token-value", DATABASE_URL="postgresql://trygg:db-password@db/trygg",
            RATE_LIMIT_STORAGE_URL="redis://:redis-password@redis:6379/1")
    settings = get_settings()
    shown = repr(settings) + str(settings)
    for secret in ("sender-secret-value", "session-secret-value", "token-value", "db-password", "redis-password"):
        assert secret not in shown
    assert settings.sender_hash_secret == "sender-secret-value" and settings.telegram_token == "123:token-value"


def test_followup_check_interval_is_positive(env):
    env.setenv("FOLLOWUP_CHECK_SECONDS", "-5")
    assert get_settings().followup_check_seconds == 600
    env.setenv("FOLLOWUP_CHECK_SECONDS", "30")
    assert get_settings().followup_check_seconds == 30
