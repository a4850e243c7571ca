"""The one small client both channels (Telegram and the web entry) use to talk to Rasa.

It posts a user's message to Rasa's REST channel and returns the bot's replies as plain dicts
(`text`, `buttons`, `custom`). With several Rasa instances (RASA_URLS) it goes round-robin and
tries the next instance when one cannot be reached. When no instance answers – or the answer is
empty because a custom action failed – it raises `RasaUnavailable`, which the channels turn into
a friendly "try again in a minute".

Every user message goes through `bot.inbound.user_message` here, on its way out: only button
payloads of the allow-list reach Rasa as intents, and fødselsnummer, CPR and phone numbers and
e-mail addresses are removed before Rasa – its tracker store, its logs, the action server and the
store – ever sees them. What the channels send themselves (commands, delete, the follow-up job)
goes through `send_intent`, which accepts only bot.payloads.CHANNEL_INTENTS.
"""
from __future__ import annotations

import itertools
import logging
from typing import Any, Dict, Iterable, List, Optional

import httpx

from bot.inbound import channel_intent, user_message

log = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """Rasa (or the action server behind it) could not answer."""


class EmptyMessage(ValueError):
    """Nothing of the user's message is left to send (e.g. only slashes)."""


class RasaClient:
    def __init__(self, urls: Iterable[str], timeout: float = 30.0,
                 transport: Optional[httpx.AsyncBaseTransport] = None):
        self._urls = [u.rstrip("/") for u in urls]
        if not self._urls:
            raise ValueError("at least one Rasa URL is needed")
        self._next = itertools.cycle(range(len(self._urls)))
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)

    async def close(self) -> None:
        await self._http.aclose()

    async def send(self, sender_id: str, text: str, metadata: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
        """Send one user message (typed or a button's payload); return the bot's replies in order."""
        message = user_message(text)
        if not message:
            raise EmptyMessage("nothing to send")
        return await self._post(sender_id, message, metadata)

    async def send_intent(self, sender_id: str, intent: str,
                          metadata: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
        """Send an intent of the channel itself (bot.payloads.CHANNEL_INTENTS), e.g. "followup"."""
        return await self._post(sender_id, channel_intent(intent), metadata)

    async def _post(self, sender_id: str, message: str, metadata: Optional[Dict[str, Any]]) -> List[Dict[str, Any]]:
        payload = {"sender": sender_id, "message": message, "metadata": metadata or {}}
        start = next(self._next)
        last_error: Optional[Exception] = None
        for offset in range(len(self._urls)):
            url = self._urls[(start + offset) % len(self._urls)]
            try:
                response = await self._http.post(f"{url}/webhooks/rest/webhook", json=payload)
            except httpx.HTTPError as error:  # connection refused, timeout …
                log.warning("Rasa at %s unreachable: %s", url, type(error).__name__)
                last_error = error
                continue
            if response.status_code >= 500:
                log.warning("Rasa at %s answered %s", url, response.status_code)
                last_error = RasaUnavailable(f"status {response.status_code}")
                continue
            if response.status_code != 200:
                raise RasaUnavailable(f"Rasa answered {response.status_code}")
            replies = response.json()
            if not isinstance(replies, list):
                raise RasaUnavailable("unexpected reply from Rasa")
            shown = [r for r in (normalise_reply(r) for r in replies if isinstance(r, dict)) if r]
            if not shown:
                # Every user turn of this bot says something; silence means a custom action failed
                # (e.g. the action server is down). Not retried elsewhere: the turn was processed.
                raise RasaUnavailable("Rasa answered with nothing to show")
            return shown
        raise RasaUnavailable(str(last_error) if last_error else "no Rasa instance answered")


def normalise_reply(reply: Dict[str, Any]) -> Dict[str, Any]:
    """Keep only what a channel shows: text, buttons (title/payload) and custom payloads."""
    out: Dict[str, Any] = {}
    if reply.get("text"):
        out["text"] = str(reply["text"])
    buttons = [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in reply.get("buttons") or []
        if isinstance(b, dict) and b.get("payload")
    ]
    if buttons:
        out["buttons"] = buttons
    if isinstance(reply.get("custom"), dict):
        out["custom"] = reply["custom"]
    return out
