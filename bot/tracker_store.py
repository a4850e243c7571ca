"""Rasa's SQL tracker store, plus two duties: forget a user completely when asked, and do not
re-read the whole conversation on every turn.

When a turn contains `action_delete_my_data`, every stored event of that sender is deleted and
nothing of the turn is written back (Rasa's own SQLTrackerStore would re-save the session's
events): ForgettingSQLTrackerStore. CachingSQLTrackerStore (configured in endpoints.yml and
deploy/endpoints.production.yml as `type: bot.tracker_store.CachingSQLTrackerStore`; optional
`cache_size`, default 256 conversations per instance) adds an in-process cache checked against the
database on every turn – see its docstring.

Its connections are checked before use (pool_pre_ping), and reading or saving a conversation is
retried for ~15 s while the database is unreachable (a PostgreSQL restart). Without that, Rasa's
FailSafeTrackerStore would answer the turn from an empty, in-memory conversation – the user's
history (what was just offered, the language) silently gone for that turn.
"""
from __future__ import annotations

import itertools
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered, deserialise_events
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from rasa.shared.core.trackers import DialogueStateTracker

import bot.action_response_validation  # noqa: F401  (compiled once: see that module)
import bot.rule_lookup  # noqa: F401  (the rule lookup stops early: see that module)
from trygg.store.db import retrying

log = logging.getLogger(__name__)
DELETE_ACTION = "action_delete_my_data"
DEFAULT_CACHE_SIZE = 256  # conversations whose tracker an instance keeps in memory


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


@dataclass
class _Cached:
    tracker: DialogueStateTracker
    stored: int    # how many of tracker.events are in the database
    last_id: int   # the id of the last of them
    last_data: str  # and its stored JSON (an event edited in place, e.g. its time moved: read anew)
    session_started: bool = False  # the last save wrote a new session's start: read it anew


class CachingSQLTrackerStore(ForgettingSQLTrackerStore):
    """The forgetting store, without re-reading the whole session on every turn.

    Each instance keeps the tracker of its last `cache_size` conversations in memory, with the id
    of the last stored event. `retrieve` asks the database only for the events from that id on
    (one small indexed query): the last known event still there, unchanged, and nothing new → the
    kept tracker; new events written by another instance → read and applied to it (what Rasa's own
    retrieve would have replayed); anything else – that event gone (deleted, purged) or edited in
    place (its time moved), a new session started, or a tracker changed in memory without being
    saved (a failed turn) → read from the database as Rasa does. `save` writes only the events
    added since, in one transaction (on any error: Rasa's own save, which counts what is stored,
    so a retried save never writes an event twice). Several instances
    stay correct because the database, not the cache, decides; the Redis lock store keeps one
    turn of a conversation at a time. With an event broker configured it behaves exactly like
    ForgettingSQLTrackerStore (the broker's diff needs a fresh tracker).
    """

    def __init__(self, *args, cache_size: int = DEFAULT_CACHE_SIZE, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.cache_size = max(0, int(cache_size))
        self._cache: "OrderedDict[str, _Cached]" = OrderedDict()
        self._cache_domain = self.domain
        table = self.SQLEvent.__table__
        self._insert = table.insert()
        self._since = (sa.select(table.c.id, table.c.type_name, table.c.data)
                       .where(table.c.sender_id == sa.bindparam("sender"), table.c.id >= sa.bindparam("last"))
                       .order_by(table.c.id))
        self._max_id = sa.select(sa.func.max(table.c.id)).where(table.c.sender_id == sa.bindparam("sender"))

    @property
    def _caching(self) -> bool:
        return self.cache_size > 0 and self.event_broker is None

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        if not self._caching:
            return await super().retrieve(sender_id)
        return await retrying(lambda: self._retrieve_cached(sender_id))

    async def _retrieve_cached(self, sender_id: str) -> Optional[DialogueStateTracker]:
        if self.domain is not self._cache_domain:  # a new model: trackers are rebuilt with its slots
            self._cache.clear()
            self._cache_domain = self.domain
        entry = self._cache.get(sender_id)
        if entry is not None:
            if self._bring_up_to_date(sender_id, entry):
                self._cache.move_to_end(sender_id)
                return entry.tracker
            self._cache.pop(sender_id, None)
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
            events = [json.loads(row.data) for row in rows]
        if not (self.domain and events):
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        self._remember(sender_id, _Cached(tracker, len(tracker.events), rows[-1].id, rows[-1].data))
        return tracker

    def _bring_up_to_date(self, sender_id: str, entry: _Cached) -> bool:
        """Apply the events stored since `entry` was current; False when it cannot be (read it anew)."""
        if len(entry.tracker.events) != entry.stored:  # changed in memory, never saved (a failed turn)
            return False
        with self.engine.connect() as conn:
            rows = conn.execute(self._since, {"sender": sender_id, "last": entry.last_id}).all()
        if not rows or rows[0].id != entry.last_id or rows[0].data != entry.last_data:  # deleted, purged, edited
            return False
        newer = rows[1:]
        if any(row.type_name == SessionStarted.type_name for row in newer):
            return False  # a new session: Rasa's retrieve starts there
        events = deserialise_events([json.loads(row.data) for row in newer])
        if len(events) != len(newer):
            return False
        for event in events:
            entry.tracker.update(event)
        entry.stored, entry.last_id, entry.last_data = len(entry.tracker.events), rows[-1].id, rows[-1].data
        return True

    def _remember(self, sender_id: str, entry: _Cached) -> None:
        self._cache[sender_id] = entry
        self._cache.move_to_end(sender_id)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    async def save(self, tracker: DialogueStateTracker) -> None:
        entry = self._cache.pop(tracker.sender_id, None)
        if (self._caching and entry is not None and entry.tracker is tracker
                and len(tracker.events) >= entry.stored and not _deleted_this_turn(tracker)):
            try:
                self._append(entry)
            except Exception as error:  # noqa: BLE001 – Rasa's save below counts what is stored
                log.warning("Saving the new events failed (%s); saving the tracker as Rasa does.",
                            type(error).__name__)
            else:
                if not entry.session_started:
                    self._remember(tracker.sender_id, entry)
                return
        await super().save(tracker)

    def _append(self, entry: _Cached) -> None:
        tracker = entry.tracker
        new = list(itertools.islice(tracker.events, entry.stored, None))
        entry.session_started = any(isinstance(event, SessionStarted) for event in new)
        if not new:
            return
        rows = []
        for event in new:
            data = event.as_dict()  # as SQLTrackerStore.save stores it
            rows.append({"sender_id": tracker.sender_id, "type_name": event.type_name,
                         "timestamp": data.get("timestamp"),
                         "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                         "action_name": data.get("name"), "data": json.dumps(data)})
        with self.engine.begin() as conn:
            conn.execute(self._insert, rows)
            last_id = conn.execute(self._max_id, {"sender": tracker.sender_id}).scalar()
        entry.stored, entry.last_id, entry.last_data = len(tracker.events), last_id, rows[-1]["data"]
