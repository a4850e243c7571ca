"""Retention purge: `python -m trygg.store.purge [--days N]`.

Deletes every stored row older than RETENTION_DAYS (trygg.settings) – prøvehandlinger,
reflections, Telegram chats – and Rasa's conversation events older than that in the tracker
store (TRACKER_DB_URL). Prints only how many rows were deleted – never a user key, a text or a
database URL.
"""
from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from typing import List, Optional

from sqlalchemy import inspect, text

from trygg.store.db import MigratedEngine, make_engine, session_scope
from trygg.store.queries import purge_older_than


def run(database_url: str, days: float, now: Optional[datetime] = None) -> int:
    """Bring the schema up to date, purge rows older than `days`, return the number deleted."""
    engine = MigratedEngine(database_url)
    try:
        with session_scope(engine()) as session:
            return purge_older_than(session, days, now or datetime.now(timezone.utc))
    finally:
        engine.dispose()


def purge_conversations(tracker_db_url: str, days: float, now: Optional[datetime] = None) -> int:
    """Delete Rasa tracker-store events older than `days` (Rasa's `events` table); the count."""
    cutoff = (now or datetime.now(timezone.utc)).timestamp() - days * 86400
    engine = make_engine(tracker_db_url)
    try:
        if "events" not in inspect(engine).get_table_names():
            return 0  # Rasa has not stored a conversation yet
        with engine.begin() as conn:
            return conn.execute(text("DELETE FROM events WHERE timestamp < :cutoff"), {"cutoff": cutoff}).rowcount
    finally:
        engine.dispose()


def main(argv: Optional[List[str]] = None) -> int:
    from trygg.settings import get_settings

    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m trygg.store.purge", description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=settings.retention_days,
                        help=f"retention in days (default RETENTION_DAYS = {settings.retention_days})")
    args = parser.parse_args(argv)
    if args.days < 0:
        parser.error("--days must not be negative")
    deleted = run(settings.database_url, args.days)
    events = purge_conversations(settings.tracker_db_url, args.days)
    print(f"Retention purge: deleted {deleted} stored rows and {events} conversation events "
          f"older than {args.days:g} days.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
