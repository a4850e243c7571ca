"""CachingSQLTrackerStore: two instances (two stores on one database) must always hand Rasa the
same conversation as Rasa's own SQLTrackerStore reading the database – whatever the other
instance wrote, deleted or started in between – while writing every event exactly once.

SQLite here (fast tier); the same on PostgreSQL when it runs (`slow`, through `postgres_url`).
"""
from __future__ import annotations

import asyncio
import json
import time

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered)
from sqlalchemy import create_engine, text

from bot.tracker_store import CachingSQLTrackerStore, ForgettingSQLTrackerStore
from tests.stack import create_database, drop_database

DOMAIN = Domain.from_yaml("""
version: "3.1"
intents: [greet, delete_my_data]
slots:
  language:
    type: text
    mappings: [{type: custom}]
responses:
  utter_greet: [{text: "hei"}]
""")


def run(coroutine):
    return asyncio.run(coroutine)


def sqlite_stores(path, cls=CachingSQLTrackerStore, count=2, **kwargs):
    return [cls(domain=DOMAIN, dialect="sqlite", db=str(path), **kwargs) for _ in range(count)]


async def turn(store, sender: str, message: str, *, save: bool = True, new_session: bool = False):
    """One user turn as Rasa's processor does it: retrieve (or create), add events, save."""
    tracker = await store.get_or_create_tracker(sender, append_action_listen=False)
    if new_session or not tracker.events:
        tracker.update(ActionExecuted("action_session_start"))
        tracker.update(SessionStarted())
        tracker.update(SlotSet("language", "nb"))
        tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered(message, {"name": "greet", "confidence": 0.9}))
    tracker.update(ActionExecuted("utter_greet"))
    tracker.update(BotUttered(f"svar på {message}"))
    tracker.update(ActionExecuted("action_listen"))
    if save:
        await store.save(tracker)
    return tracker


def as_stored(tracker) -> list:
    return [json.loads(json.dumps(e.as_dict())) for e in tracker.events] if tracker else []


def reference(db_path, sender: str) -> list:
    """What Rasa's own SQLTrackerStore reads from the database."""
    plain = SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(db_path))
    try:
        return as_stored(run(plain.retrieve(sender)))
    finally:
        plain.engine.dispose()


def stored_rows(db_path, sender: str) -> list:
    engine = create_engine(f"sqlite:///{db_path}", future=True)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT type_name, data FROM events WHERE sender_id = :s ORDER BY id"),
                                {"s": sender}).all()
    finally:
        engine.dispose()


def user_texts(tracker) -> list:
    return [e.text for e in tracker.events if isinstance(e, UserUttered)]


def test_turns_alternating_between_two_instances_see_every_event_once(tmp_path):
    db = tmp_path / "tracker.db"
    a, b = sqlite_stores(db)
    for number in range(12):
        store = a if number % 3 != 2 else b  # a, a, b, a, a, b …
        run(turn(store, "u1", f"melding {number}"))
        for reader in (a, b):
            assert as_stored(run(reader.retrieve("u1"))) == reference(db, "u1")
    assert user_texts(run(a.retrieve("u1"))) == [f"melding {n}" for n in range(12)]
    # every event stored once, in order: 4 session events + 4 per turn
    rows = stored_rows(db, "u1")
    assert len(rows) == 4 + 12 * 4
    assert [json.loads(d).get("text") for t, d in rows if t == "user"] == [f"melding {n}" for n in range(12)]


def test_a_turn_on_the_same_instance_reads_no_session_again(tmp_path):
    db = tmp_path / "tracker.db"
    (a,) = sqlite_stores(db, count=1)
    run(turn(a, "u1", "en"))
    first = run(a.retrieve("u1"))
    run(turn(a, "u1", "to"))
    assert run(a.retrieve("u1")) is first  # the kept tracker, brought up to date, not rebuilt
    assert user_texts(first) == ["en", "to"]
    assert as_stored(first) == reference(db, "u1")


def test_deleted_elsewhere_is_gone_here(tmp_path):
    db = tmp_path / "tracker.db"
    a, b = sqlite_stores(db)
    run(turn(a, "u1", "en"))
    run(turn(a, "u1", "to"))
    assert run(a.retrieve("u1")) is not None
    b.forget("u1")  # "delete my data" handled by the other instance
    assert run(a.retrieve("u1")) is None
    run(turn(b, "u1", "ny start"))
    assert user_texts(run(a.retrieve("u1"))) == ["ny start"]


def test_a_new_session_started_elsewhere_starts_here_too(tmp_path):
    db = tmp_path / "tracker.db"
    a, b = sqlite_stores(db)
    run(turn(a, "u1", "gammel"))
    run(turn(a, "u1", "gammel 2"))
    time.sleep(0.01)  # the new session's timestamps come after the old one's
    run(turn(b, "u1", "ny økt", new_session=True))
    tracker = run(a.retrieve("u1"))
    assert user_texts(tracker) == ["ny økt"]
    assert as_stored(tracker) == reference(db, "u1")


def test_a_turn_that_failed_before_saving_leaves_nothing_behind(tmp_path):
    db = tmp_path / "tracker.db"
    (a,) = sqlite_stores(db, count=1)
    run(turn(a, "u1", "en"))
    run(turn(a, "u1", "to"))
    run(turn(a, "u1", "feilet", save=False))  # the turn crashed: its events were never saved
    tracker = run(a.retrieve("u1"))
    assert user_texts(tracker) == ["en", "to"]
    run(turn(a, "u1", "tre"))
    assert user_texts(run(a.retrieve("u1"))) == ["en", "to", "tre"]
    assert len(stored_rows(db, "u1")) == 4 + 3 * 4


def test_delete_my_data_in_a_cached_conversation_deletes_everything(tmp_path):
    db = tmp_path / "tracker.db"
    (a,) = sqlite_stores(db, count=1)
    run(turn(a, "u1", "en"))
    run(turn(a, "u1", "to"))
    tracker = run(a.retrieve("u1"))
    tracker.update(UserUttered("slett", {"name": "delete_my_data", "confidence": 1.0}))
    tracker.update(ActionExecuted("action_delete_my_data"))
    run(a.save(tracker))
    assert stored_rows(db, "u1") == []
    assert run(a.retrieve("u1")) is None


def test_the_cache_keeps_only_the_last_conversations(tmp_path):
    db = tmp_path / "tracker.db"
    (a,) = sqlite_stores(db, count=1, cache_size=2)
    for sender in ("u1", "u2", "u3"):
        run(turn(a, sender, "en"))
        run(a.retrieve(sender))
    assert list(a._cache) == ["u2", "u3"]
    assert user_texts(run(a.retrieve("u1"))) == ["en"]  # read from the database again


def test_same_conversation_as_the_forgetting_store(tmp_path):
    """The same turns through the old and the caching store leave the same rows."""
    rows = {}
    for cls in (ForgettingSQLTrackerStore, CachingSQLTrackerStore):
        db = tmp_path / f"{cls.__name__}.db"
        a, b = sqlite_stores(db, cls=cls)
        for number in range(6):
            run(turn(a if number % 2 else b, "u1", f"melding {number}"))
        rows[cls] = [(t, {k: v for k, v in json.loads(d).items() if k != "timestamp"}) for t, d in stored_rows(db, "u1")]
    assert rows[ForgettingSQLTrackerStore] == rows[CachingSQLTrackerStore]


def test_two_instances_on_postgresql(postgres_url):
    url = create_database(postgres_url, prefix="trygg_cache")
    from sqlalchemy.engine import make_url
    parts = make_url(url)
    settings = dict(domain=DOMAIN, dialect="postgresql", host=parts.host, port=parts.port or 5432,
                    db=parts.database, username=parts.username, password=parts.password)
    stores = []
    try:
        a, b = CachingSQLTrackerStore(**settings), CachingSQLTrackerStore(**settings)
        plain = SQLTrackerStore(**settings)
        stores = [a, b, plain]
        for number in range(8):
            run(turn(a if number % 2 else b, "u1", f"melding {number}"))
            for reader in (a, b):
                assert as_stored(run(reader.retrieve("u1"))) == as_stored(run(plain.retrieve("u1")))
        assert user_texts(run(a.retrieve("u1"))) == [f"melding {n}" for n in range(8)]
        b.forget("u1")
        assert run(a.retrieve("u1")) is None
    finally:
        for store in stores:
            store.engine.dispose()
        drop_database(postgres_url, url)


@pytest.mark.parametrize("size", [0])
def test_cache_size_zero_is_the_forgetting_store(tmp_path, size):
    db = tmp_path / "tracker.db"
    (a,) = sqlite_stores(db, count=1, cache_size=size)
    run(turn(a, "u1", "en"))
    first = run(a.retrieve("u1"))
    assert run(a.retrieve("u1")) is not first
    assert not a._cache


def test_an_event_edited_in_the_database_is_read_anew(tmp_path):
    """E.g. the conversation's times moved back (tests/test_followup_on_return.py): the session has
    expired for Rasa, so the kept tracker must not be used."""
    db = tmp_path / "tracker.db"
    (a,) = sqlite_stores(db, count=1)
    run(turn(a, "u1", "en"))
    kept = run(a.retrieve("u1"))
    engine = create_engine(f"sqlite:///{db}", future=True)
    with engine.begin() as conn:
        for row_id, data in conn.execute(text("SELECT id, data FROM events")).all():
            event = json.loads(data)
            event["timestamp"] -= 3 * 86400
            conn.execute(text("UPDATE events SET data = :d, timestamp = timestamp - 259200 WHERE id = :i"),
                         {"d": json.dumps(event), "i": row_id})
    engine.dispose()
    tracker = run(a.retrieve("u1"))
    assert tracker is not kept
    assert as_stored(tracker) == reference(db, "u1")
    assert tracker.events[-1].timestamp < time.time() - 2 * 86400
