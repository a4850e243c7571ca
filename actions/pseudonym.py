"""The pseudonymous key under which a user's rows are stored.

The channels already send an HMAC of the Telegram/web id as Rasa sender id; the store hashes it
once more with its own secret, so neither a raw id nor the channel's pseudonym lands in the DB.
"""
from __future__ import annotations

import hashlib
import hmac


def pseudonymous_key(sender_id: str, secret: str) -> str:
    """HMAC-SHA256 of `sender_id` keyed with `secret`, as 64 lower-case hex characters."""
    if not secret:
        raise ValueError("a non-empty secret is needed")
    if not sender_id:
        raise ValueError("a non-empty sender id is needed")
    return hmac.new(secret.encode("utf-8"), sender_id.encode("utf-8"), hashlib.sha256).hexdigest()
