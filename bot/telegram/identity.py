"""Who a Telegram user is, as far as Rasa knows: a keyed hash, never the Telegram user id.

sender id = hex(HMAC-SHA256(key=derive_key(SENDER_HASH_SECRET, TELEGRAM_SENDER_ID), msg=str(user id)))
(trygg.keys: a key of its own for this purpose, not the secret itself; the language map: trygg.languages)

The same user always gets the same sender id (so Rasa keeps the conversation), the id cannot be
reversed without the secret, and rotating SENDER_HASH_SECRET starts everyone afresh.
"""
from __future__ import annotations

from trygg.keys import telegram_sender_id as sender_id  # noqa: F401  (the Rasa sender id of a Telegram user)
from trygg.languages import from_code as metadata_language  # noqa: F401  (user.language_code → "da", "nb" or None)
