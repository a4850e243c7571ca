"""Secrets: generated 0600 files in development, a clear refusal in production, one key per purpose."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from trygg import keys
from trygg.settings import MissingSetting, get_settings, require_production_settings

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in ("SENDER_HASH_SECRET", "SESSION_SECRET", "TRYGG_ENV", "FORWARDED_ALLOW_IPS", "RATE_LIMIT_STORAGE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TRYGG_VAR_DIR", str(tmp_path / "var"))
    import trygg.settings as settings_module
    monkeypatch.setattr(settings_module, "VAR_DIR", tmp_path / "var")
    return tmp_path / "var"


def test_development_generates_each_secret_once_with_mode_0600(clean_env, monkeypatch):
    old_umask = os.umask(0o000)  # even with a permissive umask: 0600 from the first byte
    try:
        first = get_settings().sender_hash_secret
    finally:
        os.umask(old_umask)
    path = clean_env / "secrets" / "sender_hash_secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert len(first) == 64 and get_settings().sender_hash_secret == first, "made once, then read"
    assert get_settings().session_secret != first, "each secret its own"
    monkeypatch.setenv("SENDER_HASH_SECRET", "from-the-environment")
    assert get_settings().sender_hash_secret == "from-the-environment"


def test_production_never_invents_a_secret(clean_env, monkeypatch):
    monkeypatch.setenv("TRYGG_ENV", "production")
    with pytest.raises(MissingSetting, match="SENDER_HASH_SECRET is not set"):
        get_settings().sender_hash_secret
    with pytest.raises(MissingSetting, match="SESSION_SECRET is not set"):
        get_settings().session_secret
    assert not (clean_env / "secrets").exists()
    with pytest.raises(MissingSetting, match="FORWARDED_ALLOW_IPS"):
        require_production_settings(["FORWARDED_ALLOW_IPS"])
    monkeypatch.setenv("TRYGG_ENV", "development")
    require_production_settings(["FORWARDED_ALLOW_IPS"])  # nothing required in development


@pytest.mark.parametrize("command, missing, given", [
    ([sys.executable, "-m", "bot.web"], "SESSION_SECRET", {}),
    ([sys.executable, "-m", "bot.web"], "FORWARDED_ALLOW_IPS", {"SESSION_SECRET": "s"}),
    ([sys.executable, "-m", "bot.web"], "RATE_LIMIT_STORAGE_URL", {"SESSION_SECRET": "s", "FORWARDED_ALLOW_IPS": "10.0.0.1"}),
    ([sys.executable, "-m", "bot.telegram"], "SENDER_HASH_SECRET", {"TELEGRAM_BOT_TOKEN": "1:x"}),
    ([sys.executable, "-c", "import actions.startup_check"], "SENDER_HASH_SECRET", {"DATABASE_URL": "sqlite://"}),
])
def test_production_processes_refuse_to_start_without_their_secrets(tmp_path, command, missing, given):
    env = {k: v for k, v in os.environ.items()
           if k not in ("SENDER_HASH_SECRET", "SESSION_SECRET", "FORWARDED_ALLOW_IPS", "RATE_LIMIT_STORAGE_URL",
                        "TELEGRAM_BOT_TOKEN", "DATABASE_URL")}
    env.update({"TRYGG_ENV": "production", "TRYGG_VAR_DIR": str(tmp_path / "var"), "PYTHONPATH": str(REPO_ROOT), **given})
    result = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert f"{missing} is not set" in result.stderr and "TRYGG_ENV=production" in result.stderr
    assert "Traceback" not in result.stderr, "a clear message, not a stack trace"
    assert not (tmp_path / "var" / "secrets").exists(), "no secret was invented"


def test_one_key_per_purpose():
    derived = {label: keys.derive_key("one-secret", label) for label in (
        keys.TELEGRAM_SENDER_ID, keys.STORE_USER_KEY, keys.TELEGRAM_CHAT_TOKEN, keys.WEB_SESSION_TOKEN, keys.WEB_SENDER_ID)}
    assert len(set(derived.values())) == 5 and all(len(k) == 32 for k in derived.values())
    assert keys.derive_key("other-secret", keys.STORE_USER_KEY) != derived[keys.STORE_USER_KEY]
    with pytest.raises(ValueError):
        keys.derive_key("", keys.STORE_USER_KEY)


def test_channel_pseudonym_maps_consistently_to_the_store_key():
    """Telegram user → Rasa sender id → store key: stable, and the follow-up job computes the same key."""
    from trygg.keys import pseudonymous_key
    from bot.telegram.identity import sender_id

    sender = sender_id(4242, "s")
    assert sender == sender_id("4242", "s")
    store_key = pseudonymous_key(sender, "s")
    assert store_key == pseudonymous_key(sender_id(4242, "s"), "s") and store_key != sender
    assert pseudonymous_key(sender, "t") != store_key
