"""Shared pytest fixtures: real services (PostgreSQL, Redis, Chromium) or a visible skip.

On a machine without PostgreSQL/Redis/Chromium the tests that need them are skipped with the
reason printed (`pytest -rs`). With REQUIRE_SERVICES=1 (set by .ci/run) a missing service is a
failure instead, so CI can never pass by skipping.

Tiers: every test that needs the trained model, a running bot, PostgreSQL, Redis, the production
stack or a browser is marked `slow` here (by the fixtures it uses, or by its module); the rest is
the fast tier, `make test-fast` (`pytest -m "not slow"`: no model, no services, no browser).
`make test` runs both.
"""
from __future__ import annotations

import os
import shutil
import socket
import sys
from pathlib import Path

import pytest
import yaml

# the `smtp` fixture: a real SMTP server (aiosmtpd) on a free local port
pytest_plugins = ["tests.smtp_server"]

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


# Fixtures that start or need something outside the test process (see the docstring above).
SLOW_FIXTURES = frozenset({"bot_servers", "nlu_agent", "postgres_url", "redis_url", "chromium_path"})
# Modules whose tests all need the model, running servers, the production stack or a browser.
SLOW_MODULES = frozenset({
    "test_bot_over_rest", "test_crisis_e2e", "test_crisis_heldout", "test_crisis_net", "test_followup_on_return",
    "test_compact_lemmas", "test_nlu_holdout", "test_nlu_long", "test_planted_identifiers", "test_production_stack", "test_reflection_questions",
    "test_telegram_e2e", "test_web_e2e", "test_widget_browser",
    "test_leader_e2e",
})


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "slow: needs the trained model, running servers, PostgreSQL/Redis or a browser "
                                       "(left out by `make test-fast`)")


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1] if getattr(item, "module", None) else ""
        if module in SLOW_MODULES or SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def need_service(available: bool, reason: str) -> None:
    if available:
        return
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    need_service(_port_open("127.0.0.1", 5432), "PostgreSQL is not running on 127.0.0.1:5432")
    return POSTGRES_URL


@pytest.fixture(scope="session")
def redis_url() -> str:
    need_service(_port_open("127.0.0.1", 6379), "Redis is not running on 127.0.0.1:6379")
    return REDIS_URL


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    need_service(bool(path), "Chromium is not installed (Debian package `chromium`)")
    return path


# ---------------------------------------------------------------------------------------------
# The real bot, for end-to-end tests: `rasa run` (REST channel) + the action server, on free
# ports, with their own SQLite files. Started once per test session, only when a test asks.
# ---------------------------------------------------------------------------------------------
import subprocess  # noqa: E402

from tests.stack import MODEL_PATH, VENV_BIN, free_port, wait_http  # noqa: E402,F401


class BotServers:
    """A running Rasa + action server pair; `rasa_url` is the REST base URL."""

    def __init__(self, workdir: Path, database_url: str | None = None, debug: bool = False):
        self.workdir = workdir
        self.debug = ["--debug"] if debug else []  # log every message received (tests/test_planted_identifiers.py)
        self.rasa_port, self.action_port = free_port(), free_port()
        self.rasa_url = f"http://127.0.0.1:{self.rasa_port}"
        self.action_url = f"http://127.0.0.1:{self.action_port}"
        self.tracker_db = workdir / "tracker.db"
        self.database_url = database_url or f"sqlite:///{workdir / 'app.db'}"
        self.endpoints = workdir / "endpoints.yml"
        # The project's endpoints.yml (action endpoint settings, tracker store), on this pair's ports and files
        endpoints = yaml.safe_load((REPO_ROOT / "endpoints.yml").read_text(encoding="utf-8"))
        endpoints["action_endpoint"]["url"] = f"{self.action_url}/webhook"
        endpoints["tracker_store"]["db"] = str(self.tracker_db)
        self.endpoints.write_text(yaml.safe_dump(endpoints), encoding="utf-8")
        self.env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "SANIC_HOST": "127.0.0.1",
                    "DATABASE_URL": self.database_url, "TRACKER_DB_URL": f"sqlite:///{self.tracker_db}",
                    "TRYGG_VAR_DIR": str(workdir / "var"), "PYTHONPATH": str(REPO_ROOT)}
        self.actions: subprocess.Popen | None = None
        self.rasa: subprocess.Popen | None = None

    @property
    def sender_hash_secret(self) -> str:
        """The secret the action server hashes sender ids with (env, else the one it generated)."""
        return self.env.get("SENDER_HASH_SECRET") or (self.workdir / "var" / "secrets" / "sender_hash_secret").read_text().strip()

    def start_actions(self) -> None:
        self.actions = subprocess.Popen(
            [str(VENV_BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(self.action_port), *self.debug],
            cwd=REPO_ROOT, env=self.env, stdout=open(self.workdir / "actions.log", "ab"), stderr=subprocess.STDOUT)
        wait_http(f"{self.action_url}/health", process=self.actions)

    def stop_actions(self) -> None:
        if self.actions and self.actions.poll() is None:
            self.actions.terminate()
            self.actions.wait(timeout=20)

    def start(self) -> "BotServers":
        if not MODEL_PATH.exists():
            pytest.fail(f"no trained model at {MODEL_PATH}: run `make train` (make test does it)")
        self.start_actions()
        self.rasa = subprocess.Popen(
            [str(VENV_BIN / "rasa"), "run", "--model", str(MODEL_PATH), "--interface", "127.0.0.1",
             "--port", str(self.rasa_port), "--credentials", str(REPO_ROOT / "credentials.yml"),
             "--endpoints", str(self.endpoints), *self.debug],
            cwd=REPO_ROOT, env=self.env, stdout=open(self.workdir / "rasa.log", "ab"), stderr=subprocess.STDOUT)
        wait_http(f"{self.rasa_url}/", timeout=300, process=self.rasa)
        return self

    def stop(self) -> None:
        for process in (self.rasa, self.actions):
            if process and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()


@pytest.fixture(scope="session")
def bot_servers(tmp_path_factory):
    servers = BotServers(tmp_path_factory.mktemp("bot")).start()
    yield servers
    servers.stop()


@pytest.fixture(scope="session")
def nlu_agent():
    """The trained model, loaded in-process, for parsing messages without a server."""
    import asyncio

    from rasa.core.agent import Agent

    if not MODEL_PATH.exists():
        pytest.fail(f"no trained model at {MODEL_PATH}: run `make train` (make test does it)")
    agent = Agent.load(str(MODEL_PATH))
    loop = asyncio.new_event_loop()

    def parse(text: str) -> dict:
        return loop.run_until_complete(agent.parse_message(text))

    yield parse
    loop.close()
