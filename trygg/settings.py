"""Every setting of Trygg havn in one object: `Settings`, a pydantic `BaseSettings` read from the
environment, with safe defaults for `make run`. Both channels, the action server and the purge use it
(`get_settings()`); nothing else reads the environment.

* An empty (or blank) variable counts as not set: the default applies.
* A value of the wrong kind (WEB_PORT=eighty) stops the process with a message naming the variable
  (`InvalidSetting`), instead of running on a default nobody asked for.
* Secrets (bot token, hashing/signing secrets, database passwords inside DATABASE_URL) come only
  from the environment and are kept as `SecretStr` (never in a repr or a log). In development, when
  a secret is not set, a random one is generated once and kept in `var/secrets/` (git-ignored,
  created with mode 0600), so a local run works out of the box and nothing secret is committed.
  In production (`TRYGG_ENV=production`, set by docker-compose.yml) a missing secret or required
  setting stops the process with a clear message instead (`require_production_settings`, called by
  each process at its start).
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, Dict, Iterable, Tuple

from pydantic import BaseSettings, Field, SecretStr, ValidationError, root_validator, validator

REPO_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = REPO_ROOT / "var"  # the default of TRYGG_VAR_DIR

PRODUCTION = "production"
SECRETS = ("SENDER_HASH_SECRET", "SESSION_SECRET")
_LISTS = frozenset({"rasa_urls", "allowed_origins"})  # comma-separated in the environment


class MissingSetting(SystemExit):
    """A production process started without a secret or a required setting (exits with the message)."""


class InvalidSetting(SystemExit):
    """A setting has a value of the wrong kind (exits with the message)."""


class Settings(BaseSettings):
    # Rasa and the action server (bound to 127.0.0.1 only); RASA_URLS: comma-separated, else RASA_URL
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_urls: Tuple[str, ...] = ()
    rasa_timeout_seconds: float = 30

    # Public web entry
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    allowed_origins: Tuple[str, ...] = ("http://localhost:8080", "http://127.0.0.1:8080")
    max_message_chars: int = 2000
    # messages a minute to the web entry per session and per client address (0 = off)
    web_rate_per_session: float = 20
    web_rate_per_ip: float = 60
    # where the rate-limit counters live: memory:// (one process) or redis://… (shared by instances)
    rate_limit_storage_url: str = Field("memory://", repr=False)  # a Redis URL may carry a password
    # the reverse proxy whose X-Forwarded-For is trusted (uvicorn's forwarded_allow_ips)
    forwarded_allow_ips: str = "127.0.0.1"
    # the widget forgets a conversation after this many idle minutes (demo pages' data-idle-minutes)
    widget_idle_minutes: float = 30

    # Telegram (long polling)
    telegram_bot_token: SecretStr = SecretStr("")
    telegram_base_url: str = "https://api.telegram.org/bot"
    # messages a minute per Telegram user (0 = off), and messages of one chat waiting for an answer
    telegram_rate_per_user: float = 20
    telegram_max_pending: int = 5
    # how often the Telegram bot looks for due follow-ups (seconds; 0 or less: the default)
    followup_check_seconds: float = 600

    # Storage (the SQLite defaults live in var_dir)
    var_dir: Path = Field(default_factory=lambda: VAR_DIR, env="TRYGG_VAR_DIR")
    database_url: str = Field("", repr=False)  # may carry a password
    # Rasa's tracker store, for the retention purge (endpoints.yml: var/tracker.db)
    tracker_db_url: str = Field("", repr=False)
    followup_delay_days: float = 2
    retention_days: int = 90
    quiet_hours: str = "22-8"
    timezone: str = Field("Europe/Oslo", env="TZ_NAME")

    # Language and deployment content
    default_language: str = "nb"
    # "" = the default text of content/out_of_scope.yml (actions/out_of_scope.py)
    where_to_ask_nb: str = ""
    where_to_ask_da: str = ""

    environment: str = Field("development", env="TRYGG_ENV")
    log_level: str = "INFO"

    # ---- The leader's side (issue 13): institutions, mail, /leder – docs/leader.md ----------------
    # The deployment's dagtilbud (id, name, leader_email, language). In development the example
    # file with two demo daycares; in production only what INSTITUTIONS_FILE names (unset: none,
    # and nothing is ever mailed).
    institutions_file: str = ""
    # The SMTP server. Development: the local catcher of `make run` (scripts/mail_catcher.py),
    # which writes each mail into var/mail/. SMTP_TLS: none | starttls | ssl.
    smtp_host: str = ""
    smtp_port: int = 8025
    smtp_tls: str = "none"
    smtp_user: str = ""
    smtp_password_env: SecretStr = Field(SecretStr(""), env="SMTP_PASSWORD")
    smtp_timeout_seconds: float = 10
    mail_from: str = "Trygg havn <trygg-havn@example.dk>"
    # seconds between two looks at the outbox by the mailer (python -m trygg.outbox)
    outbox_poll_seconds: float = 2
    # how long the action server waits for the mailer's first attempt before saying «sendes, så snart
    # det er muligt» instead of «sendt»
    mail_confirm_seconds: float = 8
    # the first wait after a failed attempt; doubled after each further one, at most an hour
    outbox_retry_seconds: float = 30
    # the address the leader's sign-in link points to (never taken from a request's Host header)
    public_base_url: str = "http://127.0.0.1:8080"
    leader_link_minutes: float = 15
    leader_session_hours: float = 8

    # Secrets as given in the environment (read them through the properties below)
    sender_hash_secret_env: SecretStr = Field(SecretStr(""), env="SENDER_HASH_SECRET")
    session_secret_env: SecretStr = Field(SecretStr(""), env="SESSION_SECRET")

    class Config:
        frozen = True
        extra = "ignore"

        @classmethod
        def parse_env_var(cls, field_name: str, raw_val: str) -> Any:
            if field_name in _LISTS:
                return tuple(part.strip() for part in raw_val.split(",") if part.strip()) if raw_val.strip() else ""
            return cls.json_loads(raw_val)

    @root_validator(pre=True)
    def _unset_when_blank(cls, values: Dict[str, Any]) -> Dict[str, Any]:
        return {name: value for name, value in values.items() if not (isinstance(value, str) and not value.strip())}

    @validator("environment", "log_level", "smtp_tls")
    def _normalised(cls, value: str) -> str:
        return value.strip().lower()

    @validator("institutions_file", always=True)
    def _institutions_file(cls, value: str, values: Dict[str, Any]) -> str:
        if value or values.get("environment") == PRODUCTION:
            return value
        return str(REPO_ROOT / "deploy" / "institutions.example.yml")

    @validator("smtp_host", always=True)
    def _smtp_host(cls, value: str, values: Dict[str, Any]) -> str:
        return value or ("" if values.get("environment") == PRODUCTION else "127.0.0.1")

    @validator("followup_check_seconds")
    def _positive_interval(cls, value: float) -> float:
        return value if value > 0 else 600.0

    @validator("rasa_urls", always=True)
    def _rasa_urls(cls, value: Tuple[str, ...], values: Dict[str, Any]) -> Tuple[str, ...]:
        return value or tuple(u.strip() for u in values.get("rasa_url", "").split(",") if u.strip())

    @validator("database_url", always=True)
    def _database_url(cls, value: str, values: Dict[str, Any]) -> str:
        return value or f"sqlite:///{values.get('var_dir', VAR_DIR) / 'trygg_havn.db'}"

    @validator("tracker_db_url", always=True)
    def _tracker_db_url(cls, value: str, values: Dict[str, Any]) -> str:
        return value or f"sqlite:///{values.get('var_dir', VAR_DIR) / 'tracker.db'}"

    def where_to_ask(self, language: str) -> str:
        return self.where_to_ask_da if language == "da" else self.where_to_ask_nb

    @property
    def production(self) -> bool:
        return self.environment == PRODUCTION

    @property
    def smtp_password(self) -> str:  # a secret: only from the environment, never logged
        return self.smtp_password_env.get_secret_value()

    @property
    def telegram_token(self) -> str:
        return self.telegram_bot_token.get_secret_value()

    # Secrets, never logged: from the environment, else (development only) generated once
    @property
    def sender_hash_secret(self) -> str:
        return self._secret("SENDER_HASH_SECRET", self.sender_hash_secret_env)

    @property
    def session_secret(self) -> str:
        return self._secret("SESSION_SECRET", self.session_secret_env)

    def _secret(self, name: str, given: SecretStr) -> str:
        value = given.get_secret_value()
        if value:
            return value
        if self.production:
            raise MissingSetting(_missing_message(name))
        return _local_secret(self.var_dir / "secrets" / name.lower())

    def given(self, name: str) -> bool:
        """Whether the environment variable `name` (e.g. "DATABASE_URL") is set to something not blank."""
        return any(name.lower() in field.field_info.extra["env_names"]
                   for key, field in self.__fields__.items() if key in self.__fields_set__)


def get_settings() -> Settings:
    """Read the environment now (tests change it between calls)."""
    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(f"{_env_name(str(e['loc'][0]))}: {e['msg']}" for e in error.errors())
        raise InvalidSetting(f"Invalid setting – {problems}") from None


def _env_name(field_name: str) -> str:
    field = Settings.__fields__.get(field_name)
    return str(field.field_info.extra.get("env") or field_name).upper() if field else field_name.upper()


def _missing_message(name: str) -> str:
    how = (" Generate it once with: python -c 'import secrets; print(secrets.token_hex(32))'"
           if name in SECRETS else "")
    return (f"{name} is not set. In production (TRYGG_ENV=production) it must come from the environment "
            f"(deploy/production.env, docs/operations.md).{how}")


def require_production_settings(names: Iterable[str]) -> None:
    """In production, stop with a clear message when one of `names` is not set in the environment."""
    settings = get_settings()
    if not settings.production:
        return
    for name in names:
        if not settings.given(name):
            raise MissingSetting(_missing_message(name))


def _local_secret(path: Path) -> str:
    """A development secret: the one generated earlier at `path`, else a new one (mode 0600)."""
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
