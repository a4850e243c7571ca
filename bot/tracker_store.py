"""Rasa's SQL tracker store, plus one duty: forget a user completely when asked.

When a turn contains `action_delete_my_data`, every stored event of that sender is deleted and
nothing of the turn is written back (Rasa's own SQLTrackerStore would re-save the session's
events). Configured in endpoints.yml as `type: bot.tracker_store.ForgettingSQLTrackerStore`.

Its connections are checked before use (pool_pre_ping), so after a PostgreSQL restart the next
turn reconnects instead of failing on a dead pooled connection.
"""
from __future__ import annotations

import logging

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker

log = logging.getLogger(__name__)
DELETE_ACTION = "action_delete_my_data"


class ForgettingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def save(self, tracker: DialogueStateTracker) -> None:
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
        if any(isinstance(e, ActionExecuted) and e.action_name == DELETE_ACTION for e in new_events):
            self.forget(tracker.sender_id)
            log.info("A user's conversation was deleted on request.")
            return
        await super().save(tracker)

    def forget(self, sender_id: str) -> int:
        with self.session_scope() as session:
            deleted = session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id).delete()
            session.commit()
        return deleted
