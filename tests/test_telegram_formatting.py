"""Pure parts of the Telegram channel: text splitting, keyboards, documents, quiet hours, identity."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from zoneinfo import ZoneInfo

import pytest

from bot.telegram.formatting import (
    CALLBACK_DATA_LIMIT,
    TELEGRAM_TEXT_LIMIT,
    OutgoingDocument,
    OutgoingText,
    build_keyboard,
    render_replies,
    safe_filename,
    split_text,
    telegram_length,
    ui_text,
)
from bot.telegram.identity import metadata_language, sender_id
from bot.telegram.quiet_hours import in_quiet_hours, parse_quiet_hours

OSLO = ZoneInfo("Europe/Oslo")


def _content(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ------------------------------------------------------------------ splitting

def test_short_text_is_one_part():
    assert split_text("Hei! Hvordan går det?") == ["Hei! Hvordan går det?"]
    assert split_text("   ") == []


def test_long_text_splits_at_paragraphs_and_keeps_everything():
    paragraphs = [f"Avsnitt {i}. " + "Trygghet og tilknytning. " * 40 for i in range(12)]
    text = "\n\n".join(p.strip() for p in paragraphs)
    parts = split_text(text)
    assert len(parts) > 1
    assert all(0 < telegram_length(p) <= TELEGRAM_TEXT_LIMIT for p in parts)
    assert all(p.startswith("Avsnitt") for p in parts), "every part starts at a paragraph"
    assert _content("".join(parts)) == _content(text)


def test_paragraph_without_breaks_splits_at_sentences():
    text = " ".join(f"Setning nummer {i} handler om omsorg." for i in range(400))
    parts = split_text(text)
    assert len(parts) > 1
    assert all(telegram_length(p) <= TELEGRAM_TEXT_LIMIT for p in parts)
    assert all(p.endswith(".") for p in parts), "parts end at a sentence boundary"
    assert _content("".join(parts)) == _content(text)


def test_unbroken_text_is_cut_hard_but_within_limit():
    text = "x" * 10_000
    parts = split_text(text)
    assert [len(p) for p in parts] == [4096, 4096, 1808]


def test_limit_counts_utf16_units_like_telegram():
    text = "🙂" * 3000  # 6000 UTF-16 units
    parts = split_text(text)
    assert all(telegram_length(p) <= TELEGRAM_TEXT_LIMIT for p in parts)
    assert "".join(parts) == text


def test_tiny_leading_paragraph_does_not_force_a_tiny_message():
    text = "Kort.\n\n" + "Lang setning om samspill. " * 300
    parts = split_text(text, limit=1000)
    assert all(telegram_length(p) <= 1000 for p in parts)
    assert telegram_length(parts[0]) > 300
    assert _content("".join(parts)) == _content(text)


@pytest.mark.parametrize("limit", [50, 100, 333])
def test_small_limits_with_mixed_text(limit):
    text = ("Første avsnitt. Med to setninger!\nEn linje til\n\n" + "ord " * 80 + "\n\n" + "y" * 500) * 3
    parts = split_text(text, limit=limit)
    assert all(0 < telegram_length(p) <= limit for p in parts)
    assert _content("".join(parts)) == _content(text)


# ------------------------------------------------------------------ buttons

def test_button_carries_its_payload_of_any_length_and_old_inline_buttons_still_work():
    from telegram.ext import InvalidCallbackData

    from bot.telegram.app import Button, KeyboardState, _markup, button_payload

    long_payload = '/describe_situation{"emotion":"' + "leggetid og overganger " * 5 + '"}'
    assert len(long_payload.encode("utf-8")) > CALLBACK_DATA_LIMIT
    markup = _markup(OutgoingText("Velg", ((("Ja", "/affirm"),), (("Lang", long_payload),))))
    [[first], [second]] = markup.inline_keyboard
    assert [button_payload(first.callback_data), button_payload(second.callback_data)] == ["/affirm", long_payload]
    assert first.callback_data.keyboard is second.callback_data.keyboard, "one keyboard: pressed once"
    assert button_payload(Button("/deny", KeyboardState())) == "/deny"
    # sent before PTB's callback-data cache: the payload inline after "p:" – PTB hands it over as invalid
    assert button_payload(InvalidCallbackData("p:/trial_action_tried{\"trial_action_id\":\"12\"}")) == \
        '/trial_action_tried{"trial_action_id":"12"}'
    for unknown in (InvalidCallbackData("k:0123456789abcdef0123"), InvalidCallbackData("p:"),
                    InvalidCallbackData(None), InvalidCallbackData("0" * 64), "p:/affirm", None):
        assert button_payload(unknown) is None, unknown


def test_keyboard_one_button_per_row_title_fallback():
    keyboard = build_keyboard(
        [{"title": "Ja", "payload": "/affirm"}, {"title": "", "payload": "/deny"}, {"title": "tom", "payload": ""}],
    )
    assert keyboard == ((("Ja", "/affirm"),), (("/deny", "/deny"),))
    assert build_keyboard([]) is None


# ------------------------------------------------------------------ render_replies

def test_render_text_buttons_and_referat():
    replies = [
        {"text": "Hei!"},
        {"text": "Vil du fortsette?", "buttons": [{"title": "Ja", "payload": "/affirm"}]},
        {"text": "Her er referatet."},
        {"custom": {"type": "referat", "filename": "../../etc/referat 1.md", "text": "Linje 1\nLinje 2"}},
        {"custom": {"type": "something_else"}},
    ]
    out = render_replies(replies, "nb")
    assert out[0] == OutgoingText("Hei!")
    assert out[1] == OutgoingText("Vil du fortsette?", ((("Ja", "/affirm"),),))
    assert out[2] == OutgoingText("Her er referatet.")
    assert isinstance(out[3], OutgoingDocument)
    assert out[3].filename == "referat 1.txt"
    assert out[3].content == "Linje 1\nLinje 2\n".encode("utf-8")
    assert len(out) == 4


def test_buttons_go_on_last_part_of_a_long_text():
    out = render_replies([{"text": "Ord. " * 3000, "buttons": [{"title": "OK", "payload": "/ok"}]}])
    assert len(out) == 4
    assert all(o.keyboard is None for o in out[:-1]) and out[-1].keyboard


def test_buttons_without_text():
    buttons = [{"title": "Ja", "payload": "/affirm"}]
    out = render_replies([{"text": "Spørsmål?"}, {"buttons": buttons}], "nb")
    assert out == [OutgoingText("Spørsmål?", ((("Ja", "/affirm"),),))]
    out = render_replies([{"buttons": buttons}], "da")
    assert out == [OutgoingText(ui_text("choose", "da"), ((("Ja", "/affirm"),),))]


@pytest.mark.parametrize(
    "name, expected",
    [
        ("referat.txt", "referat.txt"),
        ("Referat 2024-05-01", "Referat 2024-05-01.txt"),
        ("../../x/../samtale.txt", "samtale.txt"),
        ("C:\\tmp\\notat.txt", "notat.txt"),
        ("", "referat.txt"),
        (None, "referat.txt"),
        ("møte\x00\n.txt", "møte_.txt"),
        ("a" * 200, "a" * 60 + ".txt"),
    ],
)
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


def test_empty_referat_is_not_sent():
    out = render_replies([{"custom": {"type": "referat", "filename": "x.txt", "text": "  "}}])
    assert out == []


# ------------------------------------------------------------------ quiet hours

def _oslo(hour, minute=0, day=15, month=1):
    return dt.datetime(2024, month, day, hour, minute, tzinfo=OSLO)


@pytest.mark.parametrize(
    "hour, minute, quiet",
    [(21, 59, False), (22, 0, True), (23, 30, True), (0, 0, True), (3, 0, True), (7, 59, True), (8, 0, False), (12, 0, False)],
)
def test_quiet_hours_over_midnight(hour, minute, quiet):
    assert in_quiet_hours(_oslo(hour, minute), "22-8", "Europe/Oslo") is quiet


@pytest.mark.parametrize("hour, quiet", [(12, False), (13, True), (14, True), (15, False)])
def test_quiet_hours_same_day(hour, quiet):
    assert in_quiet_hours(_oslo(hour), "13-15", OSLO) is quiet


def test_no_quiet_hours():
    for hour in range(24):
        assert in_quiet_hours(_oslo(hour), "", "Europe/Oslo") is False
        assert in_quiet_hours(_oslo(hour), "  ", "Europe/Oslo") is False


def test_quiet_hours_use_local_time_including_summer_time():
    # 20:30 UTC is 21:30 in Oslo in winter (not quiet) and 22:30 in summer (quiet)
    winter = dt.datetime(2024, 1, 15, 20, 30, tzinfo=dt.timezone.utc)
    summer = dt.datetime(2024, 7, 15, 20, 30, tzinfo=dt.timezone.utc)
    assert in_quiet_hours(winter, "22-8", "Europe/Oslo") is False
    assert in_quiet_hours(summer, "22-8", "Europe/Oslo") is True
    assert in_quiet_hours(summer, "22-8", "Europe/Copenhagen") is True
    assert in_quiet_hours(summer.replace(tzinfo=None), "22-8", "Europe/Oslo") is True, "naive = UTC"


def test_quiet_hours_with_minutes_and_24():
    assert parse_quiet_hours("22:30-7:15") == (22 * 60 + 30, 7 * 60 + 15)
    assert in_quiet_hours(_oslo(22, 29), "22:30-7:15", OSLO) is False
    assert in_quiet_hours(_oslo(7, 14), "22:30-7:15", OSLO) is True
    assert parse_quiet_hours("20-24") == (1200, 0)
    assert in_quiet_hours(_oslo(23, 59), "20-24", OSLO) is True
    assert in_quiet_hours(_oslo(0, 0), "20-24", OSLO) is False


@pytest.mark.parametrize("spec", ["22", "22-8-9", "a-b", "25-8", "22-8:60", "8-8", "24-0"])
def test_malformed_quiet_hours_are_rejected(spec):
    with pytest.raises(ValueError):
        parse_quiet_hours(spec)


# ------------------------------------------------------------------ identity

def test_sender_id_is_hmac_of_user_id():
    key = hmac.new(b"hemmelig", b"trygg-havn/telegram/sender-id/v1", hashlib.sha256).digest()  # trygg.keys
    expected = hmac.new(key, b"123456", hashlib.sha256).hexdigest()
    assert expected != hmac.new(b"hemmelig", b"123456", hashlib.sha256).hexdigest(), "not the secret itself"
    assert sender_id(123456, "hemmelig") == expected
    assert sender_id("123456", "hemmelig") == expected
    assert len(expected) == 64 and "123456" not in expected
    assert sender_id(123456, "annen") != expected
    assert sender_id(123457, "hemmelig") != expected


def test_sender_id_needs_a_secret():
    with pytest.raises(ValueError):
        sender_id(1, "")


@pytest.mark.parametrize(
    "code, language",
    [("da", "da"), ("da-DK", "da"), ("nb", "nb"), ("no", "nb"), ("nn", "nb"), ("nb-NO", "nb"), ("en", None), ("", None), (None, None), ("sv", None)],
)
def test_metadata_language(code, language):
    assert metadata_language(code) == language
