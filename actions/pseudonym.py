"""The pseudonymous key under which a user's rows are stored.

The channels already send an HMAC of the Telegram/web id as Rasa sender id; the store hashes it
once more with a key of its own (bot.keys.STORE_USER_KEY, derived from SENDER_HASH_SECRET), so
neither a raw id nor the channel's pseudonym lands in the DB.
"""
from __future__ import annotations

from bot.keys import STORE_USER_KEY, keyed_hash


def pseudonymous_key(sender_id: str, secret: str) -> str:
    """HMAC-SHA256 of `sender_id` under the store's key derived from `secret`, as 64 hex characters."""
    if not secret:
        raise ValueError("a non-empty secret is needed")
    if not sender_id:
        raise ValueError("a non-empty sender id is needed")
    return keyed_hash(secret, STORE_USER_KEY, sender_id)
