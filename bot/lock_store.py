"""Rasa's Redis lock store with an atomic lock: one turn of a conversation at a time, on any instance.

Rasa 3.6's RedisLockStore keeps a "ticket" list per conversation and updates it with
read-modify-write (get → add ticket → save), not atomically. Two instances taking a ticket for
the same conversation at the same moment can both end up "now serving" and run the two turns at
once: one user message was lost from the tracker store in our test of two simultaneous messages
on two instances. Here the lock is a single Redis key set with SET NX + expiry (redis-py's Lock,
released only by its owner), polled every 20 ms.

Configured in deploy/endpoints.production.yml as `type: bot.lock_store.AtomicRedisLockStore`
with the same settings as Rasa's `redis` type.
"""
from __future__ import annotations

import asyncio
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Text

from redis.exceptions import LockError as RedisLockError
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore

POLL_SECONDS = 0.02


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: Any = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # how Rasa builds a lock store given by module path
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs}
        super().__init__(**kwargs)

    @asynccontextmanager
    async def lock(self, conversation_id: Text,
                   lock_lifetime: float = LOCK_LIFETIME) -> AsyncGenerator[None, None]:
        mutex = self.red.lock(f"{self.key_prefix}mutex:{conversation_id}", timeout=lock_lifetime)
        deadline = time.monotonic() + lock_lifetime
        while not mutex.acquire(blocking=False):
            if time.monotonic() > deadline:
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            await asyncio.sleep(POLL_SECONDS)
        try:
            yield None
        finally:
            try:
                mutex.release()
            except RedisLockError:  # it expired (a turn longer than the lock lifetime)
                pass
