"""Who a Telegram user is, as far as Rasa knows: a keyed hash, never the Telegram user id.

sender id = hex(HMAC-SHA256(key=derive_key(SENDER_HASH_SECRET, TELEGRAM_SENDER_ID), msg=str(user id)))
(bot.keys: a key of its own for this purpose, not the secret itself)

The same user always gets the same sender id (so Rasa keeps the conversation), the id cannot be
reversed without the secret, and rotating SENDER_HASH_SECRET starts everyone afresh.
"""
from __future__ import annotations

from typing import Union

from bot.keys import TELEGRAM_SENDER_ID, keyed_hash


def sender_id(telegram_user_id: Union[int, str], secret: str) -> str:
    """The pseudonymous sender id sent to Rasa for one Telegram user."""
    if not secret:
        raise ValueError("sender hash secret is empty")
    return keyed_hash(secret, TELEGRAM_SENDER_ID, str(telegram_user_id))


def metadata_language(language_code: Union[str, None]) -> Union[str, None]:
    """Telegram's user.language_code → "da", "nb" or None (let Rasa detect/ask)."""
    code = (language_code or "").strip().lower()
    if code.startswith("da"):
        return "da"
    if code.startswith(("nb", "no", "nn")):
        return "nb"
    return None
