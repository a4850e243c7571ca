"""The store's repository API. Every function that reads or changes a user's rows takes the
user's pseudonymous `user_key` and filters on it, so no call can return or touch another
user's rows. All free text is redacted here, before it is written.

Functions take an open Session (see trygg.store.db.session_scope) and do not commit.
Times default to "now" in UTC; naive datetimes count as UTC.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from typing import List, Optional, Tuple

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement

from trygg.redaction import redact
from trygg.store.models import (HANDS, NOTE_MAX_CHARS, OUTCOMES, Reflection, TelegramChat, TrialAction,
                                TrialActionNumber)


def _now(now: Optional[datetime]) -> datetime:
    if now is None:
        return datetime.now(timezone.utc)
    return now if now.tzinfo is not None else now.replace(tzinfo=timezone.utc)


def _check_user_key(user_key: str) -> None:
    if not user_key:
        raise ValueError("user_key is required")


def _check_hand(hand: Optional[str], allow_none: bool = False) -> None:
    if hand is None and allow_none:
        return
    if hand not in HANDS:
        raise ValueError(f"hand must be one of {HANDS}, not {hand!r}")


def _clean(text: Optional[str], max_chars: Optional[int] = None) -> Optional[str]:
    """Redact, strip and (optionally) cut free text; empty text becomes None."""
    if text is None:
        return None
    cleaned = redact(str(text)).strip()
    if max_chars is not None:
        cleaned = cleaned[:max_chars].rstrip()
    return cleaned or None


# ---- the user's own numbers («nr. 1», «nr. 2» …) -----------------------------------------------


def _lock_user_numbers(session: Session, user_key: str) -> None:
    """Until this transaction ends, no other transaction gives this user a number.

    PostgreSQL: a transaction-level advisory lock per user (other users are not held up).
    SQLite: its one write lock, taken by a write that changes nothing, before the numbers are read.
    The unique index (user_key, user_number) stays the last guard on any database."""
    if session.get_bind().dialect.name == "postgresql":
        lock_id = int.from_bytes(hashlib.sha256(f"trial_actions:{user_key}".encode()).digest()[:8], "big", signed=True)
        session.execute(select(func.pg_advisory_xact_lock(lock_id)))
    else:
        session.execute(text("UPDATE trial_actions SET user_number = user_number WHERE user_key = :k AND 1 = 0"),
                        {"k": user_key})


def _take_numbers(session: Session, user_key: str, how_many: int, now: datetime) -> int:
    """Under the lock: the first of `how_many` new numbers for the user, one above the last number
    ever given (TrialActionNumber) and above every stored one; noted as given."""
    highest = session.execute(
        select(func.max(TrialAction.user_number)).where(TrialAction.user_key == user_key)
    ).scalar_one()
    counter = session.get(TrialActionNumber, user_key)
    if counter is None:
        counter = TrialActionNumber(user_key=user_key, last_number=0)
        session.add(counter)
    first = max(counter.last_number, highest or 0) + 1
    counter.last_number = first + how_many - 1
    counter.updated_at = now
    return first


def _number_unnumbered(session: Session, user_key: str, now: datetime) -> None:
    """Under the lock: number the user's rows without a number (saved by the previous release
    during an upgrade), in the order they were saved."""
    unnumbered = list(session.execute(
        select(TrialAction).where(TrialAction.user_key == user_key, TrialAction.user_number.is_(None))
        .order_by(TrialAction.created_at, TrialAction.id)
    ).scalars())
    if unnumbered:
        first = _take_numbers(session, user_key, len(unnumbered), now)
        for offset, action in enumerate(unnumbered):
            action.user_number = first + offset
    session.flush()


def _ensure_numbered(session: Session, user_key: str) -> None:
    """Give every row of the user a number before the user is shown one (rarely has work to do)."""
    unnumbered = select(TrialAction.id).where(TrialAction.user_key == user_key, TrialAction.user_number.is_(None))
    if session.execute(unnumbered.limit(1)).first() is not None:
        _lock_user_numbers(session, user_key)
        _number_unnumbered(session, user_key, _now(None))


# ---- trial actions ------------------------------------------------------------------------------


def save_trial_action(
    session: Session,
    user_key: str,
    *,
    hand: str,
    action_text: str,
    topic: Optional[str] = None,
    situation: Optional[str] = None,
    followup_delay_days: Optional[float] = None,
    now: Optional[datetime] = None,
    same_within_seconds: Optional[float] = None,
) -> TrialAction:
    """Store a planned trial action; its follow-up falls due `followup_delay_days` after now.

    It gets the user's next number (`user_number`: one more than the last number this user was
    ever given, so a deleted number is never given again), under a per-user lock, so two saves of
    one user at once get two numbers.

    With `same_within_seconds`, the same planned action saved by this user that recently is
    returned instead of a second row (a double tap, or a retry after "try again").
    """
    _check_user_key(user_key)
    _check_hand(hand)
    text = _clean(action_text)
    if not text:
        raise ValueError("action_text is required")
    created = _now(now)
    _lock_user_numbers(session, user_key)  # also makes the double-tap check below safe when racing
    _number_unnumbered(session, user_key, created)
    if same_within_seconds is not None:
        recent = session.execute(
            select(TrialAction).where(
                TrialAction.user_key == user_key, TrialAction.action_text == text, TrialAction.status == "planned",
                TrialAction.created_at >= created - timedelta(seconds=same_within_seconds),
            ).order_by(TrialAction.id.desc()).limit(1)
        ).scalar_one_or_none()
        if recent is not None:
            return recent
    if followup_delay_days is None:
        from trygg.settings import get_settings

        followup_delay_days = get_settings().followup_delay_days
    action = TrialAction(
        user_key=user_key,
        user_number=_take_numbers(session, user_key, 1, created),
        topic=str(topic)[:100] if topic else None,
        situation=_clean(situation),
        hand=hand,
        action_text=text,
        status="planned",
        created_at=created,
        updated_at=created,
        due_at=created + timedelta(days=followup_delay_days),
    )
    session.add(action)
    session.flush()
    return action


def get_trial_action(session: Session, user_key: str, action_id: int) -> Optional[TrialAction]:
    """The user's trial action with this id, or None (also when it belongs to someone else)."""
    _check_user_key(user_key)
    stmt = select(TrialAction).where(TrialAction.id == action_id, TrialAction.user_key == user_key)
    return session.execute(stmt).scalar_one_or_none()


def get_trial_action_by_number(session: Session, user_key: str, user_number: int) -> Optional[TrialAction]:
    """The user's trial action with the number the user knows it by (nr. `user_number`), or None.
    Only this user's rows are searched: another user's nr. 1 is never found."""
    _check_user_key(user_key)
    if not 0 < user_number <= 2_147_483_647:  # no such number (and it would not fit the column)
        return None
    _ensure_numbered(session, user_key)
    stmt = select(TrialAction).where(TrialAction.user_key == user_key, TrialAction.user_number == user_number)
    return session.execute(stmt).scalar_one_or_none()


def list_trial_actions(session: Session, user_key: str, status: Optional[str] = None) -> List[TrialAction]:
    """The user's trial actions, newest first, optionally only those with `status`."""
    _check_user_key(user_key)
    _ensure_numbered(session, user_key)
    stmt = select(TrialAction).where(TrialAction.user_key == user_key)
    if status is not None:
        stmt = stmt.where(TrialAction.status == status)
    stmt = stmt.order_by(TrialAction.created_at.desc(), TrialAction.id.desc())
    return list(session.execute(stmt).scalars())


def mark_tried(session: Session, user_key: str, action_id: int, now: Optional[datetime] = None) -> bool:
    """Mark the user's planned trial action as tried. True if a row changed."""
    _check_user_key(user_key)
    stmt = (
        update(TrialAction)
        .where(TrialAction.id == action_id, TrialAction.user_key == user_key, TrialAction.status == "planned")
        .values(status="tried", updated_at=_now(now))
        .execution_options(synchronize_session="fetch")
    )
    return session.execute(stmt).rowcount == 1


def evaluate(
    session: Session,
    user_key: str,
    action_id: int,
    outcome: str,
    note: Optional[str] = None,
    now: Optional[datetime] = None,
) -> bool:
    """Record how the user's trial action went (note redacted, at most 500 chars). True if changed."""
    _check_user_key(user_key)
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}, not {outcome!r}")
    stmt = (
        update(TrialAction)
        .where(TrialAction.id == action_id, TrialAction.user_key == user_key)
        .values(status="evaluated", outcome=outcome, note=_clean(note, NOTE_MAX_CHARS), updated_at=_now(now))
        .execution_options(synchronize_session="fetch")
    )
    return session.execute(stmt).rowcount == 1


def delete_trial_action(session: Session, user_key: str, action_id: int) -> bool:
    """Delete the user's trial action (its reflections stay, unlinked). True if a row was deleted."""
    _check_user_key(user_key)
    if get_trial_action(session, user_key, action_id) is None:
        return False
    session.execute(
        update(Reflection)
        .where(Reflection.trial_action_id == action_id, Reflection.user_key == user_key)
        .values(trial_action_id=None)
        .execution_options(synchronize_session="fetch")
    )
    stmt = (
        delete(TrialAction)
        .where(TrialAction.id == action_id, TrialAction.user_key == user_key)
        .execution_options(synchronize_session="fetch")
    )
    return session.execute(stmt).rowcount == 1


# ---- follow-ups ---------------------------------------------------------------------------------


def _due(now: datetime) -> Tuple[ColumnElement, ...]:
    return (
        TrialAction.status.in_(("planned", "tried")),
        TrialAction.due_at <= now,
        TrialAction.followup_asked_at.is_(None),
    )


def due_followups(session: Session, user_key: str, now: Optional[datetime] = None) -> List[TrialAction]:
    """The user's planned/tried actions whose follow-up is due and has not been asked yet."""
    _check_user_key(user_key)
    _ensure_numbered(session, user_key)
    stmt = (
        select(TrialAction)
        .where(TrialAction.user_key == user_key, *_due(_now(now)))
        .order_by(TrialAction.due_at, TrialAction.id)
    )
    return list(session.execute(stmt).scalars())


def mark_followup_asked(session: Session, action_id: int, now: Optional[datetime] = None) -> bool:
    """Record that the follow-up was asked. True only the first time (ask once, even if racing)."""
    stmt = (
        update(TrialAction)
        .where(TrialAction.id == action_id, TrialAction.followup_asked_at.is_(None))
        .values(followup_asked_at=_now(now))
        .execution_options(synchronize_session="fetch")
    )
    return session.execute(stmt).rowcount == 1


def has_waiting_followup(session: Session, user_key: str) -> bool:
    """Does the user have a planned/tried action whose follow-up has not been asked yet?"""
    _check_user_key(user_key)
    stmt = select(TrialAction.id).where(
        TrialAction.user_key == user_key,
        TrialAction.status.in_(("planned", "tried")),
        TrialAction.followup_asked_at.is_(None),
    ).limit(1)
    return session.execute(stmt).first() is not None


# ---- Telegram chats (for pushed follow-ups) -----------------------------------------------------


def sync_telegram_chat(
    session: Session, user_key: str, chat_token: str, language: Optional[str], now: Optional[datetime] = None
) -> bool:
    """Keep the user's (encrypted) chat only while a follow-up is waiting. True if one is kept.
    `language` None keeps the language stored before."""
    _check_user_key(user_key)
    if not has_waiting_followup(session, user_key):
        session.execute(delete(TelegramChat).where(TelegramChat.user_key == user_key)
                        .execution_options(synchronize_session="fetch"))
        return False
    chat = session.get(TelegramChat, user_key)
    if chat is None:
        chat = TelegramChat(user_key=user_key)
        session.add(chat)
    chat.chat_token = chat_token
    if language in ("nb", "da"):
        chat.language = language
    chat.updated_at = _now(now)
    session.flush()
    return True


def telegram_followup_targets(
    session: Session, now: Optional[datetime] = None, limit: Optional[int] = None
) -> List[TelegramChat]:
    """For the Telegram job: one chat per user who has a due, not yet asked follow-up."""
    due_users = select(TrialAction.user_key).where(*_due(_now(now)))
    stmt = (
        select(TelegramChat)
        .where(TelegramChat.user_key.in_(due_users))
        .order_by(TelegramChat.updated_at, TelegramChat.user_key)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.execute(stmt).scalars())


# ---- reflections --------------------------------------------------------------------------------


def save_reflection(
    session: Session,
    user_key: str,
    *,
    situation: Optional[str],
    adult_perspective: Optional[str],
    child_perspective: Optional[str],
    hand: Optional[str] = None,
    trial_action_id: Optional[int] = None,
    now: Optional[datetime] = None,
) -> Reflection:
    """Store a guided reflection; `trial_action_id` must be one of this user's trial actions."""
    _check_user_key(user_key)
    _check_hand(hand, allow_none=True)
    if trial_action_id is not None and get_trial_action(session, user_key, trial_action_id) is None:
        raise ValueError("trial_action_id is not one of this user's trial actions")
    reflection = Reflection(
        user_key=user_key,
        situation=_clean(situation),
        adult_perspective=_clean(adult_perspective),
        child_perspective=_clean(child_perspective),
        hand=hand,
        trial_action_id=trial_action_id,
        created_at=_now(now),
    )
    session.add(reflection)
    session.flush()
    return reflection


def list_reflections(session: Session, user_key: str) -> List[Reflection]:
    """The user's reflections, newest first."""
    _check_user_key(user_key)
    stmt = (
        select(Reflection)
        .where(Reflection.user_key == user_key)
        .order_by(Reflection.created_at.desc(), Reflection.id.desc())
    )
    return list(session.execute(stmt).scalars())


# ---- deletion and retention ---------------------------------------------------------------------


def delete_user_data(session: Session, user_key: str) -> int:
    """Delete everything stored under `user_key`; returns the number of rows deleted."""
    _check_user_key(user_key)
    deleted = session.execute(
        delete(Reflection).where(Reflection.user_key == user_key).execution_options(synchronize_session="fetch")
    ).rowcount
    deleted += session.execute(
        delete(TrialAction).where(TrialAction.user_key == user_key).execution_options(synchronize_session="fetch")
    ).rowcount
    deleted += session.execute(
        delete(TelegramChat).where(TelegramChat.user_key == user_key).execution_options(synchronize_session="fetch")
    ).rowcount
    session.execute(  # bookkeeping, not counted: the user starts again at nr. 1
        delete(TrialActionNumber).where(TrialActionNumber.user_key == user_key)
        .execution_options(synchronize_session="fetch")
    )
    from trygg.store.leader import delete_user_leader_data

    return deleted + delete_user_leader_data(session, user_key)


def purge_older_than(session: Session, days: float, now: Optional[datetime] = None) -> int:
    """Retention: delete every row created more than `days` days before now; returns the count."""
    if days < 0:
        raise ValueError("days must not be negative")
    cutoff = _now(now) - timedelta(days=days)
    old_actions = select(TrialAction.id).where(TrialAction.created_at < cutoff)
    session.execute(
        update(Reflection)
        .where(Reflection.trial_action_id.in_(old_actions), Reflection.created_at >= cutoff)
        .values(trial_action_id=None)
        .execution_options(synchronize_session="fetch")
    )
    deleted = session.execute(
        delete(Reflection).where(Reflection.created_at < cutoff).execution_options(synchronize_session="fetch")
    ).rowcount
    deleted += session.execute(
        delete(TrialAction).where(TrialAction.created_at < cutoff).execution_options(synchronize_session="fetch")
    ).rowcount
    deleted += session.execute(
        delete(TelegramChat).where(TelegramChat.updated_at < cutoff).execution_options(synchronize_session="fetch")
    ).rowcount
    session.execute(  # bookkeeping, not counted: last save before the cutoff, so no numbered row is left
        delete(TrialActionNumber).where(TrialActionNumber.updated_at < cutoff)
        .execution_options(synchronize_session="fetch")
    )
    from trygg.store.leader import purge_leader_data

    return deleted + purge_leader_data(session, cutoff)
