"""The production stack on one machine, for the scale-out/fault tests and `make bench`.

Exactly what docker-compose.yml runs, as local processes: N Rasa instances with
deploy/endpoints.production.yml (tracker store on PostgreSQL, lock store on Redis), the action
server on PostgreSQL, and the public web entry with RASA_URLS round-robin over the instances
(`add_web` starts more web instances, e.g. sharing rate-limit counters in Redis).
Each stack gets its own fresh PostgreSQL database, dropped on exit.

    with ProductionStack(workdir, postgres_admin_url, redis_url, instances=2) as stack:
        stack.web_url, stack.rasa_urls, stack.kill_rasa(0), stack.stop_actions() …
"""
from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Optional
from urllib.parse import urlsplit

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

REPO_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = REPO_ROOT / ".venv" / "bin"
MODEL_PATH = REPO_ROOT / "models" / "trygg-havn.tar.gz"
PRODUCTION_ENDPOINTS = REPO_ROOT / "deploy" / "endpoints.production.yml"

# Ten content questions per language, each with its own answer (load and scale-out traffic).
SAMPLE_QUESTIONS = {
    "nb": ["hva er tilknytning", "barnet vil ikke klemme meg", "hva er den store hånden", "hva er mentalisering",
           "hvordan kan jeg hjelpe barnet å regulere følelsene", "hva er en indre arbeidsmodell",
           "hvorfor er det bra å klemme barn", "hva er den lille hånden", "hva er omsorgsgrebet",
           "hva er circle of security"],
    "da": ["hvad er tilknytning", "barnet vil ikke krammes", "hvad er den store hånd", "hvad er mentalisering",
           "hvordan hjælper jeg barnet med at regulere følelser", "hvad er en indre arbejdsmodel",
           "hvorfor er det godt at kramme børn", "hvad er den lille hånd", "hvad er omsorgsgrebet",
           "hvad er circle of security"],
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 180.0, process: "subprocess.Popen | None" = None) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except Exception:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not come up in {timeout} s")


def create_database(admin_url: str, prefix: str = "trygg_stack") -> str:
    """A fresh, randomly named PostgreSQL database; its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, future=True, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, url: str) -> None:
    name = make_url(url).database
    admin = create_engine(admin_url, future=True, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                              " WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    finally:
        admin.dispose()


class ProductionStack:
    def __init__(self, workdir: Path, postgres_admin_url: str, redis_url: str, instances: int = 2,
                 extra_env: Optional[Dict[str, str]] = None, endpoints: Path = PRODUCTION_ENDPOINTS):
        self.workdir = Path(workdir)
        self.endpoints = Path(endpoints)  # `make bench --endpoints`: e.g. another tracker store, side by side
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.admin_url = postgres_admin_url
        self.redis = urlsplit(redis_url)
        self.instances = instances
        self.extra_env = extra_env or {}
        self.database_url = ""
        self.action_port = free_port()
        self.rasa_ports = [free_port() for _ in range(instances)]
        self.web_port = free_port()
        self.rasa: List[Optional[subprocess.Popen]] = [None] * instances
        self.actions: Optional[subprocess.Popen] = None
        self.web: Optional[subprocess.Popen] = None
        self.more_webs: List[subprocess.Popen] = []  # add_web(): further web instances

    # ------------------------------------------------------------------ addresses

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}"

    @property
    def rasa_urls(self) -> List[str]:
        return [f"http://127.0.0.1:{port}" for port in self.rasa_ports]

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def env(self) -> Dict[str, str]:
        db = make_url(self.database_url)
        return {
            **os.environ,
            "RASA_TELEMETRY_ENABLED": "false", "SANIC_HOST": "127.0.0.1", "PYTHONPATH": str(REPO_ROOT),
            "LOG_LEVEL": "WARNING", "TRYGG_VAR_DIR": str(self.workdir / "var"),
            "SENDER_HASH_SECRET": "stack-sender-secret", "SESSION_SECRET": "stack-session-secret",
            # action server and purge
            "DATABASE_URL": self.database_url,
            # every Rasa instance (deploy/endpoints.production.yml)
            "ACTION_SERVER_URL": f"{self.action_url}/webhook",
            "TRACKER_DB_HOST": db.host or "127.0.0.1", "TRACKER_DB_PORT": str(db.port or 5432),
            "TRACKER_DB_NAME": db.database, "TRACKER_DB_USER": db.username or "postgres",
            "TRACKER_DB_PASSWORD": db.password or "",
            "REDIS_HOST": self.redis.hostname or "127.0.0.1", "REDIS_PORT": str(self.redis.port or 6379),
            "REDIS_DB": (self.redis.path or "/0").strip("/") or "0", "REDIS_PASSWORD": self.redis.password or "",
            # the public entry
            "RASA_URLS": ",".join(self.rasa_urls), "WEB_HOST": "127.0.0.1", "WEB_PORT": str(self.web_port),
            "WEB_RATE_PER_IP": "0", "WEB_RATE_PER_SESSION": "0",
            **self.extra_env,
        }

    def _log(self, name: str):
        return open(self.workdir / f"{name}.log", "ab")

    # ------------------------------------------------------------------ processes

    def start_actions(self) -> None:
        self._spawn_actions()
        wait_http(f"{self.action_url}/health", process=self.actions)

    def _spawn_actions(self) -> None:
        self.actions = subprocess.Popen(
            [str(VENV_BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(self.action_port)],
            cwd=REPO_ROOT, env=self.env(), stdout=self._log("actions"), stderr=subprocess.STDOUT)

    def stop_actions(self) -> None:
        _stop(self.actions)

    def _spawn_rasa(self, index: int) -> subprocess.Popen:
        return subprocess.Popen(
            [str(VENV_BIN / "rasa"), "run", "--model", str(MODEL_PATH), "--interface", "127.0.0.1",
             "--port", str(self.rasa_ports[index]), "--credentials", str(REPO_ROOT / "credentials.yml"),
             "--endpoints", str(self.endpoints)],
            cwd=REPO_ROOT, env=self.env(), stdout=self._log(f"rasa-{index + 1}"), stderr=subprocess.STDOUT)

    def start_rasa(self, index: int) -> None:
        self.rasa[index] = self._spawn_rasa(index)
        wait_http(f"{self.rasa_urls[index]}/", timeout=300, process=self.rasa[index])

    def kill_rasa(self, index: int) -> None:
        """SIGKILL, as when a machine or container dies: no clean shutdown."""
        process = self.rasa[index]
        if process and process.poll() is None:
            process.kill()
            process.wait(timeout=20)

    def start_web(self) -> None:
        self.web = subprocess.Popen([str(VENV_BIN / "python"), "-m", "bot.web"], cwd=REPO_ROOT, env=self.env(),
                                    stdout=self._log("web"), stderr=subprocess.STDOUT)
        wait_http(f"{self.web_url}/healthz", process=self.web)

    def add_web(self, extra_env: Optional[Dict[str, str]] = None) -> str:
        """One more web instance on the same Rasa instances (e.g. with other settings); its URL."""
        port = free_port()
        env = {**self.env(), "WEB_PORT": str(port), **(extra_env or {})}
        process = subprocess.Popen([str(VENV_BIN / "python"), "-m", "bot.web"], cwd=REPO_ROOT, env=env,
                                   stdout=self._log(f"web-{len(self.more_webs) + 2}"), stderr=subprocess.STDOUT)
        self.more_webs.append(process)
        url = f"http://127.0.0.1:{port}"
        wait_http(f"{url}/healthz", process=process)
        return url

    def start(self) -> "ProductionStack":
        if not MODEL_PATH.exists():
            raise RuntimeError(f"no trained model at {MODEL_PATH}: run `make train`")
        self.database_url = create_database(self.admin_url)
        # At once, as docker compose starts them – except that the other Rasa instances wait until
        # the first has created the tracker tables in this fresh database (two creating them at the
        # same moment collide, and Rasa then waits 5 s before it tries again).
        self._spawn_actions()
        self.rasa[0] = self._spawn_rasa(0)
        self._wait_for_tracker_tables(self.rasa[0])
        for index in range(1, self.instances):
            self.rasa[index] = self._spawn_rasa(index)
        with ThreadPoolExecutor(max_workers=self.instances + 1) as pool:
            waits = [pool.submit(wait_http, f"{self.action_url}/health", 180.0, self.actions)]
            waits += [pool.submit(wait_http, f"{self.rasa_urls[i]}/", 300.0, self.rasa[i]) for i in range(self.instances)]
            for wait in waits:
                wait.result()
        self.start_web()
        return self

    def _wait_for_tracker_tables(self, process: subprocess.Popen, timeout: float = 300.0) -> None:
        engine = create_engine(self.database_url, future=True)
        deadline = time.time() + timeout
        try:
            while not inspect(engine).has_table("events"):
                if process.poll() is not None:
                    raise RuntimeError(f"Rasa exited with {process.returncode} before creating its tables")
                if time.time() > deadline:
                    raise TimeoutError("Rasa did not create its tracker tables")
                time.sleep(0.2)
        finally:
            engine.dispose()

    def pids(self) -> Dict[str, int]:
        named = {"actions": self.actions, "web": self.web}
        named.update({f"rasa-{i + 1}": p for i, p in enumerate(self.rasa)})
        return {name: p.pid for name, p in named.items() if p is not None and p.poll() is None}

    def stop(self) -> None:
        for process in [self.web, *self.more_webs, *self.rasa, self.actions]:
            _stop(process)
        if self.database_url:
            drop_database(self.admin_url, self.database_url)
            self.database_url = ""

    def __enter__(self) -> "ProductionStack":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


def _stop(process: Optional[subprocess.Popen]) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
