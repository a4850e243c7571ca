"""The Telegram bot, as python-telegram-bot runs it, against the local fake of the Bot API and a
real Rasa server – one set-up for the end-to-end tests."""
from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

from bot.rasa_client import RasaClient
from bot.telegram.app import build_application, running
from tests.fakes.telegram_bot_api import FakeTelegramBotApi
from trygg.settings import get_settings


@asynccontextmanager
async def telegram_bot(rasa_url: str, monkeypatch: Any, secret: str, **options: Any) -> AsyncIterator[FakeTelegramBotApi]:
    """Long polling; `options` go to build_application (default: no follow-up job)."""
    monkeypatch.setenv("SENDER_HASH_SECRET", secret)
    async with FakeTelegramBotApi() as tg:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", tg.token)
        client = RasaClient([rasa_url], timeout=60)
        app = build_application(get_settings(), rasa=client, base_url=tg.base_url, base_file_url=tg.base_file_url,
                                **{"followup_interval": 3600, **options})
        try:
            async with running(app, poll_timeout=1):
                yield tg
        finally:
            await client.close()
