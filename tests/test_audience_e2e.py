"""Who is asking, with the REAL bot (Rasa REST + action server) behind the public web entry and
the REST channel: the Furesø page's pedagogue gets the pedagogue's answer without being asked; a
visitor of a page that does not say is asked once, after the first answer written per audience,
and then gets that answer again, written for them; a foster parent on Telegram is never asked."""
from __future__ import annotations

import json
import uuid

import httpx
from starlette.testclient import TestClient

from bot.web.app import create_app
from trygg.settings import get_settings

LEADER_QUESTION = {"nb": "hva er lederens rolle i refleksjonsforløpene", "da": "hvad er lederens rolle i refleksionsforløbene"}
ASKED = {"nb": "Er du fosterforelder, pedagog eller leder?", "da": "Er du plejeforælder, pædagog eller leder?"}
FOR_PEDAGOGUE = {"nb": "For deg som pedagog", "da": "For dig som pædagog"}
FOR_LEADER = {"nb": "Som leder har du", "da": "Som leder har du"}


def _text(replies) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def _chat(client, session, message, language, audience=None):
    body = {"session": session, "message": message, "language": language}
    if audience:
        body["audience"] = audience
    response = client.post("/api/chat", content=json.dumps(body), headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    return response.json()["replies"]


def test_the_fureso_pages_pedagogue_gets_the_pedagogues_answer_without_being_asked(bot_servers, monkeypatch, tmp_path):
    monkeypatch.setenv("RASA_URLS", bot_servers.rasa_url)
    monkeypatch.setenv("TRYGG_VAR_DIR", str(tmp_path))
    with TestClient(create_app(get_settings())) as client:
        session = client.post("/api/session").json()["session"]
        text = _text(_chat(client, session, LEADER_QUESTION["da"], "da", audience="pedagog"))
        assert FOR_PEDAGOGUE["da"] in text and "lederens opgave" in text
        assert ASKED["da"] not in text and FOR_LEADER["da"] not in text


def test_a_visitor_who_has_not_said_is_asked_once_and_then_answered_for_their_role(bot_servers, monkeypatch, tmp_path):
    monkeypatch.setenv("RASA_URLS", bot_servers.rasa_url)
    monkeypatch.setenv("TRYGG_VAR_DIR", str(tmp_path))
    with TestClient(create_app(get_settings())) as client:
        session = client.post("/api/session").json()["session"]
        first = _chat(client, session, LEADER_QUESTION["nb"], "nb")
        assert FOR_LEADER["nb"] in _text(first), "the answer comes first, never held back by the question"
        assert _text(first).rstrip().endswith(ASKED["nb"] + " Da kan jeg skrive svarene for deg.")
        pedagogue = next(b for r in first for b in r.get("buttons") or [] if b["title"] == "Pedagog")
        again = _text(_chat(client, session, pedagogue["payload"], "nb"))
        assert "som pedagog" in again and FOR_PEDAGOGUE["nb"] in again and FOR_LEADER["nb"] not in again
        # asked once: the next answer written per audience comes for the pedagogue, without a question
        later = _text(_chat(client, session, LEADER_QUESTION["nb"], "nb"))
        assert FOR_PEDAGOGUE["nb"] in later and ASKED["nb"] not in later
        # and the user can change it in words
        changed = _text(_chat(client, session, "jeg er styrer i barnehagen", "nb"))
        assert "som leder" in changed
        assert FOR_LEADER["nb"] in _text(_chat(client, session, LEADER_QUESTION["nb"], "nb"))


def test_telegrams_foster_parent_is_not_asked(bot_servers):
    sender = uuid.uuid4().hex
    replies = httpx.post(f"{bot_servers.rasa_url}/webhooks/rest/webhook", timeout=60,
                         json={"sender": sender, "message": LEADER_QUESTION["nb"],
                               "metadata": {"channel": "telegram", "language": "nb", "audience": "fosterforelder"}}).json()
    text = _text(replies)
    assert "lederens oppgave i barnehagen" in text and ASKED["nb"] not in text
    assert FOR_LEADER["nb"] not in text, "the leader's tasks are told as the daycare leader's, not as the foster parent's"


def test_a_question_that_says_who_is_asking_is_answered_for_them_at_once(bot_servers):
    replies = httpx.post(f"{bot_servers.rasa_url}/webhooks/rest/webhook", timeout=60,
                         json={"sender": uuid.uuid4().hex, "metadata": {"language": "da"},
                               "message": "jeg er pædagog i en vuggestue, " + LEADER_QUESTION["da"]}).json()
    assert FOR_PEDAGOGUE["da"] in _text(replies) and ASKED["da"] not in _text(replies)


def _ask(bot_servers, message, language, audience):
    return _text(httpx.post(f"{bot_servers.rasa_url}/webhooks/rest/webhook", timeout=60,
                            json={"sender": uuid.uuid4().hex, "message": message,
                                  "metadata": {"language": language, "audience": audience}}).json())


def test_a_danish_pedagogue_asking_about_attachment_is_not_spoken_to_as_a_foster_parent(bot_servers):
    text = _ask(bot_servers, "kan tilknytning ændres", "da", "pedagog")
    assert "tilknytning regnes som noget fleksibelt" in text and "Kilde: «Tilknytning»" in text
    assert "hos jer" not in text and "plejebarn" not in text
    # the same question from a Danish foster family: their home
    assert "Et plejebarn får netop den mulighed hos jer" in _ask(bot_servers, "kan tilknytning ændres", "da", "fosterforelder")


def test_a_norwegian_foster_parent_asking_how_to_anchor_omsorgsgrebet_is_not_given_the_leaders_list(bot_servers):
    text = _ask(bot_servers, "hvordan forankrer vi omsorgsgrebet", "nb", "fosterforelder")
    assert "Manualen ber barnehagen introdusere Omsorgsgrebet for foreldrene" in text
    assert "Heng opp plakater" not in text and "Som leder" not in text
    for_leader = _ask(bot_servers, "hvordan forankrer vi omsorgsgrebet", "nb", "leder")
    assert "Heng opp plakater" in for_leader and ASKED["nb"] not in for_leader
