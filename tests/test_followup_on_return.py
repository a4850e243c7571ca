"""A user who comes back after the follow-up delay is asked "how did it go?" first – once.

Real Rasa + action server + SQLite stores. "Coming back after two days" is made real by moving
the stored times back: the prøvehandling's created/due times and the conversation's event
timestamps (so Rasa sees an expired session, exactly as after two days away).
"""
from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import timedelta

from sqlalchemy import select, update

from trygg.store.db import make_engine, session_scope
from trygg.store.models import TrialAction
from tests.test_bot_over_rest import say, texts

AWAY = timedelta(days=3)


def _save_one(servers, user: str) -> None:
    replies = say(servers, user, "hvorfor er det bra å klemme barn")
    payload = [b for r in replies for b in r.get("buttons", []) if "trial_action_save" in b["payload"]][0]["payload"]
    assert "Lagret som prøvehandling" in texts(say(servers, user, payload))


def _time_passes(servers, user: str, away: timedelta = AWAY) -> None:
    """`away` passes for this user: stored rows and conversation events move back in time."""
    engine = make_engine(servers.database_url)
    with session_scope(engine) as session:
        for action in session.execute(select(TrialAction)).scalars():
            session.execute(update(TrialAction).where(TrialAction.id == action.id).values(
                created_at=action.created_at - away, due_at=action.due_at - away))
    engine.dispose()
    seconds = away.total_seconds()
    with sqlite3.connect(servers.tracker_db) as db:
        rows = db.execute("select id, data from events where sender_id = ?", (user,)).fetchall()
        for row_id, data in rows:
            event = json.loads(data)
            event["timestamp"] = event["timestamp"] - seconds
            db.execute("update events set data = ?, timestamp = timestamp - ? where id = ?",
                       (json.dumps(event), seconds, row_id))


def _followup_questions(replies) -> list[dict]:
    return [r for r in replies if "Hvordan gikk det?" in r.get("text", "") or "Hvordan gik det?" in r.get("text", "")]


def test_returning_user_is_asked_first_then_gets_the_answer_and_only_once(bot_servers):
    user = uuid.uuid4().hex
    _save_one(bot_servers, user)
    _time_passes(bot_servers, user)

    replies = say(bot_servers, user, "hva er tilknytning")
    asked = _followup_questions(replies)
    assert asked and replies[0] is asked[0], "the follow-up comes before anything else"
    assert "Velkommen tilbake" in replies[0]["text"]
    titles = [b["title"] for b in replies[0]["buttons"]]
    assert titles == ["Det hjalp", "Det hjalp delvis", "Det hjalp ikke"]
    assert "Kilde: «Tilknytning»" in texts(replies), "the user's question is still answered"

    _time_passes(bot_servers, user)  # away again: the same prøvehandling is not asked twice
    assert not _followup_questions(say(bot_servers, user, "hva er tilknytning"))

    evaluated = say(bot_servers, user, replies[0]["buttons"][1]["payload"])
    assert "Jeg har notert at det hjalp delvis" in texts(evaluated)
    assert "vurdert – det hjalp delvis" in texts(say(bot_servers, user, "/trial_action_list"))


def test_returning_user_in_crisis_gets_the_crisis_answer_alone_and_the_question_later(bot_servers):
    user = uuid.uuid4().hex
    _save_one(bot_servers, user)
    _time_passes(bot_servers, user)

    crisis = say(bot_servers, user, "han slår barnet akkurat nå")
    assert crisis[0]["text"].startswith("Er noen i fare")
    assert not _followup_questions(crisis), "nothing may come with the crisis answer"

    later = say(bot_servers, user, "takk")
    assert _followup_questions(later) and later[0] is _followup_questions(later)[0]


def test_no_question_before_the_delay_has_passed(bot_servers):
    user = uuid.uuid4().hex
    _save_one(bot_servers, user)
    _time_passes(bot_servers, user, timedelta(hours=2))  # a new session, but not yet due
    replies = say(bot_servers, user, "hva er tilknytning")
    assert not _followup_questions(replies)
    assert "Kilde: «Tilknytning»" in texts(replies)


def test_danish_user_is_asked_in_danish(bot_servers):
    user = uuid.uuid4().hex
    replies = say(bot_servers, user, "hvorfor er det godt at kramme børn", metadata={"language": "da"})
    payload = [b for r in replies for b in r.get("buttons", []) if "trial_action_save" in b["payload"]][0]["payload"]
    assert "Gemt som prøvehandling" in texts(say(bot_servers, user, payload))
    _time_passes(bot_servers, user)
    replies = say(bot_servers, user, "hvad er tilknytning")
    assert "Velkommen tilbage" in replies[0]["text"] and "Hvordan gik det?" in replies[0]["text"]
