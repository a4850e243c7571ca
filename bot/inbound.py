"""What a user's message becomes before Rasa sees it – one function for both channels.

`user_message(text)`:

1. A button payload of the allow-list (bot.payloads) – `/<intent>` or `/<intent>{"entity": "value"}`
   with only that intent's entity names and short scalar values – is kept as it is.
2. Anything else is text: leading slashes (and spaces) are removed, so typed text never chooses
   an intent, e.g. "/delete_my_data" → "delete_my_data", "/followup" → "followup".
3. Direct identifiers are removed (trygg.redaction: fødselsnummer, CPR, phone numbers, e-mail
   addresses), so the tracker store, Rasa's logs, the action server and the store never receive them.

bot.rasa_client.RasaClient.send calls it for every user message; the channels need not.
Pure: no I/O.
"""
from __future__ import annotations

import json
import re
from typing import Optional

from bot.payloads import CHANNEL_INTENTS, ENTITY_VALUES, payload_intents
from trygg.redaction import redact

_PAYLOAD_RE = re.compile(r"/(?P<intent>[a-z][a-z0-9_]{0,60})(?P<entities>\{[^\n]{0,400}\})?")
_LEADING_RE = re.compile(r"^[\s/]+")
MAX_ENTITY_VALUE_CHARS = 64


def allowed_payload(text: str) -> Optional[str]:
    """`text` when it is a payload of the allow-list, else None."""
    match = _PAYLOAD_RE.fullmatch(text.strip())
    if not match:
        return None
    allowed = payload_intents().get(match.group("intent"))
    if allowed is None:
        return None
    raw = match.group("entities")
    if raw is not None:
        try:
            entities = json.loads(raw)
        except (ValueError, RecursionError):
            return None
        if not isinstance(entities, dict) or not set(entities) <= allowed:
            return None
        for name, value in entities.items():
            if isinstance(value, bool) or not isinstance(value, (str, int)):
                return None
            if name in ENTITY_VALUES and value not in ENTITY_VALUES[name]:
                return None
            if len(str(value)) > MAX_ENTITY_VALUE_CHARS:
                return None
    return match.group(0)


def as_text(text: str) -> str:
    """A user's words as plain text: no leading slashes, so Rasa never reads them as an intent."""
    return _LEADING_RE.sub("", text or "").rstrip()


def user_message(text: str) -> str:
    """What Rasa receives for a user's message or button press (may be "" – nothing to send)."""
    payload = allowed_payload(text or "")
    return redact(payload if payload is not None else as_text(text))


def channel_intent(intent: str) -> str:
    """The message for an intent a channel sends itself (a command, delete, the follow-up job)."""
    if intent not in CHANNEL_INTENTS:
        raise ValueError(f"not a channel intent: {intent!r}")
    return "/" + intent
