"""The action server's door to the database: one engine, migrated on first use, and the
pseudonymous key of the user behind a tracker (never the channel's sender id itself)."""
from __future__ import annotations

import asyncio
import threading
from typing import Callable, Optional, TypeVar

from rasa_sdk import Tracker
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from trygg.keys import pseudonymous_key
from trygg.store.db import make_engine, run_in_session, session_scope, upgrade
from trygg.settings import get_settings

T = TypeVar("T")
_lock = threading.Lock()
_engine: Optional[Engine] = None


def engine() -> Engine:
    global _engine
    with _lock:
        if _engine is None:
            url = get_settings().database_url
            upgrade(url)
            _engine = make_engine(url)
        return _engine


def user_key(tracker: Tracker) -> str:
    return pseudonymous_key(tracker.sender_id, get_settings().sender_hash_secret)


async def in_store(work: Callable[[Session], T], retry: bool = False) -> T:
    """`work(session)` in one transaction, off the event loop: the engine's first use (migrations)
    and every SQLAlchemy call block, so they run in a worker thread while `run()` awaits them.
    With `retry`, retried while the database is unreachable (trygg.store.db.run_in_session)."""
    if retry:
        return await run_in_session(await asyncio.to_thread(engine), work)

    def call() -> T:
        with session_scope(engine()) as session:
            return work(session)

    return await asyncio.to_thread(call)
