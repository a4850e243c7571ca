"""Rasa's SQL tracker store, plus one duty: forget a user completely when asked.

When a turn contains `action_delete_my_data`, every stored event of that sender is deleted and
nothing of the turn is written back (Rasa's own SQLTrackerStore would re-save the session's
events). Configured in endpoints.yml as `type: bot.tracker_store.ForgettingSQLTrackerStore`.

Its connections are checked before use (pool_pre_ping), and reading or saving a conversation is
retried for ~15 s while the database is unreachable (a PostgreSQL restart). Without that, Rasa's
FailSafeTrackerStore would answer the turn from an empty, in-memory conversation – the user's
history (what was just offered, the language) silently gone for that turn.
"""
from __future__ import annotations

import logging
from typing import Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

import bot.action_response_validation  # noqa: F401  (compiled once: see that module)
from trygg.store.db import retrying

log = logging.getLogger(__name__)
DELETE_ACTION = "action_delete_my_data"


class ForgettingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        return await retrying(lambda: super(ForgettingSQLTrackerStore, self).retrieve(sender_id))

    async def retrieve_full_tracker(self, sender_id: str) -> Optional[DialogueStateTracker]:
        return await retrying(lambda: super(ForgettingSQLTrackerStore, self).retrieve_full_tracker(sender_id))

    async def save(self, tracker: DialogueStateTracker) -> None:
        if _deleted_this_turn(tracker):
            self.forget(tracker.sender_id)
            log.info("A user's conversation was deleted on request.")
            return
        await retrying(lambda: super(ForgettingSQLTrackerStore, self).save(tracker))

    def forget(self, sender_id: str) -> int:
        with self.session_scope() as session:
            deleted = session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id).delete()
            session.commit()
        return deleted


def _deleted_this_turn(tracker: DialogueStateTracker) -> bool:
    """Did the latest turn (the events since the user's last message) run the delete action?

    A conversation deleted in an earlier turn is gone from the store, so only the latest turn can
    hold the action; reading it from the tracker saves a database query on every turn.
    """
    for event in reversed(tracker.events):
        if isinstance(event, ActionExecuted) and event.action_name == DELETE_ACTION:
            return True
        if isinstance(event, UserUttered):
            return False
    return False
