"""Webhook mode: Telegram POSTs updates to our local server, which must check the secret header.

PTB's own webhook server (Application.run_webhook) needs tornado – the `webhooks` extra, not
installed here – so bot.telegram.app runs a small aiohttp server that feeds PTB's update queue
(PTB's "custom webhook" pattern) and rejects requests without the right
X-Telegram-Bot-Api-Secret-Token with 403, like PTB's server does. These tests run exactly that
code path (`running_webhook`) on a free local port, with the fake Bot API and the fake Rasa.
"""
from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any, AsyncIterator, Tuple

import aiohttp
import pytest
import pytest_asyncio

from bot.rasa_client import RasaClient
from trygg.settings import get_settings
from bot.telegram.app import ALLOWED_UPDATES, ConfigError, build_application, check_webhook_settings, running_webhook
from tests.fakes.rasa_rest import FakeRasa
from tests.fakes.telegram_bot_api import FakeTelegramBotApi

REPO_ROOT = Path(__file__).resolve().parent.parent
SECRET_TOKEN = "webhook-secret_0123456789"
USER = 515151


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest_asyncio.fixture
async def webhook_bot(monkeypatch) -> AsyncIterator[Tuple[FakeTelegramBotApi, FakeRasa, Any]]:
    port = free_port()
    monkeypatch.setenv("SENDER_HASH_SECRET", "webhook-test-secret")
    monkeypatch.setenv("QUIET_HOURS", "")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", f"http://127.0.0.1:{port}/telegram/hook")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", SECRET_TOKEN)
    async with FakeTelegramBotApi() as tg, FakeRasa() as rasa:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", tg.token)
        settings = get_settings()
        client = RasaClient([rasa.url], timeout=5)
        application = build_application(
            settings, rasa=client, base_url=tg.base_url, base_file_url=tg.base_file_url, followup_interval=3600
        )
        try:
            async with running_webhook(application, settings, host="127.0.0.1", port=port) as server:
                assert server.port == port and server.path == "/telegram/hook"
                yield tg, rasa, server
        finally:
            await client.close()
        assert tg.unknown_methods == []


async def post(server, update, headers=None, data=None) -> int:
    url = f"http://127.0.0.1:{server.port}{server.path}"
    async with aiohttp.ClientSession() as session:
        if data is not None:
            response = await session.post(url, data=data, headers=headers or {})
        else:
            response = await session.post(url, json=update, headers=headers or {})
        async with response:
            return response.status


@pytest.mark.asyncio
async def test_set_webhook_with_secret_and_allowed_updates(webhook_bot):
    tg, _, server = webhook_bot
    [call] = tg.calls_for("setWebhook")
    assert call.params["url"] == f"http://127.0.0.1:{server.port}/telegram/hook"
    assert call.params["secret_token"] == SECRET_TOKEN
    assert call.params["allowed_updates"] == ALLOWED_UPDATES
    assert not tg.calls_for("getUpdates"), "no polling in webhook mode"


@pytest.mark.asyncio
async def test_request_without_or_with_wrong_secret_is_rejected(webhook_bot):
    tg, rasa, server = webhook_bot
    update = {"update_id": 1, **tg.user_message(USER, "uten hemmelighet")}
    assert await post(server, update) == 403
    assert await post(server, update, {"X-Telegram-Bot-Api-Secret-Token": "feil"}) == 403
    assert await post(server, update, {"X-Telegram-Bot-Api-Secret-Token": SECRET_TOKEN + "x"}) == 403
    assert await tg.post_to_webhook(tg.user_message(USER, "uten"), secret_token=None) == 403
    await asyncio.sleep(0.3)
    assert rasa.requests == []
    assert tg.calls_for("sendMessage") == []


@pytest.mark.asyncio
async def test_request_with_right_secret_is_processed(webhook_bot):
    tg, rasa, server = webhook_bot
    assert await tg.post_to_webhook(tg.user_message(USER, "hei via webhook")) == 200
    [reply] = await tg.wait_for("sendMessage")
    assert reply.params == {"chat_id": USER, "text": "Ekko: hei via webhook"}
    assert rasa.requests[0]["message"] == "hei via webhook"


@pytest.mark.asyncio
async def test_button_press_via_webhook(webhook_bot):
    tg, rasa, server = webhook_bot
    rasa.responses["/greet"] = [{"text": "Velkommen", "buttons": [{"title": "Ja", "payload": "/affirm"}]}]
    assert await tg.post_to_webhook(tg.user_message(USER, "/start")) == 200
    [question] = await tg.wait_for("sendMessage")
    data = question.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    mark = tg.last_seq
    assert await tg.post_to_webhook(tg.callback_update(USER, question.result, data)) == 200
    [answer] = await tg.wait_for("sendMessage", since=mark)
    assert answer.params["text"] == "Ekko: /affirm"
    assert tg.calls_for("editMessageReplyMarkup")


@pytest.mark.asyncio
async def test_bad_body_and_wrong_method(webhook_bot):
    tg, rasa, server = webhook_bot
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET_TOKEN, "Content-Type": "application/json"}
    assert await post(server, None, headers, data=b"{not json") == 400
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{server.port}{server.path}") as response:
            assert response.status == 405
        async with session.post(f"http://127.0.0.1:{server.port}/other", headers=headers, data=b"{}") as response:
            assert response.status == 404


def test_webhook_mode_requires_secret(monkeypatch):
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.org/telegram/hook")
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    with pytest.raises(ConfigError, match="TELEGRAM_WEBHOOK_SECRET"):
        check_webhook_settings(get_settings())
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "has spaces!")
    with pytest.raises(ConfigError):
        check_webhook_settings(get_settings())
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "ok_secret-1")
    check_webhook_settings(get_settings())


def _run_main(env_changes) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env.update(env_changes)
    return subprocess.run(
        [sys.executable, "-m", "bot.telegram"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=30
    )


def test_main_exits_clearly_without_token():
    result = _run_main({})
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in result.stderr


def test_main_refuses_webhook_without_secret(tmp_path):
    result = _run_main(
        {
            "TELEGRAM_BOT_TOKEN": "123:abc",
            "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/hook",
            "SENDER_HASH_SECRET": "x",
            "TRYGG_VAR_DIR": str(tmp_path),
        }
    )
    assert result.returncode == 2
    assert "TELEGRAM_WEBHOOK_SECRET" in result.stderr


@pytest.mark.asyncio
async def test_serve_in_webhook_mode_from_environment(monkeypatch):
    from bot.telegram.app import serve

    port = free_port()
    monkeypatch.setenv("SENDER_HASH_SECRET", "webhook-test-secret")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.org/public/path")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", SECRET_TOKEN)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_LISTEN", "127.0.0.1")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_PORT", str(port))
    monkeypatch.setenv("TELEGRAM_WEBHOOK_PATH", "/local/path")
    async with FakeTelegramBotApi() as tg, FakeRasa() as rasa:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", tg.token)
        monkeypatch.setenv("TELEGRAM_BASE_URL", tg.base_url)
        monkeypatch.setenv("RASA_URL", rasa.url)
        monkeypatch.delenv("RASA_URLS", raising=False)
        stop = asyncio.Event()
        task = asyncio.create_task(serve(get_settings(), stop))
        [call] = await tg.wait_for("setWebhook")
        assert call.params["url"] == "https://bot.example.org/public/path"
        tg.webhook["url"] = f"http://127.0.0.1:{port}/local/path"  # what the reverse proxy would do
        assert await tg.post_to_webhook(tg.user_message(USER, "hei")) == 200
        [reply] = await tg.wait_for("sendMessage")
        assert reply.params["text"] == "Ekko: hei"
        stop.set()
        await asyncio.wait_for(task, 5)
