"""Telegram end to end with the REAL bot behind: python-telegram-bot's Application long-polls a
local fake of the Telegram Bot API, and forwards to the real Rasa server and action server."""
from __future__ import annotations

import asyncio

import pytest

from bot.rasa_client import RasaClient
from trygg.settings import get_settings
from bot.telegram.app import build_application, running
from tests.fakes.telegram_bot_api import FakeTelegramBotApi
from tests.telegram_harness import telegram_bot

pytestmark = pytest.mark.asyncio
USER = 7070707


def keyboard(call) -> list:
    return [b for row in (call.params.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


async def test_foster_parent_on_telegram_gets_sourced_answer_and_saves_a_prove_action(bot_servers, monkeypatch):
    async with telegram_bot(bot_servers.rasa_url, monkeypatch, "e2e-secret") as tg:
        tg.send_text(USER, "hvorfor er det bra å klemme barnet", language_code="nb")
        [offer] = await tg.wait_for("sendMessage", lambda c: bool(keyboard(c)), timeout=60)
        answer = "\n".join(tg.sent_texts(USER))
        assert "Kilde: «Få en god klem»" in answer and "oksytocin" in answer
        assert "den store hånden" in offer.params["text"]
        mark = tg.last_seq
        tg.press_button(USER, offer.result, keyboard(offer)[0]["callback_data"])
        [saved] = await tg.wait_for("sendMessage", since=mark, timeout=60)
        assert "Lagret som prøvehandling" in saved.params["text"]
        assert await tg.wait_for("editMessageReplyMarkup", since=mark, timeout=10)

        mark = tg.last_seq
        tg.send_text(USER, "/mine", language_code="nb")
        [listing] = await tg.wait_for("sendMessage", since=mark, timeout=60)
        assert "Dine prøvehandlinger" in listing.params["text"]


async def test_telegram_user_who_does_not_come_back_is_asked_once_how_it_went(bot_servers, monkeypatch):
    """The JobQueue job, wired to the real store: save on Telegram, let the delay pass, get asked."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from sqlalchemy import update

    from trygg.store.db import make_engine, session_scope
    from trygg.store.models import TelegramChat, TrialAction
    from bot.telegram.followups import StoredFollowups

    user = USER + 1
    say_hello_to_action_server(bot_servers)
    monkeypatch.setenv("SENDER_HASH_SECRET", bot_servers.sender_hash_secret)  # one secret, as in production
    noon = dt.datetime(2026, 3, 12, 12, 0, tzinfo=ZoneInfo("Europe/Oslo"))
    store = StoredFollowups(bot_servers.database_url, bot_servers.sender_hash_secret)
    engine = make_engine(bot_servers.database_url)
    async with FakeTelegramBotApi() as tg:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", tg.token)
        client = RasaClient([bot_servers.rasa_url], timeout=60)
        app = build_application(get_settings(), rasa=client, base_url=tg.base_url, base_file_url=tg.base_file_url,
                                due_followups=store.due, followup_done=store.done, chat_seen=store.remember,
                                followup_interval=0.5, followup_first=0.5, clock=lambda: noon)
        try:
            async with running(app, poll_timeout=1):
                tg.send_text(user, "hvorfor er det bra å klemme barnet", language_code="nb")
                [offer] = await tg.wait_for("sendMessage", lambda c: bool(keyboard(c)), timeout=60)
                mark = tg.last_seq
                tg.press_button(user, offer.result, keyboard(offer)[0]["callback_data"])
                [saved] = await tg.wait_for("sendMessage", since=mark, timeout=60)
                assert "Lagret som prøvehandling" in saved.params["text"]

                chats = await _eventually(lambda: _rows(engine, TelegramChat))
                assert len(chats) == 1 and str(user) not in chats[0].chat_token, "the chat id is stored encrypted"
                with session_scope(engine) as session:
                    session.execute(update(TrialAction).values(due_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)))

                question = await tg.wait_for("sendMessage", lambda c: "Hvordan gikk det?" in c.params.get("text", ""),
                                             since=mark, timeout=30)
                assert [b["text"] for b in keyboard(question[0])] == ["Det hjalp", "Det hjalp delvis", "Det hjalp ikke"]
                mark = tg.last_seq
                tg.press_button(user, question[0].result, keyboard(question[0])[0]["callback_data"])
                [thanks] = await tg.wait_for("sendMessage", since=mark, timeout=60)
                assert "Jeg har notert at det hjalp" in thanks.params["text"]

                asked = len([t for t in tg.sent_texts(user) if "Hvordan gikk det?" in t])
                await asyncio.sleep(2)  # several job rounds: asked once, never again
                assert len([t for t in tg.sent_texts(user) if "Hvordan gikk det?" in t]) == asked == 1
                assert await _eventually(lambda: not _rows(engine, TelegramChat)), \
                    "nothing left to follow up: the chat map is gone"
        finally:
            await client.close()
            store.close()
            engine.dispose()


def say_hello_to_action_server(servers) -> None:
    """Make the action server create its generated secret (it does so on first use)."""
    import httpx

    httpx.post(f"{servers.rasa_url}/webhooks/rest/webhook", json={"sender": "warm-up", "message": "/trial_action_list"},
               timeout=60)


def _rows(engine, model) -> list:
    from sqlalchemy import select

    from trygg.store.db import session_scope

    with session_scope(engine) as session:
        return session.execute(select(model)).scalars().all()


async def _eventually(check, timeout: float = 10.0):
    """The check's value once it is truthy (or the last value after `timeout` seconds)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = check()
        if value or loop.time() > deadline:
            return value
        await asyncio.sleep(0.1)
