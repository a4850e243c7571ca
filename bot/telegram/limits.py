"""The Telegram bot's limits: messages a minute per user, and messages of one chat in flight.

`admit(user_id, pending)` → None (go ahead) or the key of the text to show instead
("rate_limited", "too_many_pending"; content/channel_texts.yml). A refused user is told at most
once a minute (`should_tell`), so a flood does not become a flood of replies. In memory: the
Telegram bot runs as one instance.
"""
from __future__ import annotations

from typing import Optional

from bot.rate_limits import RateLimit, make_storage


class TelegramLimits:
    def __init__(self, per_minute: float, max_pending: int):
        storage = make_storage("memory://")
        self.messages = RateLimit(per_minute, storage, "telegram-user")
        self.notices = RateLimit(1, storage, "telegram-notice")
        self.max_pending = max_pending

    def admit(self, user_id: int, pending: int) -> Optional[str]:
        if self.max_pending > 0 and pending >= self.max_pending:
            return "too_many_pending"
        allowed, _ = self.messages.hit(str(user_id))
        return None if allowed else "rate_limited"

    def should_tell(self, user_id: int) -> bool:
        return self.notices.hit(str(user_id))[0]
