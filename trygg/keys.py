"""One secret, a separate key for each purpose – the only key derivation of Trygg havn.

key(purpose) = HMAC-SHA256(key=secret, msg=purpose label)

A key for one purpose says nothing about the key for another, so e.g. the Telegram pseudonym
sent to Rasa and the key under which the store keeps a user's rows cannot be turned into each
other, even though both come from SENDER_HASH_SECRET. Pure: no I/O.
"""
from __future__ import annotations

import hashlib
import hmac
from typing import Union

# The purposes. Changing a label changes every key derived for it (and so every pseudonym).
TELEGRAM_SENDER_ID = "trygg-havn/telegram/sender-id/v1"    # SENDER_HASH_SECRET: Telegram user id → Rasa sender id
STORE_USER_KEY = "trygg-havn/store/user-key/v1"            # SENDER_HASH_SECRET: Rasa sender id → store row key
TELEGRAM_CHAT_TOKEN = "trygg-havn/telegram-chat-id/v1"     # SENDER_HASH_SECRET: Fernet key of stored chat ids
WEB_SESSION_TOKEN = "trygg-havn/web/session-token"         # SESSION_SECRET: signs the widget's session tokens
WEB_SENDER_ID = "trygg-havn/web/sender-id"                 # SESSION_SECRET: session nonce → Rasa sender id
LEADER_SIGNIN_LINK = "trygg-havn/leader/signin-link/v1"    # SESSION_SECRET: signs the leader's mailed sign-in link
LEADER_SESSION = "trygg-havn/leader/session-cookie/v1"     # SESSION_SECRET: signs the leader's session cookie


def derive_key(secret: str, purpose: str) -> bytes:
    """32 bytes for `purpose`, derived from `secret`."""
    if not secret:
        raise ValueError("a non-empty secret is needed")
    return hmac.new(secret.encode("utf-8"), purpose.encode("utf-8"), hashlib.sha256).digest()


def keyed_hash(secret: str, purpose: str, value: str) -> str:
    """HMAC-SHA256 of `value` under the key for `purpose`, as 64 lower-case hex characters."""
    return hmac.new(derive_key(secret, purpose), value.encode("utf-8"), hashlib.sha256).hexdigest()


def pseudonym(secret: str, purpose: str, value: str) -> str:
    """The one pseudonym helper: `keyed_hash` with both the secret and the value required."""
    if not secret:
        raise ValueError("a non-empty secret is needed")
    if not value:
        raise ValueError("a non-empty value to pseudonymise is needed")
    return keyed_hash(secret, purpose, value)


def telegram_sender_id(telegram_user_id: Union[int, str], secret: str) -> str:
    """The pseudonymous Rasa sender id of one Telegram user (never the Telegram user id itself)."""
    return pseudonym(secret, TELEGRAM_SENDER_ID, str(telegram_user_id))


def pseudonymous_key(sender_id: str, secret: str) -> str:
    """The key under which the store keeps a user's rows: the Rasa sender id hashed once more with a
    key of its own, so neither a raw id nor the channel's pseudonym lands in the database."""
    return pseudonym(secret, STORE_USER_KEY, sender_id)
