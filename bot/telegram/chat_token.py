"""The Telegram chat id, encrypted for the store (pure: no database, no Telegram).

The store keeps a user's chat only to push a due follow-up. It is encrypted with Fernet
(AES-128-CBC + HMAC) under a key derived from SENDER_HASH_SECRET for this purpose alone, so a
copy of the database alone reveals no Telegram id.
"""
from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken

_PURPOSE = b"trygg-havn/telegram-chat-id/v1"


class ChatTokenError(ValueError):
    """The token was not made with this secret (or was changed)."""


def _fernet(secret: str) -> Fernet:
    if not secret:
        raise ValueError("a non-empty secret is needed")
    key = hmac.new(secret.encode("utf-8"), _PURPOSE, hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_chat_id(chat_id: int, secret: str) -> str:
    return _fernet(secret).encrypt(str(int(chat_id)).encode("ascii")).decode("ascii")


def decrypt_chat_id(token: str, secret: str) -> int:
    try:
        return int(_fernet(secret).decrypt(token.encode("ascii")).decode("ascii"))
    except (InvalidToken, ValueError, UnicodeError) as error:
        raise ChatTokenError("not a chat token of this deployment") from error
