"""Engine, sessions and schema migrations for the store (SQLite file or PostgreSQL)."""
from __future__ import annotations

import asyncio
import logging
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterator, Optional, Tuple, TypeVar, Union

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

log = logging.getLogger(__name__)
T = TypeVar("T")

STORE_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = STORE_DIR / "migrations"
ALEMBIC_INI = STORE_DIR / "alembic.ini"
VERSION_TABLE = "trygg_alembic_version"


def _prepare_sqlite_path(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _sqlite_foreign_keys(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    """A 2.0-style engine with pre-ping; for SQLite the folder is created and foreign keys are on."""
    _prepare_sqlite_path(url)
    engine = create_engine(url, future=True, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_foreign_keys)
    return engine


class MigratedEngine:
    """The one engine set-up of the store: `make_engine(url)` after `upgrade(url)`, on first use
    (thread-safe), for the action server, the Telegram follow-up job and the purge.

    `url` is a string or a function giving it (read when first used, e.g. from the settings)."""

    def __init__(self, url: Union[str, Callable[[], str]]) -> None:
        self._url = url
        self._engine: Optional[Engine] = None
        self._lock = threading.Lock()

    def __call__(self) -> Engine:
        with self._lock:
            if self._engine is None:
                url = self._url() if callable(self._url) else self._url
                upgrade(url)
                self._engine = make_engine(url)
            return self._engine

    def dispose(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None


def alembic_config(url: str) -> Config:
    """An Alembic Config built in code: our migrations folder and `url`, from any working dir."""
    config = Config(str(ALEMBIC_INI)) if ALEMBIC_INI.exists() else Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("version_table", VERSION_TABLE)
    config.attributes["database_url"] = url  # no ConfigParser interpolation of '%' in passwords
    config.attributes["configure_logging"] = False  # the host application owns logging
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Run the migrations up to `revision` (default: the newest)."""
    _prepare_sqlite_path(url)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    """Run the migrations down to `revision` (default: an empty schema)."""
    command.downgrade(alembic_config(url), revision)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on error; objects stay readable after."""
    session = Session(engine, future=True, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def is_transient(error: DBAPIError) -> bool:
    """A lost or refused connection (the database restarting), not a wrong statement."""
    return bool(error.connection_invalidated) or isinstance(error, OperationalError)


RETRY_DELAYS_SECONDS = (0.5, 1, 1.5, 2, 3, 3, 4)  # ~15 s in all: longer than a PostgreSQL restart


def _transient(error: BaseException) -> bool:
    return isinstance(error, DBAPIError) and is_transient(error)


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    log.warning("database unreachable (%s); retrying in %.1f s", type(error).__name__,
                state.next_action.sleep if state.next_action else 0.0)


async def retrying(call: Callable[[], Awaitable[T]], delays: Tuple[float, ...] = RETRY_DELAYS_SECONDS) -> T:
    """`await call()`, again after each pause in `delays` while the database is unreachable (tenacity).

    Only lost or refused connections are retried (see `is_transient`); after the last pause the
    error is raised, so the caller can tell the user instead of losing anything.
    """
    retry = AsyncRetrying(
        retry=retry_if_exception(_transient),
        # (tenacity asks for the pause before it checks `stop`: none after the last attempt)
        wait=lambda state: delays[state.attempt_number - 1] if state.attempt_number <= len(delays) else 0,
        stop=stop_after_attempt(len(delays) + 1),
        before_sleep=_log_retry,
        reraise=True,
    )
    return await retry(call)


async def run_in_session(engine: Engine, work: Callable[[Session], T]) -> T:
    """`work(session)` in one transaction, in a worker thread (the SQLAlchemy calls block, the event
    loop must not); retried while the database is unreachable.

    A PostgreSQL restart takes a few seconds: the transaction is rolled back, nothing half-written
    stays, and the whole `work` runs again on a fresh connection (pool_pre_ping).
    """
    def once() -> T:
        with session_scope(engine) as session:
            return work(session)

    return await retrying(lambda: asyncio.to_thread(once))
