"""The Telegram follow-up job's view of the store: who is due, and how to reach them.

The store only knows pseudonyms. For a Telegram user with a prøvehandling waiting for its
follow-up, the channel keeps the chat id encrypted (chat_token.py) under the same pseudonymous
user key the action server uses (sender id = HMAC(Telegram id), user key = HMAC(sender id)).
The row exists only while a follow-up is waiting; it goes with "delete my data" and the purge.

    followups = StoredFollowups(settings.database_url, settings.sender_hash_secret)
    build_application(settings, due_followups=followups.due, followup_done=followups.done,
                      chat_seen=followups.remember)
"""
from __future__ import annotations

import asyncio
import logging
from typing import List, Optional

from trygg.keys import pseudonymous_key
from trygg.store import queries
from trygg.store.db import MigratedEngine, session_scope

from .chat_token import ChatTokenError, decrypt_chat_id, encrypt_chat_id
from .identity import sender_id

log = logging.getLogger(__name__)
BATCH = 200  # follow-ups per round; the rest go out next round


class StoredFollowups:
    def __init__(self, database_url: str, secret: str) -> None:
        self._secret = secret  # never logged
        self._db = MigratedEngine(database_url)

    def close(self) -> None:
        self._db.dispose()

    # --- called by the Telegram bridge ---------------------------------------------------------

    async def remember(self, chat_id: int, sender: str, language: Optional[str]) -> None:
        """After a user's turn: keep (or drop) the encrypted chat, as a follow-up is waiting (or not)."""
        await asyncio.to_thread(self._sync, chat_id, sender, language)

    async def due(self) -> List[tuple]:
        """[(chat_id, sender_id, language)] – one per user with a due, not yet asked follow-up."""
        return await asyncio.to_thread(self._due)

    async def done(self, chat_id: int, sender: str, delivered: bool) -> None:
        """After a push: the action server has marked it asked; drop the chat if nothing else waits."""
        if delivered:
            await self.remember(chat_id, sender, None)

    # --- blocking parts, run in a thread ------------------------------------------------------

    def _sync(self, chat_id: int, sender: str, language: Optional[str]) -> None:
        key = pseudonymous_key(sender, self._secret)
        with session_scope(self._db()) as session:
            queries.sync_telegram_chat(session, key, encrypt_chat_id(chat_id, self._secret), language)

    def _due(self) -> List[tuple]:
        items, unreadable = [], 0
        with session_scope(self._db()) as session:
            for chat in queries.telegram_followup_targets(session, limit=BATCH):
                try:
                    chat_id = decrypt_chat_id(chat.chat_token, self._secret)
                except ChatTokenError:
                    unreadable += 1  # made under another SENDER_HASH_SECRET: unreachable by design
                    continue
                items.append((chat_id, sender_id(chat_id, self._secret), chat.language))
        if unreadable:
            log.warning("%d stored Telegram chat(s) could not be decrypted with the current secret", unreadable)
        return items
