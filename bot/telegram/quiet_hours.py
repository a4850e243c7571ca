"""Quiet hours: the times of day when Trygg havn never starts a conversation (follow-ups).

A spec is "START-END" in local hours, e.g. "22-8" (22:00 up to, not including, 08:00 the next
morning) or with minutes, "22:30-7:15". The range may cross midnight. "" (or only spaces) means
no quiet hours. START == END is rejected as ambiguous (none? all day?).

Pure functions, no settings or clock access: callers pass `now`, the spec and the time zone.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional, Tuple, Union
from zoneinfo import ZoneInfo

TzLike = Union[str, dt.tzinfo]


def parse_quiet_hours(spec: str) -> Optional[Tuple[int, int]]:
    """"22-8" → (1320, 480) as minutes after midnight; "" → None. Raises ValueError when malformed."""
    spec = (spec or "").strip()
    if not spec:
        return None
    parts = spec.split("-")
    if len(parts) != 2:
        raise ValueError(f"quiet hours must look like '22-8', got {spec!r}")
    start, end = (_parse_clock(p, spec) for p in parts)
    if start == end:
        raise ValueError(f"quiet hours {spec!r}: start and end are the same")
    return start, end


def _parse_clock(text: str, spec: str) -> int:
    text = text.strip()
    hour_text, _, minute_text = text.partition(":")
    try:
        hour = int(hour_text)
        minute = int(minute_text) if minute_text else 0
    except ValueError:
        raise ValueError(f"quiet hours {spec!r}: {text!r} is not an hour") from None
    if not (0 <= hour <= 24 and 0 <= minute < 60) or (hour == 24 and minute):
        raise ValueError(f"quiet hours {spec!r}: {text!r} is not a time of day")
    return (hour * 60 + minute) % (24 * 60)


def _zone(tz: TzLike) -> dt.tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def in_quiet_hours(now: dt.datetime, spec: str, tz: TzLike) -> bool:
    """True when `now`, seen on the wall clock in `tz`, falls inside the quiet hours `spec`.

    `now` should be timezone-aware; a naive datetime is taken to be UTC.
    The start is inclusive, the end exclusive ("22-8": 22:00 is quiet, 08:00 is not).
    """
    window = parse_quiet_hours(spec)
    if window is None:
        return False
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.timezone.utc)
    local = now.astimezone(_zone(tz))
    minute = local.hour * 60 + local.minute
    start, end = window
    if start < end:  # same day, e.g. "13-15"
        return start <= minute < end
    return minute >= start or minute < end  # over midnight, e.g. "22-8"
