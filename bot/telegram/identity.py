"""Who a Telegram user is, as far as Rasa knows: a keyed hash, never the Telegram user id.

sender id = hex(HMAC-SHA256(key=settings.sender_hash_secret, msg=str(telegram user id)))

The same user always gets the same sender id (so Rasa keeps the conversation), the id cannot be
reversed without the secret, and rotating SENDER_HASH_SECRET starts everyone afresh.
"""
from __future__ import annotations

import hashlib
import hmac
from typing import Union


def sender_id(telegram_user_id: Union[int, str], secret: str) -> str:
    """The pseudonymous sender id sent to Rasa for one Telegram user."""
    if not secret:
        raise ValueError("sender hash secret is empty")
    return hmac.new(secret.encode("utf-8"), str(telegram_user_id).encode("utf-8"), hashlib.sha256).hexdigest()


def metadata_language(language_code: Union[str, None]) -> Union[str, None]:
    """Telegram's user.language_code → "da", "nb" or None (let Rasa detect/ask)."""
    code = (language_code or "").strip().lower()
    if code.startswith("da"):
        return "da"
    if code.startswith(("nb", "no", "nn")):
        return "nb"
    return None
