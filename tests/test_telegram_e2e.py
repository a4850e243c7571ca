"""Telegram end to end with the REAL bot behind: python-telegram-bot's Application long-polls a
local fake of the Telegram Bot API, and forwards to the real Rasa server and action server."""
from __future__ import annotations

import pytest

from bot.rasa_client import RasaClient
from bot.settings import get_settings
from bot.telegram.app import build_application, running
from tests.fakes.telegram_bot_api import FakeTelegramBotApi

pytestmark = pytest.mark.asyncio
USER = 7070707


def keyboard(call) -> list:
    return [b for row in (call.params.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


async def test_foster_parent_on_telegram_gets_sourced_answer_and_saves_a_prove_action(bot_servers, monkeypatch):
    monkeypatch.setenv("SENDER_HASH_SECRET", "e2e-secret")
    for name in ("TELEGRAM_WEBHOOK_URL", "TELEGRAM_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    async with FakeTelegramBotApi() as tg:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", tg.token)
        client = RasaClient([bot_servers.rasa_url], timeout=60)
        app = build_application(get_settings(), rasa=client, base_url=tg.base_url,
                                base_file_url=tg.base_file_url, followup_interval=3600)
        try:
            async with running(app, poll_timeout=1):
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
        finally:
            await client.close()
