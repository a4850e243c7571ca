"""The action server's door to the database: one engine, migrated on first use, and the
pseudonymous key of the user behind a tracker (never the channel's sender id itself)."""
from __future__ import annotations

import threading
from typing import Optional

from rasa_sdk import Tracker
from sqlalchemy.engine import Engine

from actions.pseudonym import pseudonymous_key
from actions.store.db import make_engine, upgrade
from bot.settings import get_settings

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
