"""Every setting of Trygg havn, read from the environment, with safe defaults for `make run`.

Secrets (bot token, hashing/signing secrets, database passwords inside DATABASE_URL) come only
from the environment. In development, when a secret is not set, a random one is generated once and
kept in `var/secrets/` (git-ignored, created with mode 0600), so a local run works out of the box
and nothing secret is committed. In production (`TRYGG_ENV=production`, set by docker-compose.yml)
a missing secret or required setting stops the process with a clear message instead
(`require_production_settings`, called by each process at its start).
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

REPO_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TRYGG_VAR_DIR", REPO_ROOT / "var"))


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_int(name: str, default: int) -> int:
    try:
        return int(_env(name, str(default)))
    except ValueError:
        return default


PRODUCTION = "production"
SECRETS = ("SENDER_HASH_SECRET", "SESSION_SECRET")


class MissingSetting(SystemExit):
    """A production process started without a secret or a required setting (exits with the message)."""


def is_production() -> bool:
    return _env("TRYGG_ENV", "development").strip().lower() == PRODUCTION


def _missing_message(name: str) -> str:
    how = (" Generate it once with: python -c 'import secrets; print(secrets.token_hex(32))'"
           if name in SECRETS else "")
    return (f"{name} is not set. In production (TRYGG_ENV=production) it must come from the environment "
            f"(deploy/production.env, README 'Running in production').{how}")


def require_production_settings(names: Iterable[str]) -> None:
    """In production, stop with a clear message when one of `names` is not set in the environment."""
    if not is_production():
        return
    for name in names:
        if not os.environ.get(name, "").strip():
            raise MissingSetting(_missing_message(name))


def _env_float(name: str, default: float) -> float:
    try:
        return float(_env(name, str(default)))
    except ValueError:
        return default


def _local_secret(name: str) -> str:
    """A secret from the environment; in development else one generated once under var/secrets/."""
    value = os.environ.get(name)
    if value:
        return value
    if is_production():
        raise MissingSetting(_missing_message(name))
    path = VAR_DIR / "secrets" / name.lower()
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    try:
        # 0600 from the first byte: no moment in which another user could read it
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


@dataclass(frozen=True)
class Settings:
    # Rasa and the action server (bound to 127.0.0.1 only)
    rasa_urls: tuple = field(
        default_factory=lambda: tuple(
            u.strip() for u in _env("RASA_URLS", _env("RASA_URL", "http://127.0.0.1:5005")).split(",") if u.strip()
        )
    )
    rasa_timeout_seconds: float = field(default_factory=lambda: float(_env("RASA_TIMEOUT_SECONDS", "30")))

    # Public web entry
    web_host: str = field(default_factory=lambda: _env("WEB_HOST", "127.0.0.1"))
    web_port: int = field(default_factory=lambda: _env_int("WEB_PORT", 8080))
    allowed_origins: tuple = field(
        default_factory=lambda: tuple(
            o.strip()
            for o in _env("ALLOWED_ORIGINS", "http://localhost:8080,http://127.0.0.1:8080").split(",")
            if o.strip()
        )
    )
    max_message_chars: int = field(default_factory=lambda: _env_int("MAX_MESSAGE_CHARS", 2000))
    # messages a minute to the web entry per session and per client address (0 = off)
    web_rate_per_session: float = field(default_factory=lambda: _env_float("WEB_RATE_PER_SESSION", 20))
    web_rate_per_ip: float = field(default_factory=lambda: _env_float("WEB_RATE_PER_IP", 60))
    # where the rate-limit counters live: memory:// (one process) or redis://… (shared by instances)
    rate_limit_storage_url: str = field(default_factory=lambda: _env("RATE_LIMIT_STORAGE_URL", "memory://"))
    # the reverse proxy whose X-Forwarded-For is trusted (uvicorn's forwarded_allow_ips)
    forwarded_allow_ips: str = field(default_factory=lambda: _env("FORWARDED_ALLOW_IPS", "127.0.0.1"))
    # the widget forgets a conversation after this many idle minutes (demo pages' data-idle-minutes)
    widget_idle_minutes: float = field(default_factory=lambda: _env_float("WIDGET_IDLE_MINUTES", 30))

    # Telegram
    telegram_bot_token: str = field(default_factory=lambda: _env("TELEGRAM_BOT_TOKEN", ""))
    telegram_base_url: str = field(default_factory=lambda: _env("TELEGRAM_BASE_URL", "https://api.telegram.org/bot"))
    telegram_webhook_url: str = field(default_factory=lambda: _env("TELEGRAM_WEBHOOK_URL", ""))
    telegram_webhook_secret: str = field(default_factory=lambda: _env("TELEGRAM_WEBHOOK_SECRET", ""))
    # messages a minute per Telegram user (0 = off), and messages of one chat waiting for an answer
    telegram_rate_per_user: float = field(default_factory=lambda: _env_float("TELEGRAM_RATE_PER_USER", 20))
    telegram_max_pending: int = field(default_factory=lambda: _env_int("TELEGRAM_MAX_PENDING", 5))

    # Storage
    database_url: str = field(
        default_factory=lambda: _env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'trygg_havn.db'}")
    )
    # Rasa's tracker store, for the retention purge (endpoints.yml: var/tracker.db)
    tracker_db_url: str = field(
        default_factory=lambda: _env("TRACKER_DB_URL", f"sqlite:///{VAR_DIR / 'tracker.db'}")
    )
    followup_delay_days: float = field(default_factory=lambda: float(_env("FOLLOWUP_DELAY_DAYS", "2")))
    retention_days: int = field(default_factory=lambda: _env_int("RETENTION_DAYS", 90))
    quiet_hours: str = field(default_factory=lambda: _env("QUIET_HOURS", "22-8"))
    timezone: str = field(default_factory=lambda: _env("TZ_NAME", "Europe/Oslo"))

    # Language and deployment content
    default_language: str = field(default_factory=lambda: _env("DEFAULT_LANGUAGE", "nb"))
    where_to_ask_nb: str = field(
        default_factory=lambda: _env(
            "WHERE_TO_ASK_NB",
            "barneverntjenesten i kommunen din, eller kontaktpersonen din for fosterhjemmet",
        )
    )
    where_to_ask_da: str = field(
        default_factory=lambda: _env(
            "WHERE_TO_ASK_DA",
            "din leder i dagtilbuddet eller Børne- og Familieafdelingen i Furesø Kommune",
        )
    )

    def where_to_ask(self, language: str) -> str:
        return self.where_to_ask_da if language == "da" else self.where_to_ask_nb

    environment: str = field(default_factory=lambda: _env("TRYGG_ENV", "development").strip().lower())

    # ---- The leader's side (issue 13): institutions, mail, /leder – docs/leader.md --------------
    # The deployment's dagtilbud (id, name, leader_email, language). In development the example
    # file with two demo daycares; in production only what INSTITUTIONS_FILE names (unset: none,
    # and nothing is ever mailed).
    institutions_file: str = field(default_factory=lambda: _env(
        "INSTITUTIONS_FILE", "" if is_production() else str(REPO_ROOT / "deploy" / "institutions.example.yml")))
    # The SMTP server. Development: the local catcher of `make run` (scripts/mail_catcher.py),
    # which writes each mail into var/mail/. SMTP_TLS: none | starttls | ssl.
    smtp_host: str = field(default_factory=lambda: _env("SMTP_HOST", "" if is_production() else "127.0.0.1"))
    smtp_port: int = field(default_factory=lambda: _env_int("SMTP_PORT", 8025))
    smtp_tls: str = field(default_factory=lambda: _env("SMTP_TLS", "none").strip().lower())
    smtp_user: str = field(default_factory=lambda: _env("SMTP_USER", ""))
    smtp_timeout_seconds: float = field(default_factory=lambda: _env_float("SMTP_TIMEOUT_SECONDS", 10))
    mail_from: str = field(default_factory=lambda: _env("MAIL_FROM", "Trygg havn <trygg-havn@example.dk>"))
    # seconds between two looks at the outbox by the mailer (python -m trygg.outbox)
    outbox_poll_seconds: float = field(default_factory=lambda: _env_float("OUTBOX_POLL_SECONDS", 2))
    # how long the action server waits for the mailer's first attempt before saying «sendes, så snart
    # det er muligt» instead of «sendt»
    mail_confirm_seconds: float = field(default_factory=lambda: _env_float("MAIL_CONFIRM_SECONDS", 8))
    # the first wait after a failed attempt; doubled after each further one, at most an hour
    outbox_retry_seconds: float = field(default_factory=lambda: _env_float("OUTBOX_RETRY_SECONDS", 30))
    # the address the leader's sign-in link points to (never taken from a request's Host header)
    public_base_url: str = field(default_factory=lambda: _env("PUBLIC_BASE_URL", "http://127.0.0.1:8080"))
    leader_link_minutes: float = field(default_factory=lambda: _env_float("LEADER_LINK_MINUTES", 15))
    leader_session_hours: float = field(default_factory=lambda: _env_float("LEADER_SESSION_HOURS", 8))

    @property
    def smtp_password(self) -> str:  # a secret: only from the environment, never logged
        return os.environ.get("SMTP_PASSWORD", "")
    # ---- end of the leader's side ---------------------------------------------------------------

    @property
    def production(self) -> bool:
        return self.environment == PRODUCTION

    # Secrets, never logged
    @property
    def sender_hash_secret(self) -> str:
        return _local_secret("SENDER_HASH_SECRET")

    @property
    def session_secret(self) -> str:
        return _local_secret("SESSION_SECRET")


def get_settings() -> Settings:
    """Read the environment now (tests change it between calls)."""
    return Settings()
