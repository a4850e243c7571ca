"""Rate limits with the `limits` library: N hits a minute per key, moving window.

The counters live where `storage_url` says: `memory://` (one process – the default, and the
Telegram bot, which runs as one instance) or `redis://…` (RATE_LIMIT_STORAGE_URL in production),
so several web instances behind the proxy share one count per session and per client address.

`limits` is pinned to 2.4.0: newer releases need packaging>=21, and Rasa 3.6 pins packaging<21.
"""
from __future__ import annotations

import math
import time
import warnings
from typing import Tuple

with warnings.catch_warnings():  # limits 2.4 imports pkg_resources, which warns about itself
    warnings.simplefilter("ignore", DeprecationWarning)
    from limits import RateLimitItemPerMinute
    from limits.storage import MemoryStorage, Storage, storage_from_string
    from limits.strategies import MovingWindowRateLimiter


def make_storage(url: str) -> Storage:
    """Counters in memory (memory://) or in Redis (redis://[:password@]host:port/db)."""
    return storage_from_string(url or "memory://")


def is_local(storage: Storage) -> bool:
    """True for in-process storage (no network round trip: safe to call on the event loop)."""
    return isinstance(storage, MemoryStorage)


class RateLimit:
    """`per_minute` hits a minute per key (0 or less: no limit), counted in `storage`."""

    def __init__(self, per_minute: float, storage: Storage, namespace: str):
        self.per_minute = int(per_minute) if per_minute and per_minute > 0 else 0
        self.namespace = namespace
        self._item = RateLimitItemPerMinute(max(1, self.per_minute))
        self._storage = storage  # the strategy keeps only a weak reference to it
        self._limiter = MovingWindowRateLimiter(storage)

    @property
    def enabled(self) -> bool:
        return self.per_minute > 0

    def hit(self, key: str) -> Tuple[bool, int]:
        """Count one hit for `key`: (allowed, seconds until the next hit would be allowed)."""
        if not self.enabled:
            return True, 0
        if self._limiter.hit(self._item, self.namespace, key):
            return True, 0
        reset, _ = self._limiter.get_window_stats(self._item, self.namespace, key)
        return False, max(1, math.ceil(reset - time.time()))
