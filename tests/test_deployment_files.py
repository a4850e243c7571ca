"""The production deployment files: docker-compose.yml, Dockerfile, .dockerignore and deploy/.

docker-compose.yml is validated by Compose itself: `docker compose config` (the v2 plugin) where
it is installed, else Debian's `docker-compose config` (v1.29; scripts/ensure_compose.sh installs
it, `make test` runs that script first). Neither needs a Docker engine for `config`. Without
either the compose tests skip with the reason shown (`pytest -rs`); with REQUIRE_SERVICES=1 (CI)
they fail instead. The rest reads the files directly, and deploy/endpoints.production.yml is
read with Rasa's own endpoint reader, the way every Rasa instance reads it.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Dict, List, Optional

import pytest
import yaml

from conftest import need_service

REPO_ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
ENV_EXAMPLE = REPO_ROOT / "deploy" / "production.env.example"
ENDPOINTS = REPO_ROOT / "deploy" / "endpoints.production.yml"
DOCKERFILE = REPO_ROOT / "Dockerfile"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"

SERVICES = {"postgres", "redis", "migrate", "rasa-1", "rasa-2", "actions", "web", "telegram", "purge", "mailer"}
RASA_SERVICES = ("rasa-1", "rasa-2")
# Placeholder values only: what a filled-in deploy/production.env provides.
REQUIRED = {
    "POSTGRES_PASSWORD": "placeholder-postgres-password",
    "REDIS_PASSWORD": "placeholder-redis-password",
    "SENDER_HASH_SECRET": "placeholder-sender-hash-secret",
    "SESSION_SECRET": "placeholder-session-secret",
    "ALLOWED_ORIGINS": "https://trygghavn.example.org",
    "FORWARDED_ALLOW_IPS": "172.18.0.1",
}
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN")
REFERENCE = re.compile(r"\$\{(?P<name>[A-Z][A-Z0-9_]*)(?P<op>:[?-])?(?P<rest>[^}]*)\}")


def _raw_compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))  # resolves the <<: merges


def _compose_variables() -> set:
    """Every ${VAR} the compose file interpolates (comments left out)."""
    lines = [line for line in COMPOSE_FILE.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("#")]
    return {m.group("name") for m in REFERENCE.finditer("\n".join(lines))}


def _environment(service: dict) -> Dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def _command(service: dict) -> List[str]:
    command = service.get("command") or []
    return command.split() if isinstance(command, str) else [str(part) for part in command]


# ---------------------------------------------------------------------------------------------
# Compose itself
# ---------------------------------------------------------------------------------------------
def _find_compose() -> Optional[List[str]]:
    docker = shutil.which("docker")
    if docker:
        try:
            if subprocess.run([docker, "compose", "version"], capture_output=True, timeout=30).returncode == 0:
                return [docker, "compose"]
        except (OSError, subprocess.TimeoutExpired):
            pass
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


@pytest.fixture(scope="module")
def compose() -> List[str]:
    command = _find_compose()
    if command is None:
        subprocess.run(["bash", str(REPO_ROOT / "scripts" / "ensure_compose.sh")], cwd=REPO_ROOT, timeout=900)
        command = _find_compose()
    need_service(command is not None,
                 "neither `docker compose` nor `docker-compose` is installed "
                 "(Debian: apt-get install --no-install-recommends docker-compose)")
    return command


@pytest.fixture(scope="module")
def empty_env_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("compose") / "empty.env"
    path.write_text("")
    return path


def _run_compose(compose: List[str], env_file: Path, variables: Dict[str, str], *args: str,
                 profiles: bool = True) -> subprocess.CompletedProcess:
    """Compose on our file with exactly `variables` (nothing of the caller's shell, no .env)."""
    ours = _compose_variables()
    env = {k: v for k, v in os.environ.items()
           if k not in ours and not k.startswith("COMPOSE_") and k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(variables)
    command = [*compose, "-f", str(COMPOSE_FILE), "-p", "trygg-havn", "--env-file", str(env_file)]
    if profiles:
        command += ["--profile", "telegram", "--profile", "maintenance"]
    return subprocess.run([*command, *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def rendered(compose, empty_env_file) -> dict:
    result = _run_compose(compose, empty_env_file, REQUIRED, "config")
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_compose_validates_the_file(compose, empty_env_file):
    result = _run_compose(compose, empty_env_file, REQUIRED, "config", "-q")
    assert result.returncode == 0, f"{' '.join(compose)} config -q failed:\n{result.stderr}"


def test_compose_renders_with_the_example_env_file(compose):
    """deploy/production.env.example names every variable compose insists on."""
    result = _run_compose(compose, ENV_EXAMPLE, {}, "config", "-q")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name", ["SENDER_HASH_SECRET", "SESSION_SECRET", "POSTGRES_PASSWORD", "REDIS_PASSWORD",
                                  "FORWARDED_ALLOW_IPS"])
@pytest.mark.parametrize("value", [None, ""], ids=["unset", "empty"])
def test_compose_refuses_without_a_secret(compose, empty_env_file, name, value):
    variables = {k: v for k, v in REQUIRED.items() if k != name}
    if value is not None:
        variables[name] = value
    for profiles in (True, False):  # also the default stack, without Telegram and purge
        result = _run_compose(compose, empty_env_file, variables, "config", "-q", profiles=profiles)
        assert result.returncode != 0, f"compose rendered the stack without {name}"
        assert name in result.stdout + result.stderr


def test_rendered_stack_has_exactly_the_production_services(rendered):
    assert set(rendered["services"]) == SERVICES


def test_only_web_publishes_a_port(rendered):
    published = {name: service.get("ports") for name, service in rendered["services"].items() if service.get("ports")}
    assert list(published) == ["web"], f"only web may publish a port, not {sorted(published)}"
    (port,) = published["web"]
    target = port.get("target") if isinstance(port, dict) else str(port).split("/")[0].rsplit(":", 1)[-1]
    assert str(target) == "8080"
    for name in (*RASA_SERVICES, "actions", "postgres", "redis"):
        assert not rendered["services"][name].get("ports"), f"{name} must not publish a port"


def test_internal_services_are_only_on_the_internal_network(rendered):
    assert rendered["networks"]["backend"].get("internal") is True
    for name in (*RASA_SERVICES, "actions", "postgres", "redis", "migrate", "purge"):
        assert set(rendered["services"][name]["networks"]) == {"backend"}, name
    assert set(rendered["services"]["web"]["networks"]) == {"backend", "frontend"}
    assert set(rendered["services"]["mailer"]["networks"]) == {"backend", "frontend"}, "the mailer reaches SMTP"
    assert not rendered["networks"]["frontend"].get("internal")


# ---------------------------------------------------------------------------------------------
# The file as written
# ---------------------------------------------------------------------------------------------
def test_both_rasa_services_use_the_production_endpoints_without_the_http_api():
    services = _raw_compose()["services"]
    rasa = sorted(name for name in services if re.fullmatch(r"rasa-\d+", name))
    assert rasa == list(RASA_SERVICES)
    for name in rasa:
        command = _command(services[name])
        assert command[:2] == ["rasa", "run"], name
        assert "--enable-api" not in command, name
        assert command[command.index("--endpoints") + 1] == "deploy/endpoints.production.yml", name
        assert command[command.index("--model") + 1] == "models/trygg-havn.tar.gz", name
        assert command[command.index("--credentials") + 1] == "credentials.yml", name
        assert command[command.index("--port") + 1] == "5005", name


def test_channels_reach_every_rasa_instance_round_robin():
    services = _raw_compose()["services"]
    rasa = {name for name in services if re.fullmatch(r"rasa-\d+", name)}
    for channel in ("web", "telegram"):
        urls = _environment(services[channel])["RASA_URLS"].split(",")
        assert {re.fullmatch(r"http://(rasa-\d+):5005", u).group(1) for u in urls} == rasa, channel
    assert _environment(services["web"])["WEB_HOST"] == "0.0.0.0"


def test_every_process_runs_the_right_command():
    services = _raw_compose()["services"]
    assert _command(services["actions"]) == ["rasa", "run", "actions", "--actions", "actions", "--port", "5055"]
    assert _command(services["web"]) == ["python", "-m", "bot.web"]
    assert _command(services["telegram"]) == ["python", "-m", "bot.telegram"]
    assert _command(services["purge"]) == ["python", "-m", "trygg.store.purge"]
    assert _command(services["mailer"]) == ["python", "-m", "trygg.outbox"]
    assert "from trygg.store.db import upgrade" in " ".join(_command(services["migrate"]))
    images = {services[name]["image"] for name in SERVICES - {"postgres", "redis"}}
    assert len(images) == 1, f"one image for every Python process, not {images}"


def test_profiles_restart_policies_and_start_order():
    services = _raw_compose()["services"]
    assert services["telegram"]["profiles"] == ["telegram"]
    assert services["purge"]["profiles"] == ["maintenance"]
    assert all("profiles" not in services[name] for name in SERVICES - {"telegram", "purge"})
    for name in ("migrate", "purge"):
        assert services[name]["restart"] == "no", f"{name} is a one-off"
    for name in SERVICES - {"migrate", "purge"}:
        assert services[name]["restart"] == "unless-stopped", name
    conditions = {name: {dep: spec["condition"] for dep, spec in (service.get("depends_on") or {}).items()}
                  for name, service in services.items()}
    assert conditions["migrate"] == {"postgres": "service_healthy"}
    assert conditions["actions"]["migrate"] == "service_completed_successfully"
    for name in RASA_SERVICES:
        assert conditions[name] == {"postgres": "service_healthy", "redis": "service_healthy"}
    assert conditions["web"] == {"rasa-1": "service_healthy", "rasa-2": "service_healthy", "actions": "service_healthy",
                                 "redis": "service_healthy"}
    for name, deps in conditions.items():
        for dep, condition in deps.items():
            if condition == "service_healthy":
                assert "healthcheck" in services[dep], f"{name} waits for {dep} to be healthy: it needs a healthcheck"
    assert "postgres-data:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "postgres-data" in _raw_compose()["volumes"]


def test_every_process_of_our_image_runs_in_production_mode():
    """TRYGG_ENV=production: a missing secret or required setting stops the process (trygg/settings.py)."""
    services = _raw_compose()["services"]
    for name in SERVICES - {"postgres", "redis"}:
        assert _environment(services[name]).get("TRYGG_ENV") == "production", name


def test_web_instances_share_rate_limits_in_redis_and_trust_only_the_proxy():
    web = _environment(_raw_compose()["services"]["web"])
    url = re.fullmatch(r"redis://:(?P<pw>\$\{[^}]*\})@redis:6379/(?P<db>\d+)", web["RATE_LIMIT_STORAGE_URL"])
    assert url and REFERENCE.fullmatch(url.group("pw")).group("name") == "REDIS_PASSWORD"
    rasa_db = _environment(_raw_compose()["services"]["rasa-1"])["REDIS_DB"]
    assert url.group("db") != rasa_db, "counters and Rasa's locks in different Redis databases"
    assert REFERENCE.fullmatch(web["FORWARDED_ALLOW_IPS"]).group("op") == ":?", "the trusted proxy is required"


def test_the_image_carries_only_what_runs():
    """The Dockerfile installs the runtime lock; test and dev tools are only in requirements-dev.lock."""
    instructions = "\n".join(line for line in DOCKERFILE.read_text(encoding="utf-8").splitlines()
                             if not line.lstrip().startswith("#"))
    assert "requirements-dev" not in instructions and "requirements-audit" not in instructions
    assert "pip install -r requirements.lock" in instructions
    def names(path: Path) -> set:
        return {re.split(r"[=<>\[ ]", line.strip(), maxsplit=1)[0].lower().replace("_", "-")
                for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith(("#", "-r"))}
    runtime = names(REPO_ROOT / "requirements.lock")
    tools = {"pytest", "pytest-asyncio", "hypothesis", "playwright", "honcho", "pip-audit", "iniconfig"}
    assert not runtime & tools, f"test tools in the production image: {sorted(runtime & tools)}"
    dev = REPO_ROOT / "requirements-dev.lock"
    assert "-r requirements.lock" in dev.read_text(encoding="utf-8") and tools - {"pip-audit"} <= names(dev)
    assert names(REPO_ROOT / "requirements.in") <= runtime | {"spacy", "python-telegram-bot"}
    for line in (REPO_ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        assert re.fullmatch(r"[A-Za-z0-9_.-]+==[^=\s]+", line), f"every runtime package pinned exactly: {line}"
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    assert "-r requirements.lock -r requirements-dev.lock" in makefile, "make install installs both"


def test_no_literal_secret_in_the_compose_file():
    services = _raw_compose()["services"]
    checked = 0
    for name, service in services.items():
        for key, value in _environment(service).items():
            if SECRET_NAME.search(key):
                match = REFERENCE.fullmatch(value)
                assert match, f"{name}: {key} must be a ${{VAR}} reference, not a value"
                # optional: see the comments on the telegram and the mailer service
                if key not in ("TELEGRAM_BOT_TOKEN", "SMTP_PASSWORD"):
                    assert match.group("op") == ":?", f"{name}: {key} must be required (${{{match.group('name')}:?…}})"
                checked += 1
            if key == "DATABASE_URL":
                password = re.fullmatch(r"postgresql\+psycopg2://trygg:(?P<pw>\$\{[^}]*\})@postgres:5432/trygg_havn", value)
                assert password and REFERENCE.fullmatch(password.group("pw")).group("op") == ":?", f"{name}: {value}"
    assert checked >= 8
    # Nothing in the file but references can carry a secret's name with a value after it.
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    for line in text.splitlines():
        m = re.match(r"\s*(\w*(?:SECRET|PASSWORD|TOKEN)\w*)\s*[:=]\s*(\S.*)$", line)
        if m and not line.lstrip().startswith("#"):
            assert m.group(2).startswith("${"), line


def test_example_env_file_lists_every_variable_without_real_secrets():
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    named = set(re.findall(r"^#?([A-Z][A-Z0-9_]*)=", text, flags=re.M))
    missing = _compose_variables() - named
    assert not missing, f"deploy/production.env.example does not mention {sorted(missing)}"
    for name, value in re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", text, flags=re.M):
        if SECRET_NAME.search(name):
            assert value == "" or value.startswith("change-me"), f"{name} in the example must be a placeholder"
    gitignore = (REPO_ROOT / "deploy" / ".gitignore").read_text(encoding="utf-8").split()
    assert "production.env" in gitignore


# ---------------------------------------------------------------------------------------------
# Image
# ---------------------------------------------------------------------------------------------
def test_dockerfile_builds_one_trained_non_root_image_without_secrets():
    text = DOCKERFILE.read_text(encoding="utf-8")
    instructions = [line.strip() for line in re.sub(r"\\\n", " ", text).splitlines()
                    if line.strip() and not line.strip().startswith("#")]
    assert re.fullmatch(r"FROM python:3\.10-slim(-\w+)?", instructions[0])
    assert "pip install -r requirements.lock" in text
    assert ("rasa train --domain domain --data data --config config.yml --out models "
            "--fixed-model-name trygg-havn") in " ".join(text.split())
    users = [line.split()[1] for line in instructions if line.startswith("USER ")]
    assert users and users[-1].split(":")[0] not in ("root", "0"), "the image must run as a non-root user"
    for line in instructions:
        if line.startswith(("ENV ", "ARG ")):
            assert not SECRET_NAME.search(line), f"no secret in the image: {line}"
    ignored = {line.strip() for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()}
    for entry in (".git", ".venv", "var", "models", "results", "node_modules", "test-artifacts", ".env",
                  "deploy/production.env"):
        assert entry in ignored, f".dockerignore must list {entry}"


# ---------------------------------------------------------------------------------------------
# deploy/endpoints.production.yml, as Rasa reads it
# ---------------------------------------------------------------------------------------------
def test_production_endpoints_name_postgres_tracker_store_and_redis_lock_store():
    endpoints = yaml.safe_load(ENDPOINTS.read_text(encoding="utf-8"))
    assert endpoints["tracker_store"]["type"] == "bot.tracker_store.CachingSQLTrackerStore"
    assert endpoints["tracker_store"]["dialect"] == "postgresql"
    assert endpoints["lock_store"]["type"] == "bot.lock_store.AtomicRedisLockStore"
    assert endpoints["action_endpoint"]["url"] == "${ACTION_SERVER_URL}"


def test_compose_gives_every_rasa_instance_each_variable_of_the_endpoints_file():
    needed = set(re.findall(r"\$\{([A-Z_]+)\}", ENDPOINTS.read_text(encoding="utf-8").split("action_endpoint:", 1)[1]))
    assert {"ACTION_SERVER_URL", "TRACKER_DB_HOST", "TRACKER_DB_PASSWORD", "REDIS_HOST", "REDIS_PASSWORD"} <= needed
    services = _raw_compose()["services"]
    for name in RASA_SERVICES:
        env = _environment(services[name])
        assert needed <= set(env), f"{name} lacks {sorted(needed - set(env))}"
        assert env["ACTION_SERVER_URL"] == "http://actions:5055/webhook"
        assert env["TRACKER_DB_HOST"] == "postgres" and env["REDIS_HOST"] == "redis"


def test_rasa_expands_the_production_endpoints(monkeypatch):
    """Rasa expands only plain ${VAR} scalars; a quoted "${VAR}" would reach the database as is."""
    from rasa.core.lock_store import LockStore, RedisLockStore
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.core.utils import AvailableEndpoints
    from rasa.shared.exceptions import RasaException

    from bot.tracker_store import CachingSQLTrackerStore

    values = {"ACTION_SERVER_URL": "http://actions:5055/webhook", "TRACKER_DB_HOST": "postgres",
              "TRACKER_DB_PORT": "5432", "TRACKER_DB_NAME": "trygg_havn", "TRACKER_DB_USER": "trygg",
              "TRACKER_DB_PASSWORD": "placeholder-pw", "REDIS_HOST": "redis", "REDIS_PORT": "6379",
              "REDIS_DB": "1", "REDIS_PASSWORD": "placeholder-redis"}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    endpoints = AvailableEndpoints.read_endpoints(str(ENDPOINTS))
    assert endpoints.action.url == "http://actions:5055/webhook", "Rasa did not expand ${ACTION_SERVER_URL} (quoted?)"
    assert endpoints.tracker_store.url == "postgres"
    assert endpoints.tracker_store.kwargs == {"dialect": "postgresql", "port": "5432", "db": "trygg_havn",
                                              "username": "trygg", "password": "placeholder-pw"}
    assert endpoints.lock_store.url == "redis"
    assert issubclass(CachingSQLTrackerStore, SQLTrackerStore)
    url = SQLTrackerStore.get_db_url(host=endpoints.tracker_store.url, **endpoints.tracker_store.kwargs)
    assert (url.drivername, url.host, url.port, url.database) == ("postgresql", "postgres", 5432, "trygg_havn")
    lock_store = LockStore.create(endpoints.lock_store)  # redis-py connects lazily: no Redis needed
    assert isinstance(lock_store, RedisLockStore)
    assert lock_store.key_prefix == "trygghavn:lock:", "Rasa ignores a key_prefix that is not alphanumeric"
    kwargs = lock_store.red.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"], kwargs["password"]) == ("redis", 6379, 1, "placeholder-redis")

    monkeypatch.delenv("TRACKER_DB_PASSWORD")
    with pytest.raises(RasaException, match="TRACKER_DB_PASSWORD"):
        AvailableEndpoints.read_endpoints(str(ENDPOINTS))
