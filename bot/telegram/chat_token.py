"""The Telegram chat id, encrypted for the store (pure: no database, no Telegram).

The store keeps a user's chat only to push a due follow-up. It is encrypted with Fernet
(AES-128-CBC + HMAC) under a key derived from SENDER_HASH_SECRET for this purpose alone, so a
copy of the database alone reveals no Telegram id.
"""
from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken

from trygg.keys import TELEGRAM_CHAT_TOKEN, derive_key


class ChatTokenError(ValueError):
    """The token was not made with this secret (or was changed)."""


def _fernet(secret: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(derive_key(secret, TELEGRAM_CHAT_TOKEN)))


def encrypt_chat_id(chat_id: int, secret: str) -> str:
    return _fernet(secret).encrypt(str(int(chat_id)).encode("ascii")).decode("ascii")


def decrypt_chat_id(token: str, secret: str) -> int:
    try:
        return int(_fernet(secret).decrypt(token.encode("ascii")).decode("ascii"))
    except (InvalidToken, ValueError, UnicodeError) as error:
        raise ChatTokenError("not a chat token of this deployment") from error
