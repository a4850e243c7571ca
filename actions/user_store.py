"""The action server's door to the database: one engine, migrated on first use, and the
pseudonymous key of the user behind a tracker (never the channel's sender id itself)."""
from __future__ import annotations

import asyncio
from typing import Callable, TypeVar

from rasa_sdk import Tracker
from sqlalchemy.orm import Session

from trygg.keys import pseudonymous_key
from trygg.store.db import MigratedEngine, run_in_session, session_scope
from trygg.settings import get_settings

T = TypeVar("T")
engine = MigratedEngine(lambda: get_settings().database_url)  # engine(): migrated on first use


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
