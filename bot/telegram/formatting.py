"""Rasa replies → what the Telegram bot sends. Pure: no network, no PTB objects.

* Texts longer than Telegram's 4096-character limit are split at paragraph, then line, then
  sentence, then word boundaries (hard cut only for a single "word" longer than the limit).
  Length is counted in UTF-16 code units, as Telegram does (an emoji may count as 2).
* Rasa buttons become an inline keyboard spec: rows of (title, payload). The payload never goes
  to Telegram as such: bot.telegram.app puts it into PTB's callback-data cache (any length;
  Telegram sees a UUID of 64 bytes, its limit for callback_data).
* A custom payload {"type": "referat", "filename": ..., "text": ...} becomes a .txt document.
* Texts are sent as plain text (no parse_mode), so Rasa's texts can never break Markdown/HTML.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Tuple, Union

from bot.channel_texts import texts

TELEGRAM_TEXT_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64  # bytes
FILENAME_MAX_CHARS = 64

# One inline keyboard: rows of buttons, a button is (title, payload).
Keyboard = Tuple[Tuple[Tuple[str, str], ...], ...]


@dataclass(frozen=True)
class OutgoingText:
    text: str
    keyboard: Optional[Keyboard] = None


@dataclass(frozen=True)
class OutgoingDocument:
    filename: str
    content: bytes
    caption: Optional[str] = None


Outgoing = Union[OutgoingText, OutgoingDocument]


# --------------------------------------------------------------------------------------------
# Fixed texts of the Telegram channel itself (content/channel_texts.yml; everything else comes from Rasa)

def ui_text(key: str, language: Optional[str]) -> str:
    return texts("telegram")["da" if language == "da" else "nb"][key]


# --------------------------------------------------------------------------------------------
# Splitting long texts

def telegram_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


# Preferred cut points, best first. Each match is removed at the cut (it is only whitespace).
_CUTS = (
    re.compile(r"\n[ \t]*\n\s*"),          # paragraph
    re.compile(r"\n\s*"),                   # line
    re.compile(r"(?<=[.!?…:;])[ \t]+"),     # sentence (space after . ! ? … : ;)
    re.compile(r"\s+"),                     # word
)


def _fitting_prefix(text: str, limit: int) -> int:
    """Largest n such that text[:n] fits into `limit` UTF-16 units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def _cut(text: str, limit: int) -> Tuple[str, str]:
    fit = _fitting_prefix(text, limit)
    min_fill = max(1, fit // 3)  # avoid a tiny first part when a later, lesser cut fills better
    best: Optional[Tuple[int, int]] = None
    for pattern in _CUTS:
        last: Optional[Tuple[int, int]] = None
        for match in pattern.finditer(text):
            if match.start() > fit:
                break
            if match.start() > 0:
                last = (match.start(), match.end())
        if last is None:
            continue
        if last[0] >= min_fill:
            best = last
            break
        if best is None or last[0] > best[0]:
            best = last
    if best is None:  # one unbroken word longer than the limit
        return text[:fit], text[fit:]
    return text[: best[0]].rstrip(), text[best[1]:]


def split_text(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> List[str]:
    """Split `text` into non-empty parts of at most `limit` Telegram characters each."""
    if limit < 2:
        raise ValueError("limit too small")
    text = (text or "").strip()
    parts: List[str] = []
    while telegram_length(text) > limit:
        head, text = _cut(text, limit)
        if head:
            parts.append(head)
        text = text.lstrip("\n")
    if text:
        parts.append(text)
    return parts


# --------------------------------------------------------------------------------------------
# Buttons and callback data

def build_keyboard(buttons: Iterable[Dict[str, Any]]) -> Optional[Keyboard]:
    """Rasa buttons → one button per row (long titles stay readable on a phone)."""
    rows = []
    for button in buttons:
        payload = str(button.get("payload") or "")
        if not payload:
            continue
        title = str(button.get("title") or "").strip() or payload
        rows.append(((title, payload),))
    return tuple(rows) or None


# --------------------------------------------------------------------------------------------
# Documents

def safe_filename(name: Any, default: str = "referat.txt") -> str:
    """A harmless file name ending in .txt: no paths, no control or odd characters."""
    name = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[^\w.\- ]+", "_", name, flags=re.UNICODE).strip(" ._")
    if not name:
        name = default
    if not name.lower().endswith(".txt"):
        name = name.rsplit(".", 1)[0] if name.lower().endswith((".md", ".text")) else name
        name = f"{name}.txt"
    if len(name) > FILENAME_MAX_CHARS:
        name = name[: FILENAME_MAX_CHARS - 4].rstrip(" ._") + ".txt"
    return name


def referat_document(custom: Any) -> Optional[OutgoingDocument]:
    if not isinstance(custom, dict) or custom.get("type") != "referat":
        return None
    text = str(custom.get("text") or "")
    if not text.strip():
        return None
    if not text.endswith("\n"):
        text += "\n"
    return OutgoingDocument(filename=safe_filename(custom.get("filename")), content=text.encode("utf-8"))


# --------------------------------------------------------------------------------------------
# Everything together

def render_replies(
    replies: Iterable[Dict[str, Any]],
    language: Optional[str] = None,
    limit: int = TELEGRAM_TEXT_LIMIT,
) -> List[Outgoing]:
    """Rasa replies (as returned by RasaClient.send) → messages to send, in order.

    Buttons go on the last part of their reply's text. Buttons without text go on the previous
    text message when it has no keyboard yet, else on a short "choose" prompt.
    """
    out: List[Outgoing] = []
    for reply in replies:
        chunks = split_text(str(reply.get("text") or ""), limit)
        keyboard = build_keyboard(reply.get("buttons") or [])
        for chunk in chunks[:-1]:
            out.append(OutgoingText(chunk))
        if chunks:
            out.append(OutgoingText(chunks[-1], keyboard))
        elif keyboard:
            previous = out[-1] if out else None
            if isinstance(previous, OutgoingText) and previous.keyboard is None:
                out[-1] = OutgoingText(previous.text, keyboard)
            else:
                out.append(OutgoingText(ui_text("choose", language), keyboard))
        document = referat_document(reply.get("custom"))
        if document:
            out.append(document)
    return out
