"""Plant a valid fødselsnummer, a CPR number, phone numbers and an e-mail address in conversations
over both channels – the web entry (/api/chat, as the widget) and Telegram (python-telegram-bot
against the local fake Bot API) – with the REAL Rasa and action server behind, both logging at
DEBUG. Then search everything that keeps or prints data: the tracker store, the store, every
process's log (Rasa, action server, and the web entry / Telegram bridge / client in this process).
What the privacy answer promises must hold: 0 hits.
"""
from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
from starlette.testclient import TestClient

from tests.conftest import BotServers

FODSELSNUMMER = "15058940058"  # valid check digits (born 15.05.1989)
CPR = "231187-4007"            # passes the old modulus-11 check
PHONE_NB = "+47 412 34 567"
PHONE_DA = "+45 20 12 34 56"
EMAIL = "kari.nordmann@example.no"

# every form in which a planted value could turn up (as typed, digits only, grouped)
NEEDLES: Dict[str, List[str]] = {
    "fødselsnummer": [FODSELSNUMMER, "150589 40058"],
    "cpr": [CPR, "2311874007"],
    "phone": ["412 34 567", "41234567", "20 12 34 56", "20123456"],
    "e-mail": [EMAIL, "kari.nordmann"],
}
PLACEHOLDERS = ["[fødselsnummer]", "[cpr]", "[telefon]", "[e-post]"]
SAFETY_QUESTION = "Er noen i fare akkurat nå?"


def planted(language: str) -> Dict[str, str]:
    """The messages of one conversation: free text, a situation and a whole guided reflection."""
    if language == "da":
        return {
            "question": f"Hej, mit CPR-nummer er {CPR}, ring på {PHONE_DA} eller skriv til {EMAIL}. Hvad er tilknytning?",
            "situation": f"Barnet græder efter samvær, og moren ringer fra {PHONE_DA} og nævner fødselsnummer {FODSELSNUMMER}",
        }
    return {
        "question": f"Hei, fødselsnummeret mitt er {FODSELSNUMMER}, ring {PHONE_NB} eller skriv til {EMAIL}. Hva er tilknytning?",
        "situation": f"Barnet gråter etter samvær, og mor ringer fra {PHONE_NB} og sier CPR {CPR}",
    }


REFLECTION_NB = [
    f"Han gråter ved levering hver morgen, mor har nummer {PHONE_NB} og fødselsnummer {FODSELSNUMMER}",
    f"Vi blir usikre og prøver å trøste ham, skriv til {EMAIL}",
    f"Jeg vet ikke hvem som henter meg, sier han, CPR {CPR}",
    "den lille hånden",
    f"Fortelle ham hvem som henter, ring meg på {PHONE_NB}",
]


@pytest.fixture(scope="module")
def debug_bot(tmp_path_factory) -> Iterator[BotServers]:
    """Rasa and the action server of their own, both with --debug: they log every message they get."""
    servers = BotServers(tmp_path_factory.mktemp("planted"), debug=True).start()
    yield servers
    servers.stop()


@pytest.fixture
def process_log(caplog) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


def _texts(replies: List[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def _hits(haystack: str) -> List[str]:
    return [f"{kind}: {needle}" for kind, needles in NEEDLES.items() for needle in needles if needle in haystack]


def _file_text(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace") if path.exists() else ""


def _sqlite_text(db: Path) -> str:
    """The database file itself, with its journal/WAL: also what a row held before it was changed."""
    return "".join(_file_text(Path(str(db) + suffix)) for suffix in ("", "-wal", "-journal", "-shm"))


def _assert_nothing_planted_anywhere(servers: BotServers, caplog: pytest.LogCaptureFixture) -> None:
    store_db = Path(servers.database_url.replace("sqlite:///", ""))
    places = {
        "tracker store": _sqlite_text(servers.tracker_db),
        "store": _sqlite_text(store_db),
        "Rasa log": _file_text(servers.workdir / "rasa.log"),
        "action server log": _file_text(servers.workdir / "actions.log"),
        "web entry / Telegram bridge / client log": "\n".join(
            f"{r.name} {r.levelname} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records),
    }
    found = {place: _hits(text) for place, text in places.items()}
    assert all(not hits for hits in found.values()), json.dumps(found, ensure_ascii=False)
    # …and the conversation really went through, redacted (the events are JSON: read them as such)
    with sqlite3.connect(servers.tracker_db) as db:
        events = "\n".join(json.dumps(json.loads(data), ensure_ascii=False) for (data,) in db.execute("select data from events"))
    assert not _hits(events)
    assert all(p in events for p in PLACEHOLDERS), "the messages reached Rasa, redacted"
    assert "[telefon]" in places["store"] and "[e-post]" in places["store"]
    assert len(places["Rasa log"]) > 10_000, "Rasa logged at DEBUG (every message it received)"


def test_web_visitor_planting_identifiers_leaves_none_anywhere(debug_bot, process_log, monkeypatch, tmp_path):
    from trygg.settings import get_settings
    from bot.web.app import create_app

    monkeypatch.setenv("RASA_URLS", debug_bot.rasa_url)
    monkeypatch.setenv("TRYGG_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("RASA_TIMEOUT_SECONDS", "60")

    def say(client: TestClient, session: str, message: str, language: str = "nb") -> str:
        response = client.post("/api/chat", json={"session": session, "message": message, "language": language})
        assert response.status_code == 200, response.text
        return _texts(response.json()["replies"])

    with TestClient(create_app(get_settings(), session_rate_per_minute=0, ip_rate_per_minute=0)) as client:
        for language in ("nb", "da"):
            session = client.post("/api/session").json()["session"]
            for message in planted(language).values():
                assert say(client, session, message, language)
        session = client.post("/api/session").json()["session"]
        assert "1/5" in say(client, session, "/reflection_start")  # the button's payload
        for number, answer in enumerate(REFLECTION_NB, start=2):
            reply = say(client, session, answer)
            if SAFETY_QUESTION in reply:  # words that may sound like danger: «Nei» lets the answer count
                reply = say(client, session, "/crisis_ruled_out")
            assert (f"{number}/5" in reply) if number <= 5 else ("Referat" in reply), reply
        assert "Fortelle ham hvem som henter, ring meg på [telefon]" in say(client, session, "vis prøvehandlingene mine")
        # …which is what the privacy answer tells the user, in both languages
        nb = say(client, session, "/privacy")
        assert "Fødselsnummer, CPR-numre, telefonnumre og e-postadresser tar jeg bort" in nb
        assert "med en gang den kommer inn, før den lagres eller havner i en logg" in nb
        assert "etter 30 minutter uten aktivitet" in nb and "etter 90 dager" in nb
        da = say(client, client.post("/api/session").json()["session"], "/privacy", "da")
        assert "fjerner jeg fra din besked, så snart den kommer ind, før den gemmes" in da
    _assert_nothing_planted_anywhere(debug_bot, process_log)


@pytest.mark.asyncio
async def test_telegram_user_planting_identifiers_leaves_none_anywhere(debug_bot, process_log, monkeypatch):
    from tests.telegram_harness import telegram_bot

    user = 6060606
    monkeypatch.setenv("TELEGRAM_RATE_PER_USER", "0")
    async with telegram_bot(debug_bot.rasa_url, monkeypatch, "planted-secret") as tg:

        async def say(text: str, expect: str = "", language: str = "nb") -> str:
            mark = tg.last_seq
            tg.send_text(user, text, language_code=language)
            wanted = (lambda c: expect in c.params.get("text", "") or SAFETY_QUESTION in c.params.get("text", "")) \
                if expect else None
            [call] = await tg.wait_for("sendMessage", wanted, since=mark, timeout=60)
            if expect and SAFETY_QUESTION in call.params["text"]:  # «Nei»: the answer counts
                buttons = [b for row in call.params["reply_markup"]["inline_keyboard"] for b in row]
                mark = tg.last_seq
                tg.press_button(user, call.result, buttons[1]["callback_data"])
                await tg.wait_for("sendMessage", lambda c: expect in c.params.get("text", ""), since=mark, timeout=60)
            await asyncio.sleep(0.3)  # the rest of the turn's messages
            return "\n".join(c.params.get("text", "") for c in tg.calls_for("sendMessage") if c.seq > mark)

        for message in planted("nb").values():
            await say(message)
        await say("/refleksjon", "1/5")
        for number, answer in enumerate(REFLECTION_NB[:-1], start=2):
            await say(answer, f"{number}/5")
        await say(REFLECTION_NB[-1], "Referat")
        listing = await say("/mine", "prøvehandlinger")
        assert "ring meg på [telefon]" in listing
        for message in planted("da").values():
            await say(message, language="da")
    _assert_nothing_planted_anywhere(debug_bot, process_log)
