"""What is stored about a user: trial actions (prøvehandlinger) and guided reflections.

Rows are keyed by a pseudonymous `user_key` (see actions.pseudonym), never by a raw id. All free
text is redacted before it is written (trygg.store.queries does that). Times are stored as
naive UTC and come back as timezone-aware UTC datetimes on every database.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import declarative_base
from sqlalchemy.types import TypeDecorator

Base = declarative_base()

HANDS = ("big", "small", "both")
STATUSES = ("planned", "tried", "evaluated")
OUTCOMES = ("helped", "partly", "not_helped")
NOTE_MAX_CHARS = 500
USER_KEY_CHARS = 64
INSTITUTION_ID_CHARS = 64
MAIL_STATUSES = ("queued", "sending", "sent")
MAIL_KINDS = ("referat", "signin")


def _in(column: str, values: tuple) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UTCDateTime(TypeDecorator):
    """A datetime stored as naive UTC and returned as aware UTC (a naive input counts as UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class TrialAction(Base):
    """A small, concrete action the adult means to try, and how it went.

    `user_number` is the number the user sees and types («nr. 3»): 1, 2, 3 … per user, given at
    save and never reused (after deleting nr. 1, nr. 2 stays nr. 2 and the next one is nr. 3; the
    last number given is kept in TrialActionNumber, so deleting the newest frees nothing either).
    `id` is internal and never shown. Nullable only for forward compatibility: a row saved by the
    previous release during an upgrade gets its number the next time this user's rows are read.
    """

    __tablename__ = "trial_actions"
    __table_args__ = (
        CheckConstraint(_in("hand", HANDS), name="ck_trial_actions_hand"),
        CheckConstraint(_in("status", STATUSES), name="ck_trial_actions_status"),
        CheckConstraint(f"outcome IS NULL OR {_in('outcome', OUTCOMES)}", name="ck_trial_actions_outcome"),
        Index("uq_trial_actions_user_number", "user_key", "user_number", unique=True),
    )

    id = Column(Integer, primary_key=True)
    user_key = Column(String(USER_KEY_CHARS), nullable=False, index=True)
    user_number = Column(Integer, nullable=True)
    topic = Column(String(100), nullable=True)
    situation = Column(Text, nullable=True)
    hand = Column(String(5), nullable=False)
    action_text = Column(Text, nullable=False)
    status = Column(String(10), nullable=False, default="planned")
    outcome = Column(String(12), nullable=True)
    note = Column(String(NOTE_MAX_CHARS), nullable=True)
    created_at = Column(UTCDateTime(), nullable=False, index=True)
    updated_at = Column(UTCDateTime(), nullable=False)
    due_at = Column(UTCDateTime(), nullable=False, index=True)
    followup_asked_at = Column(UTCDateTime(), nullable=True)
    # the dagtilbud whose leader the referat was sent to (only after the user said «Send»)
    institution_id = Column(String(INSTITUTION_ID_CHARS), nullable=True, index=True)

    def __repr__(self) -> str:  # no free text: it may reach a log
        return f"<TrialAction id={self.id} nr={self.user_number} status={self.status} hand={self.hand}>"


class TrialActionNumber(Base):
    """The last prøvehandling number given to a user, so a deleted number is never given again.

    Deleted with the user's data, and by the retention purge once the user saved nothing for
    RETENTION_DAYS (by then every prøvehandling numbered by it is purged too)."""

    __tablename__ = "trial_action_numbers"

    user_key = Column(String(USER_KEY_CHARS), primary_key=True)
    last_number = Column(Integer, nullable=False)
    updated_at = Column(UTCDateTime(), nullable=False, index=True)

    def __repr__(self) -> str:
        return f"<TrialActionNumber last={self.last_number}>"


class Reflection(Base):
    """A guided "Små børns stemmer" reflection: the adult's and the child's perspective."""

    __tablename__ = "reflections"
    __table_args__ = (CheckConstraint(f"hand IS NULL OR {_in('hand', HANDS)}", name="ck_reflections_hand"),)

    id = Column(Integer, primary_key=True)
    user_key = Column(String(USER_KEY_CHARS), nullable=False, index=True)
    situation = Column(Text, nullable=True)
    adult_perspective = Column(Text, nullable=True)
    child_perspective = Column(Text, nullable=True)
    hand = Column(String(5), nullable=True)
    trial_action_id = Column(
        Integer, ForeignKey("trial_actions.id", ondelete="SET NULL", name="fk_reflections_trial_action"),
        nullable=True,
    )
    created_at = Column(UTCDateTime(), nullable=False, index=True)
    # the dagtilbud whose leader the referat was sent to (only after the user said «Send»)
    institution_id = Column(String(INSTITUTION_ID_CHARS), nullable=True, index=True)

    def __repr__(self) -> str:
        return f"<Reflection id={self.id} hand={self.hand}>"


class TelegramChat(Base):
    """How to reach a Telegram user for a follow-up, kept only while one is waiting.

    The chat id is stored encrypted (bot.telegram.chat_token, key from SENDER_HASH_SECRET), keyed
    by the same pseudonymous user_key as the prøvehandlinger; deleted with the user's data, when
    no follow-up is waiting any more, and by the retention purge.
    """

    __tablename__ = "telegram_chats"

    user_key = Column(String(USER_KEY_CHARS), primary_key=True)
    chat_token = Column(Text, nullable=False)
    language = Column(String(2), nullable=True)
    updated_at = Column(UTCDateTime(), nullable=False, index=True)

    def __repr__(self) -> str:  # never the token
        return f"<TelegramChat language={self.language}>"


# ---- the leader's side (issue 13): the chosen dagtilbud, the mail outbox, single-use sign-ins ----


class InstitutionChoice(Base):
    """The dagtilbud a pedagogue picked (an id of the institutions file), under their pseudonym.
    Deleted with the user's data and by the retention purge."""

    __tablename__ = "institution_choices"

    user_key = Column(String(USER_KEY_CHARS), primary_key=True)
    institution_id = Column(String(INSTITUTION_ID_CHARS), nullable=False)
    updated_at = Column(UTCDateTime(), nullable=False, index=True)

    def __repr__(self) -> str:
        return f"<InstitutionChoice institution={self.institution_id}>"


class OutboxMail(Base):
    """A mail waiting to be sent (or sent): the whole RFC 5322 message, its recipient and state.

    queued → sending (claimed by one sender until `claimed_until`) → sent, or back to queued with a
    later `next_attempt_at` when the SMTP server is down or refuses. The message is blanked once
    sent: the database does not keep a copy of what left."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(_in("status", MAIL_STATUSES), name="ck_outbox_status"),
        CheckConstraint(_in("kind", MAIL_KINDS), name="ck_outbox_kind"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
    )

    id = Column(Integer, primary_key=True)
    user_key = Column(String(USER_KEY_CHARS), nullable=True, index=True)  # None for sign-in links
    kind = Column(String(10), nullable=False)
    institution_id = Column(String(INSTITUTION_ID_CHARS), nullable=False)
    recipient = Column(String(320), nullable=False)
    message = Column(Text, nullable=True)
    status = Column(String(10), nullable=False, default="queued")
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(UTCDateTime(), nullable=False)
    claimed_until = Column(UTCDateTime(), nullable=True)
    last_error = Column(String(100), nullable=True)
    created_at = Column(UTCDateTime(), nullable=False, index=True)
    sent_at = Column(UTCDateTime(), nullable=True)

    def __repr__(self) -> str:  # no recipient, no message
        return f"<OutboxMail id={self.id} kind={self.kind} status={self.status} attempts={self.attempts}>"


class LeaderSignin(Base):
    """A sign-in link that has been used (its random id), so each link works once."""

    __tablename__ = "leader_signins"

    link_id = Column(String(64), primary_key=True)
    used_at = Column(UTCDateTime(), nullable=False, index=True)

    def __repr__(self) -> str:
        return "<LeaderSignin>"
