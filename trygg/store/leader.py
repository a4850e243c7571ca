"""The leader's side of the store (issue 13): the dagtilbud a pedagogue picked, the reflections and
prøvehandlinger sent to a leader, the mail outbox and single-use sign-in links.

Like trygg.store.queries: functions take an open Session and do not commit. A user's rows are only
read or changed under that user's `user_key`; the leader's overview reads one institution's rows
only, and never a user key or a conversation text.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import List, Optional

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from trygg.store.models import InstitutionChoice, LeaderSignin, OutboxMail, Reflection, TrialAction
from trygg.store.queries import _check_user_key, _now

# ---- the pedagogue's dagtilbud --------------------------------------------------------------------


def get_institution(session: Session, user_key: str) -> Optional[str]:
    """The id of the dagtilbud the user picked, or None."""
    _check_user_key(user_key)
    choice = session.get(InstitutionChoice, user_key)
    return choice.institution_id if choice is not None else None


def set_institution(session: Session, user_key: str, institution_id: str, now: Optional[datetime] = None) -> None:
    """Remember (or change) the user's dagtilbud."""
    _check_user_key(user_key)
    if not institution_id:
        raise ValueError("institution_id is required")
    choice = session.get(InstitutionChoice, user_key)
    if choice is None:
        choice = InstitutionChoice(user_key=user_key)
        session.add(choice)
    choice.institution_id = institution_id
    choice.updated_at = _now(now)
    session.flush()


def latest_reflection(session: Session, user_key: str) -> Optional[Reflection]:
    """The user's newest reflection, or None."""
    _check_user_key(user_key)
    stmt = (select(Reflection).where(Reflection.user_key == user_key)
            .order_by(Reflection.created_at.desc(), Reflection.id.desc()).limit(1))
    return session.execute(stmt).scalar_one_or_none()


def get_reflection(session: Session, user_key: str, reflection_id: int) -> Optional[Reflection]:
    _check_user_key(user_key)
    stmt = select(Reflection).where(Reflection.id == reflection_id, Reflection.user_key == user_key)
    return session.execute(stmt).scalar_one_or_none()


def mark_sent_to(session: Session, user_key: str, reflection_id: int, institution_id: str) -> bool:
    """The user's reflection (and its prøvehandling) now count for `institution_id`'s leader."""
    reflection = get_reflection(session, user_key, reflection_id)
    if reflection is None:
        return False
    reflection.institution_id = institution_id
    if reflection.trial_action_id is not None:
        session.execute(update(TrialAction)
                        .where(TrialAction.id == reflection.trial_action_id, TrialAction.user_key == user_key)
                        .values(institution_id=institution_id)
                        .execution_options(synchronize_session="fetch"))
    session.flush()
    return True


# ---- the leader's overview: one institution, no user key, no conversation text -------------------


@dataclass(frozen=True)
class OverviewAction:
    created_at: datetime
    hand: str
    action_text: str
    status: str
    outcome: Optional[str]


def institution_reflection_dates(session: Session, institution_id: str) -> List[datetime]:
    """When each reflection sent to this institution's leader was made (oldest first)."""
    stmt = (select(Reflection.created_at).where(Reflection.institution_id == institution_id)
            .order_by(Reflection.created_at))
    return list(session.execute(stmt).scalars())


def institution_trial_actions(session: Session, institution_id: str) -> List[OverviewAction]:
    """The prøvehandlinger sent to this institution's leader, newest first: text, hand, status and
    outcome only."""
    stmt = (select(TrialAction.created_at, TrialAction.hand, TrialAction.action_text, TrialAction.status,
                   TrialAction.outcome)
            .where(TrialAction.institution_id == institution_id)
            .order_by(TrialAction.created_at.desc(), TrialAction.id.desc()))
    return [OverviewAction(*row) for row in session.execute(stmt).all()]


# ---- the outbox ---------------------------------------------------------------------------------

CLAIM_SECONDS = 300  # a sender that claimed a mail and died: another may try after this


def enqueue_mail(session: Session, *, kind: str, institution_id: str, recipient: str, message: str,
                 user_key: Optional[str] = None, now: Optional[datetime] = None) -> int:
    """Queue a mail (the whole message as text); its id. Due at once."""
    created = _now(now)
    mail = OutboxMail(user_key=user_key, kind=kind, institution_id=institution_id, recipient=recipient,
                      message=message, status="queued", attempts=0, next_attempt_at=created, created_at=created)
    session.add(mail)
    session.flush()
    return mail.id


def due_mail_ids(session: Session, now: Optional[datetime] = None, limit: int = 20) -> List[int]:
    """Mails that may be claimed now (queued and due, or claimed by a sender that went away)."""
    now = _now(now)
    stmt = (select(OutboxMail.id)
            .where(or_((OutboxMail.status == "queued") & (OutboxMail.next_attempt_at <= now),
                       (OutboxMail.status == "sending") & (OutboxMail.claimed_until < now)))
            .order_by(OutboxMail.next_attempt_at, OutboxMail.id).limit(limit))
    return list(session.execute(stmt).scalars())


def claim_mail(session: Session, mail_id: int, now: Optional[datetime] = None,
               claim_seconds: float = CLAIM_SECONDS) -> Optional[OutboxMail]:
    """Claim one mail for sending – atomically: a single UPDATE that only one transaction can win
    (the row's state is checked again under its row lock), so two senders never both send it.
    The mail, or None when it is not due or someone else has it. Commit before sending."""
    now = _now(now)
    claimed = session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id,
               or_((OutboxMail.status == "queued") & (OutboxMail.next_attempt_at <= now),
                   (OutboxMail.status == "sending") & (OutboxMail.claimed_until < now)))
        .values(status="sending", claimed_until=now + timedelta(seconds=claim_seconds),
                attempts=OutboxMail.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return None
    return session.execute(select(OutboxMail).where(OutboxMail.id == mail_id)
                           .execution_options(populate_existing=True)).scalar_one()


def mark_mail_sent(session: Session, mail_id: int, now: Optional[datetime] = None) -> None:
    """The SMTP server took the mail: sent, and the stored copy of the message is dropped."""
    session.execute(update(OutboxMail).where(OutboxMail.id == mail_id)
                    .values(status="sent", sent_at=_now(now), message=None, claimed_until=None, last_error=None)
                    .execution_options(synchronize_session=False))


def backoff_seconds(attempts: int, first: float = 30) -> float:
    """`first` (30 s), twice that, four times … at most an hour between attempts."""
    return float(min(first * 2 ** max(0, attempts - 1), 3600))


def mark_mail_failed(session: Session, mail_id: int, error: str, now: Optional[datetime] = None,
                     first_backoff: float = 30) -> None:
    """Not sent this time: queued again, due after the back-off."""
    now = _now(now)
    mail = session.get(OutboxMail, mail_id)
    if mail is None or mail.status == "sent":
        return
    mail.status = "queued"
    mail.claimed_until = None
    mail.last_error = error[:100]
    mail.next_attempt_at = now + timedelta(seconds=backoff_seconds(mail.attempts, first_backoff))
    session.flush()


def mail_status(session: Session, mail_id: int) -> Optional[str]:
    return session.execute(select(OutboxMail.status).where(OutboxMail.id == mail_id)).scalar_one_or_none()


# ---- single-use sign-in links ------------------------------------------------------------------


def use_signin_link(session: Session, link_id: str, now: Optional[datetime] = None) -> bool:
    """Note the link as used. True the first time only (a unique key: racing uses cannot both win)."""
    if not link_id:
        return False
    try:
        with session.begin_nested():
            session.add(LeaderSignin(link_id=link_id, used_at=_now(now)))
            session.flush()
    except IntegrityError:
        return False
    return True


# ---- deletion and retention ---------------------------------------------------------------------


def delete_user_leader_data(session: Session, user_key: str) -> int:
    """The user's dagtilbud and their mails not yet sent; the number of rows deleted."""
    _check_user_key(user_key)
    deleted = session.execute(delete(InstitutionChoice).where(InstitutionChoice.user_key == user_key)
                              .execution_options(synchronize_session=False)).rowcount
    deleted += session.execute(delete(OutboxMail).where(OutboxMail.user_key == user_key, OutboxMail.status != "sent")
                               .execution_options(synchronize_session=False)).rowcount
    session.execute(update(OutboxMail).where(OutboxMail.user_key == user_key)  # sent: nothing to tie it to them
                    .values(user_key=None).execution_options(synchronize_session=False))
    return deleted


def purge_leader_data(session: Session, cutoff: datetime) -> int:
    """Retention: choices not renewed, mails and used links older than `cutoff`; the count."""
    deleted = session.execute(delete(InstitutionChoice).where(InstitutionChoice.updated_at < cutoff)
                              .execution_options(synchronize_session=False)).rowcount
    deleted += session.execute(delete(OutboxMail).where(OutboxMail.created_at < cutoff)
                               .execution_options(synchronize_session=False)).rowcount
    deleted += session.execute(delete(LeaderSignin).where(LeaderSignin.used_at < cutoff)
                               .execution_options(synchronize_session=False)).rowcount
    return deleted
