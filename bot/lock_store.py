"""Rasa's Redis lock store, without its lost-ticket race between instances.

Rasa 3.6 issues a ticket with read-modify-write on Redis (get lock → add ticket → save), not
atomically. When instance A finishes a conversation's turn and removes the lock while instance B
is adding its ticket for the next message of the same conversation, B's ticket is gone and Rasa
raises `LockError` – the message is dropped with an empty answer (seen in our test of two
simultaneous messages on two instances). Here B simply takes a new ticket and waits its turn.

Configured in deploy/endpoints.production.yml as `type: bot.lock_store.TicketRetryingRedisLockStore`
with the same settings as Rasa's `redis` type.
"""
from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Text

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore

log = logging.getLogger(__name__)
TICKET_ATTEMPTS = 5


class TicketRetryingRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: Any = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # how Rasa builds a lock store given by module path
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs}
        super().__init__(**kwargs)

    @asynccontextmanager
    async def lock(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncGenerator[TicketLock, None]:
        for attempt in range(1, TICKET_ATTEMPTS + 1):
            ticket = self.issue_ticket(conversation_id, lock_lifetime)
            try:
                acquired = await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
                break
            except LockError:  # our ticket vanished with a lock another instance removed
                self.cleanup(conversation_id, ticket)
                if attempt == TICKET_ATTEMPTS:
                    raise
                log.info("conversation lock vanished under a new ticket; taking another (%d)", attempt)
        try:
            yield acquired
        finally:
            self.cleanup(conversation_id, ticket)
