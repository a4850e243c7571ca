"""The Telegram channel end to end against local fakes: the real PTB Application, long polling
against a fake Telegram Bot API, and a fake Rasa REST channel. Tests check what a user sees."""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import hmac
import logging
import re
import socket
from dataclasses import dataclass
from typing import Any, AsyncIterator, List
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio

from bot.rasa_client import RasaClient
from trygg.settings import get_settings
from bot.telegram import app as tg_app
from bot.telegram.app import COMMANDS, bridge_of, build_application, running, serve
from bot.telegram.formatting import CALLBACK_DATA_LIMIT, TELEGRAM_TEXT_LIMIT, split_text, telegram_length
from tests.fakes.rasa_rest import FakeRasa
from tests.fakes.telegram_bot_api import FakeTelegramBotApi

pytestmark = pytest.mark.asyncio

SECRET = "test-sender-hash-secret"
USER = 424242
OSLO = ZoneInfo("Europe/Oslo")
NOON = dt.datetime(2024, 3, 12, 12, 0, tzinfo=OSLO)
LATE = dt.datetime(2024, 3, 12, 23, 0, tzinfo=OSLO)


def hashed(user_id: int) -> str:
    """The Rasa sender id: HMAC of the user id under the key derived for this purpose (trygg.keys)."""
    key = hmac.new(SECRET.encode(), b"trygg-havn/telegram/sender-id/v1", hashlib.sha256).digest()
    return hmac.new(key, str(user_id).encode(), hashlib.sha256).hexdigest()


@dataclass
class Harness:
    tg: FakeTelegramBotApi
    rasa: FakeRasa
    app: Any


@pytest.fixture
def env(monkeypatch):
    monkeypatch.setenv("SENDER_HASH_SECRET", SECRET)
    monkeypatch.setenv("QUIET_HOURS", "22-8")
    monkeypatch.setenv("TZ_NAME", "Europe/Oslo")
    monkeypatch.setenv("DEFAULT_LANGUAGE", "nb")
    monkeypatch.delenv("FOLLOWUP_CHECK_SECONDS", raising=False)
    return monkeypatch


@contextlib.asynccontextmanager
async def bot_running(env, *, rasa_url: str = "", **build_kwargs: Any) -> AsyncIterator[Harness]:
    build_kwargs.setdefault("followup_interval", 3600)
    async with FakeTelegramBotApi() as tg, FakeRasa() as rasa:
        env.setenv("TELEGRAM_BOT_TOKEN", tg.token)
        client = RasaClient([rasa_url or rasa.url], timeout=5)
        application = build_application(
            get_settings(), rasa=client, base_url=tg.base_url, base_file_url=tg.base_file_url, **build_kwargs
        )
        try:
            async with running(application, poll_timeout=1):
                yield Harness(tg, rasa, application)
        finally:
            await client.close()
        assert tg.unknown_methods == [], f"PTB called methods the fake lacks: {tg.unknown_methods}"


@pytest_asyncio.fixture
async def bot(env):
    async with bot_running(env) as harness:
        yield harness


def keyboard_of(call) -> List[List[dict]]:
    return (call.params.get("reply_markup") or {}).get("inline_keyboard", [])


# ------------------------------------------------------------------ plain conversation

async def test_reply_arrives_after_typing(bot):
    bot.tg.send_text(USER, "Hei, jeg er fosterforelder")
    [reply] = await bot.tg.wait_for("sendMessage")
    assert reply.params["chat_id"] == USER
    assert reply.params["text"] == "Ekko: Hei, jeg er fosterforelder"
    assert "parse_mode" not in reply.params, "Rasa texts are sent as plain text"
    typing = [c for c in bot.tg.calls_for("sendChatAction") if c.params["action"] == "typing"]
    assert typing and typing[0].seq < reply.seq and typing[0].params["chat_id"] == USER


async def test_sender_is_hmac_not_telegram_id_and_language_seeds_metadata(bot):
    bot.tg.send_text(USER, "hei", language_code="nb")
    bot.tg.send_text(USER + 1, "hej", language_code="da-DK")
    bot.tg.send_text(USER + 2, "hello", language_code="en")
    bot.tg.send_text(USER + 3, "hei", language_code="nn")
    await bot.tg.wait_for("sendMessage", count=4)
    by_message = {(r["message"], r["sender"]): r["metadata"] for r in bot.rasa.requests}
    assert by_message[("hei", hashed(USER))] == {"channel": "telegram", "language": "nb", "audience": "fosterforelder"}
    assert by_message[("hej", hashed(USER + 1))] == {"channel": "telegram", "language": "da", "audience": "fosterforelder"}
    assert by_message[("hello", hashed(USER + 2))] == {"channel": "telegram", "language": None, "audience": "fosterforelder"}
    assert by_message[("hei", hashed(USER + 3))] == {"channel": "telegram", "language": "nb", "audience": "fosterforelder"}
    for request in bot.rasa.requests:
        assert re.fullmatch(r"[0-9a-f]{64}", request["sender"])
        assert str(USER)[:6] not in request["sender"]
        assert str(USER) not in str(request)


async def test_messages_of_one_chat_are_answered_in_order(bot):
    bot.rasa.delay = 0.05
    for i in range(4):
        bot.tg.send_text(USER, f"melding {i}")
    await bot.tg.wait_for("sendMessage", count=4)
    assert bot.tg.sent_texts(USER) == [f"Ekko: melding {i}" for i in range(4)]


async def test_typing_is_refreshed_while_rasa_is_slow(env, monkeypatch):
    monkeypatch.setattr(tg_app, "TYPING_REFRESH_SECONDS", 0.2)
    async with bot_running(env) as bot:
        bot.rasa.delay = 0.7
        bot.tg.send_text(USER, "tregt svar")
        [reply] = await bot.tg.wait_for("sendMessage")
        typing = [c for c in bot.tg.calls_for("sendChatAction") if c.seq < reply.seq]
        assert len(typing) >= 3


async def test_photo_gets_a_text_only_hint(bot):
    bot.tg.send_photo(USER, language_code="da")
    [reply] = await bot.tg.wait_for("sendMessage")
    assert reply.params["text"].startswith("Jeg kan kun læse tekstbeskeder")
    assert bot.rasa.requests == []


# ------------------------------------------------------------------ buttons

LONG_PAYLOAD = '/trial_action_evaluate{"trial_action_id": "123456", "outcome": "partly"}'


async def test_buttons_become_inline_keyboard_and_press_removes_it_and_sends_payload(bot):
    bot.rasa.responses["hei"] = [
        {
            "text": "Hva vil du snakke om?",
            "buttons": [
                {"title": "Leggetid", "payload": "/help"},
                {"title": "Overganger etter samvær", "payload": LONG_PAYLOAD},
            ],
        }
    ]
    bot.rasa.responses[LONG_PAYLOAD] = [{"text": "Fortell om overgangen."}]
    bot.tg.send_text(USER, "hei")
    [question] = await bot.tg.wait_for("sendMessage")
    rows = keyboard_of(question)
    assert [[b["text"] for b in row] for row in rows] == [["Leggetid"], ["Overganger etter samvær"]]
    for row in rows:
        assert 1 <= len(row[0]["callback_data"].encode()) <= CALLBACK_DATA_LIMIT
    assert len(LONG_PAYLOAD.encode()) > CALLBACK_DATA_LIMIT

    mark = bot.tg.last_seq
    bot.tg.press_button(USER, question.result, rows[1][0]["callback_data"])
    [answer] = await bot.tg.wait_for("sendMessage", since=mark)
    assert answer.params["text"] == "Fortell om overgangen."

    [ack] = bot.tg.calls_for("answerCallbackQuery")
    [edit] = bot.tg.calls_for("editMessageReplyMarkup")
    assert ack.seq < answer.seq and edit.seq < answer.seq
    assert edit.params["message_id"] == question.result["message_id"] and "reply_markup" not in edit.params
    stored = bot.tg.messages[(USER, question.result["message_id"])]
    assert "reply_markup" not in stored, "the keyboard is gone for the user"
    assert bot.rasa.requests[-1] == {
        "sender": hashed(USER),
        "message": LONG_PAYLOAD,
        "metadata": {"channel": "telegram", "language": "nb", "audience": "fosterforelder"},
    }


async def test_short_payload_button(bot):
    bot.rasa.responses["hei"] = [{"text": "Klar?", "buttons": [{"title": "Ja", "payload": "/affirm"}]}]
    bot.tg.send_text(USER, "hei", language_code="da")
    [question] = await bot.tg.wait_for("sendMessage")
    mark = bot.tg.last_seq
    bot.tg.press_button(USER, question.result, keyboard_of(question)[0][0]["callback_data"], language_code="da")
    [answer] = await bot.tg.wait_for("sendMessage", since=mark)
    assert answer.params["text"] == "Ekko: /affirm"
    assert bot.rasa.requests[-1]["metadata"]["language"] == "da"


async def test_unknown_button_key_after_restart_asks_to_type(bot):
    bot.rasa.responses["hei"] = [{"text": "Velg", "buttons": [{"title": "Ja", "payload": "/affirm"}]}]
    bot.tg.send_text(USER, "hei")
    [question] = await bot.tg.wait_for("sendMessage")
    mark = bot.tg.last_seq
    bot.tg.push_update(bot.tg.callback_update(USER, question.result, "k:0123456789abcdef0123"))
    [reply] = await bot.tg.wait_for("sendMessage", since=mark)
    assert reply.params["text"].startswith("Den knappen virker ikke lenger")
    assert len(bot.rasa.requests) == 1
    assert bot.tg.calls_for("answerCallbackQuery")


async def test_double_tap_sends_the_answer_once(bot):
    bot.rasa.responses["hei"] = [{"text": "Klar?", "buttons": [{"title": "Ja", "payload": "/affirm"}]}]
    bot.tg.send_text(USER, "hei")
    [question] = await bot.tg.wait_for("sendMessage")
    data = keyboard_of(question)[0][0]["callback_data"]
    mark = bot.tg.last_seq
    bot.tg.push_update(bot.tg.callback_update(USER, question.result, data))
    bot.tg.push_update(bot.tg.callback_update(USER, question.result, data))
    await bot.tg.wait_for("sendMessage", since=mark)
    await bot.tg.wait_for("answerCallbackQuery", count=2)
    await asyncio.sleep(0.2)
    assert [r["message"] for r in bot.rasa.requests] == ["hei", "/affirm"]
    assert len(bot.tg.calls_for("sendMessage")) == 2


async def test_a_button_sent_before_a_restart_gets_a_friendly_answer(env):
    """The buttons' payloads live in PTB's callback-data cache, in memory: after a restart the
    button is unknown – the user is asked to type instead, nothing reaches Rasa, nothing crashes."""
    async with FakeTelegramBotApi() as tg, FakeRasa() as rasa:
        env.setenv("TELEGRAM_BOT_TOKEN", tg.token)
        rasa.responses["hei"] = [{"text": "Klar?", "buttons": [{"title": "Ja", "payload": "/affirm"}]}]
        client = RasaClient([rasa.url], timeout=5)
        try:
            for run in ("before", "after"):
                application = build_application(get_settings(), rasa=client, base_url=tg.base_url,
                                                base_file_url=tg.base_file_url, followup_interval=3600)
                async with running(application, poll_timeout=1):
                    if run == "before":
                        tg.send_text(USER, "hei")
                        [question] = await tg.wait_for("sendMessage")
                        data = keyboard_of(question)[0][0]["callback_data"]
                    else:
                        mark = tg.last_seq
                        tg.press_button(USER, question.result, data)
                        [reply] = await tg.wait_for("sendMessage", since=mark)
                        assert reply.params["text"].startswith("Den knappen virker ikke lenger")
                        await tg.wait_for("answerCallbackQuery")
        finally:
            await client.close()
        assert [r["message"] for r in rasa.requests] == ["hei"]
        assert tg.unknown_methods == []


async def test_an_old_inline_button_with_a_trial_action_id_still_works(bot):
    """Buttons sent before the callback-data cache carried their payload inline ("p:…"); they
    stay in chat histories and keep working (checked against the allow-list like any button)."""
    old_payload = '/trial_action_tried{"trial_action_id":"12"}'
    bot.rasa.responses["hei"] = [{"text": "Velg"}]
    bot.tg.send_text(USER, "hei")
    [message] = await bot.tg.wait_for("sendMessage")
    mark = bot.tg.last_seq
    bot.tg.push_update(bot.tg.callback_update(USER, message.result, "p:" + old_payload))
    [answer] = await bot.tg.wait_for("sendMessage", since=mark)
    assert answer.params["text"] == "Ekko: " + old_payload
    assert bot.rasa.requests[-1]["message"] == old_payload


# ------------------------------------------------------------------ Telegram's flood control

async def test_a_retry_after_is_waited_out_and_the_message_arrives_once(bot):
    bot.tg.flood("sendMessage", times=1, retry_after=1)
    bot.tg.send_text(USER, "hei")
    await bot.tg.wait_for("sendMessage", lambda c: c.ok, timeout=10)
    await asyncio.sleep(0.3)
    refused, delivered = bot.tg.calls_for("sendMessage")
    assert not refused.ok and "retry after" in refused.error.lower()
    assert delivered.ok and delivered.at - refused.at >= 1.0, "sent again only after retry_after"
    assert bot.tg.sent_texts(USER) == ["Ekko: hei"]
    assert [r["message"] for r in bot.rasa.requests] == ["hei"], "Rasa was asked once"


async def test_a_second_retry_after_drops_that_message_and_the_bot_goes_on(bot, caplog):
    caplog.set_level(logging.WARNING)
    bot.tg.flood("sendMessage", times=2, retry_after=1)
    bot.tg.send_text(USER, "hei")
    await bot.tg.wait_for("sendMessage", count=2, timeout=10)
    for _ in range(50):
        if any("dropping a message" in r.getMessage() for r in caplog.records):
            break
        await asyncio.sleep(0.05)
    assert any("dropping a message" in r.getMessage() for r in caplog.records)
    mark = bot.tg.last_seq
    bot.tg.send_text(USER, "igjen")
    [reply] = await bot.tg.wait_for("sendMessage", since=mark, timeout=10)
    assert reply.ok and bot.tg.sent_texts(USER) == ["Ekko: igjen"]


# ------------------------------------------------------------------ long texts and documents

async def test_long_text_is_split_into_parts_within_limit(bot):
    paragraphs = [f"Del {i}: " + "Barnet trenger en trygg havn og en sikker base. " * 30 for i in range(8)]
    long_text = "\n\n".join(p.strip() for p in paragraphs)
    assert len(long_text) > 2 * TELEGRAM_TEXT_LIMIT
    bot.rasa.responses["forklar"] = [{"text": long_text, "buttons": [{"title": "Mer", "payload": "/more"}]}]
    bot.tg.send_text(USER, "forklar")
    expected = len(split_text(long_text))
    assert expected >= 3
    await bot.tg.wait_for("sendMessage", count=expected)
    await asyncio.sleep(0.1)
    parts = bot.tg.calls_for("sendMessage")
    assert len(parts) == expected
    assert all(p.params["text"].startswith("Del ") for p in parts), "split at paragraph boundaries"
    assert all(telegram_length(p.params["text"]) <= TELEGRAM_TEXT_LIMIT for p in parts)
    assert re.sub(r"\s+", "", "".join(p.params["text"] for p in parts)) == re.sub(r"\s+", "", long_text)
    assert [bool(keyboard_of(p)) for p in parts] == [False] * (expected - 1) + [True]


async def test_referat_arrives_as_text_document(bot):
    referat = "Referat fra samtalen\n\nDu ville prøve: å sette ord på følelser ved leggetid.\n"
    bot.rasa.responses["lag referat"] = FakeRasa.referat(referat, filename="referat-2024-03-12.txt")
    bot.tg.send_text(USER, "lag referat")
    [document] = await bot.tg.wait_for("sendDocument")
    [intro] = bot.tg.calls_for("sendMessage")
    assert intro.params["text"] == "Her er referatet ditt." and intro.seq < document.seq
    upload = document.files["document"]
    assert upload.filename == "referat-2024-03-12.txt"
    assert upload.text == referat
    assert document.params["chat_id"] == USER


# ------------------------------------------------------------------ Rasa down

async def test_rasa_outage_gives_friendly_message_and_warning_without_text(bot, caplog):
    caplog.set_level(logging.INFO)
    bot.rasa.outage = True
    bot.tg.send_text(USER, "veldig privat tekst om barnet", language_code="nb")
    bot.tg.send_text(USER + 1, "meget privat tekst om barnet", language_code="da")
    await bot.tg.wait_for("sendMessage", count=2)
    assert bot.tg.sent_texts(USER) == ["Jeg kan ikke svare akkurat nå – prøv igjen om et minutt."]
    assert bot.tg.sent_texts(USER + 1) == ["Jeg kan ikke svare lige nu – prøv igen om et minut."]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and r.name == "bot.telegram.app"]
    assert len(warnings) == 2 and all("unavailable" in r.getMessage() for r in warnings)
    for record in caplog.records:
        assert "privat tekst" not in record.getMessage()
        assert str(USER) not in record.getMessage()


async def test_rasa_unreachable_gives_friendly_message(env):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    async with bot_running(env, rasa_url=f"http://127.0.0.1:{closed_port}") as bot:
        bot.tg.send_text(USER, "hei")
        [reply] = await bot.tg.wait_for("sendMessage")
        assert reply.params["text"] == "Jeg kan ikke svare akkurat nå – prøv igjen om et minutt."


async def test_no_message_text_logged_at_info(bot, caplog):
    caplog.set_level(logging.INFO)
    bot.rasa.responses["hemmelig innhold"] = [{"text": "svar med hemmelig innhold", "buttons": [{"title": "Ja", "payload": "/affirm"}]}]
    bot.tg.send_text(USER, "hemmelig innhold")
    [question] = await bot.tg.wait_for("sendMessage")
    mark = bot.tg.last_seq
    bot.tg.press_button(USER, question.result, keyboard_of(question)[0][0]["callback_data"])
    await bot.tg.wait_for("sendMessage", since=mark)
    for record in caplog.records:
        assert "hemmelig" not in record.getMessage()
        assert bot.tg.token not in record.getMessage()


# ------------------------------------------------------------------ commands

@pytest.mark.parametrize(
    "command, expected",
    [
        ("/start", "/greet"),
        ("/hjelp", "/help"),
        ("/help", "/help"),
        ("/mine", "/trial_action_list"),
        ("/refleksjon", "/reflection_start"),
        ("/personvern", "/privacy"),
        ("/slett", "/delete_my_data"),
        ("/start@trygg_havn_test_bot", "/greet"),
        ("/START", "/greet"),
        ("/start deeplink-payload", "/greet"),
        ("/followup", "/help"),  # unknown commands never reach Rasa as intents
        ("/ukjent", "/help"),
    ],
)
async def test_commands_map_to_rasa_messages(bot, command, expected):
    bot.tg.send_text(USER, command)
    await bot.tg.wait_for("sendMessage")
    assert [r["message"] for r in bot.rasa.requests] == [expected]
    assert bot.rasa.requests[0]["sender"] == hashed(USER)


async def test_free_text_cannot_pick_an_intent(bot):
    # not command entities (leading space), but Rasa would read "/…" as an intent: typed text never does
    for typed in (" /delete_my_data", " /affirm", "\u00a0//followup", ' /trial_action_delete{"trial_action_id":"1"}'):
        bot.tg.send_text(USER, typed)
    await bot.tg.wait_for("sendMessage", count=4)
    assert [r["message"] for r in bot.rasa.requests] == [
        "delete_my_data", "affirm", "followup", 'trial_action_delete{"trial_action_id":"1"}']


async def test_forged_button_data_outside_the_allow_list_reaches_rasa_as_text(bot):
    """callback_data comes from the client: "p:/delete_my_data" is not a button the bot sent."""
    bot.rasa.responses["hei"] = [{"text": "Klar?", "buttons": [{"title": "Ja", "payload": "/affirm"}]}]
    bot.tg.send_text(USER, "hei")
    [question] = await bot.tg.wait_for("sendMessage")
    mark = bot.tg.last_seq
    bot.tg.push_update(bot.tg.callback_update(USER, question.result, "p:/delete_my_data"))
    await bot.tg.wait_for("sendMessage", since=mark)
    assert [r["message"] for r in bot.rasa.requests] == ["hei", "delete_my_data"]


async def test_identifiers_are_removed_before_rasa_sees_the_message(bot):
    bot.tg.send_text(USER, "Fnr 01019012345, cpr 010190-1234, ring +47 987 65 432 eller kari@example.no")
    await bot.tg.wait_for("sendMessage")
    assert bot.rasa.requests[0]["message"] == "Fnr [fødselsnummer], cpr [cpr], ring [telefon] eller [e-post]"


# ------------------------------------------------------------------ limits

async def test_per_user_limit_refuses_with_one_notice(env):
    env.setenv("TELEGRAM_RATE_PER_USER", "3")
    async with bot_running(env) as bot:
        for i in range(6):
            bot.tg.send_text(USER, f"melding {i}", language_code="da")
        bot.tg.send_text(USER + 1, "en anden bruger")
        await bot.tg.wait_for("sendMessage", count=5)
        await asyncio.sleep(0.3)
        texts = bot.tg.sent_texts(USER)
        assert [t for t in texts if t.startswith("Ekko")] == [f"Ekko: melding {i}" for i in range(3)]
        assert [t for t in texts if not t.startswith("Ekko")] == [
            "Du sender beskeder lidt for hurtigt. Vent et øjeblik og prøv igen."], "told once, not three times"
        assert bot.tg.sent_texts(USER + 1) == ["Ekko: en anden bruger"], "another user has their own count"
        assert [r["message"] for r in bot.rasa.requests if r["sender"] == hashed(USER)] == [
            f"melding {i}" for i in range(3)]


async def test_pending_messages_per_chat_are_capped(env):
    env.setenv("TELEGRAM_MAX_PENDING", "2")
    async with bot_running(env) as bot:
        bot.rasa.delay = 0.5
        for i in range(4):
            bot.tg.send_text(USER, f"melding {i}")
        await bot.tg.wait_for("sendMessage", count=3, timeout=10)
        await asyncio.sleep(0.6)
        texts = bot.tg.sent_texts(USER)
        assert "Jeg svarer fortsatt på de forrige meldingene dine. Vent på svaret, og send så resten." in texts
        assert [t for t in texts if t.startswith("Ekko")] == ["Ekko: melding 0", "Ekko: melding 1"]
        assert len(bot.rasa.requests) == 2
        bot.rasa.delay = 0
        mark = bot.tg.last_seq
        bot.tg.send_text(USER, "nå igjen")
        [again] = await bot.tg.wait_for("sendMessage", since=mark)
        assert again.params["text"] == "Ekko: nå igjen", "answered again once the earlier ones are done"


async def test_command_menu_is_registered(bot):
    assert set(bot.tg.commands) == {"", "da"}
    names = [c["command"] for c in bot.tg.commands[""]]
    assert set(names) <= set(COMMANDS) and "slett" in names and "start" in names


# ------------------------------------------------------------------ follow-ups

def followup_source(items):
    calls = []

    async def due_followups():
        calls.append(1)
        return list(items) if len(calls) == 1 else []

    return due_followups, calls


async def test_followup_is_sent_in_daytime(env):
    done = []

    async def followup_done(chat_id, sender, delivered):
        done.append((chat_id, sender, delivered))

    due, calls = followup_source([(USER, "opaque-sender-1", "da")])
    async with bot_running(
        env, due_followups=due, followup_done=followup_done, followup_interval=0.1, followup_first=0.05,
        clock=lambda: NOON,
    ) as bot:
        bot.tg.add_user(USER)
        bot.rasa.responses["/followup"] = [
            {"text": "Hvordan gik det med det, du ville prøve?", "buttons": [{"title": "Godt", "payload": "/followup_good"}]}
        ]
        [message] = await bot.tg.wait_for("sendMessage")
        assert message.params["chat_id"] == USER
        assert message.params["text"] == "Hvordan gik det med det, du ville prøve?"
        assert keyboard_of(message)
        assert bot.rasa.requests == [
            {"sender": "opaque-sender-1", "message": "/followup", "metadata": {"channel": "telegram", "language": "da", "audience": "fosterforelder"}}
        ]
        for _ in range(50):
            if done:
                break
            await asyncio.sleep(0.02)
        assert done == [(USER, "opaque-sender-1", True)]
        assert len(calls) >= 1


async def test_no_followup_in_quiet_hours(env):
    due, calls = followup_source([(USER, "opaque-sender-1", "nb")])
    async with bot_running(env, due_followups=due, followup_interval=0.1, followup_first=0.05, clock=lambda: LATE) as bot:
        bot.tg.add_user(USER)
        await asyncio.sleep(0.6)
        assert calls == [], "the database is not even asked during quiet hours"
        assert bot.rasa.requests == []
        assert bot.tg.calls_for("sendMessage") == []


async def test_quiet_hours_end_and_followup_goes_out(env):
    now = {"t": LATE}
    due, calls = followup_source([(USER, "opaque-sender-1", "nb")])
    async with bot_running(env, due_followups=due, followup_interval=0.1, followup_first=0.05, clock=lambda: now["t"]) as bot:
        bot.tg.add_user(USER)
        await asyncio.sleep(0.3)
        assert bot.tg.calls_for("sendMessage") == []
        now["t"] = dt.datetime(2024, 3, 13, 8, 0, tzinfo=OSLO)
        [message] = await bot.tg.wait_for("sendMessage")
        assert message.params["text"] == "Ekko: /followup"


async def test_followup_to_blocked_user_is_reported_not_delivered(env):
    done = []

    async def followup_done(chat_id, sender, delivered):
        done.append(delivered)

    due, _ = followup_source([(USER, "s-blocked", "nb"), (USER + 1, "s-ok", "nb")])
    async with bot_running(
        env, due_followups=due, followup_done=followup_done, followup_interval=0.1, followup_first=0.05,
        clock=lambda: NOON,
    ) as bot:
        bot.tg.add_user(USER)
        bot.tg.add_user(USER + 1)
        bot.tg.block(USER)
        await bot.tg.wait_for("sendMessage", lambda c: c.ok)
        for _ in range(50):
            if len(done) == 2:
                break
            await asyncio.sleep(0.02)
        assert done == [False, True]


async def test_followup_with_rasa_down_sends_nothing_to_user(env):
    done = []

    async def followup_done(chat_id, sender, delivered):
        done.append(delivered)

    due, _ = followup_source([(USER, "s1", "nb")])
    async with bot_running(
        env, due_followups=due, followup_done=followup_done, followup_interval=0.1, followup_first=0.05,
        clock=lambda: NOON,
    ) as bot:
        bot.tg.add_user(USER)
        bot.rasa.outage = True
        for _ in range(100):
            if done:
                break
            await asyncio.sleep(0.02)
        assert done == [False]
        assert bot.tg.calls_for("sendMessage") == []


async def test_followup_interval_from_env(env):
    env.setenv("FOLLOWUP_CHECK_SECONDS", "123")
    async with bot_running(env, followup_interval=None) as bot:
        [job] = bot.app.job_queue.get_jobs_by_name("trygg-followups")
        assert job.job.trigger.interval == dt.timedelta(seconds=123)
        assert bridge_of(bot.app).due_followups is tg_app.no_followups


# ------------------------------------------------------------------ the production entry point

async def test_a_webhook_left_from_an_earlier_release_is_removed_and_waiting_messages_answered(env):
    """Webhook mode is gone (production polls): polling deletes a registered webhook at start and
    keeps the updates Telegram held for it."""
    async with FakeTelegramBotApi() as tg, FakeRasa() as rasa:
        env.setenv("TELEGRAM_BOT_TOKEN", tg.token)
        tg.webhook = {"url": "https://bot.example.org/hook", "secret_token": "s", "allowed_updates": None}
        tg.send_text(USER, "skrevet mens boten var nede")
        client = RasaClient([rasa.url], timeout=5)
        application = build_application(get_settings(), rasa=client, base_url=tg.base_url,
                                        base_file_url=tg.base_file_url, followup_interval=3600)
        try:
            async with running(application, poll_timeout=1):
                [reply] = await tg.wait_for("sendMessage")
        finally:
            await client.close()
        assert tg.webhook["url"] == "" and tg.calls_for("deleteWebhook")
        assert reply.params["text"] == "Ekko: skrevet mens boten var nede"


async def test_serve_in_polling_mode_uses_settings(env):
    async with FakeTelegramBotApi() as tg, FakeRasa() as rasa:
        env.setenv("TELEGRAM_BOT_TOKEN", tg.token)
        env.setenv("TELEGRAM_BASE_URL", tg.base_url)
        env.setenv("RASA_URL", rasa.url)
        env.delenv("RASA_URLS", raising=False)
        stop = asyncio.Event()
        task = asyncio.create_task(serve(get_settings(), stop))
        tg.send_text(USER, "hei fra serve")
        [reply] = await tg.wait_for("sendMessage", timeout=8)
        assert reply.params["text"] == "Ekko: hei fra serve"
        stop.set()
        await asyncio.wait_for(task, 5)
        assert tg.unknown_methods == []


async def test_main_exits_clearly_without_token():
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    result = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "bot.telegram"], cwd=Path(__file__).resolve().parent.parent,
        env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in result.stderr
