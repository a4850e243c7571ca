"""The mail outbox: nothing a pedagogue agreed to send is lost (docs/leader.md).

A mail is written to the `outbox` table first (in the same transaction as what it reports); the
mailer process `python -m trygg.outbox` (Procfile; docker-compose service `mailer`) is the only
process that talks to the SMTP server: every OUTBOX_POLL_SECONDS it runs `deliver_due`. The action
server only queues and then waits a few seconds for the mailer's first attempt (`first_attempt`),
so the user hears honestly «sendt» or «sendes, så snart det er muligt». Why a process of its own:
the action server and Rasa stay on the internal network without a route to the internet, a slow or
hanging SMTP server never holds up an answer, and there is one place that retries.

Each attempt first *claims* the row with one atomic UPDATE (trygg.store.leader.claim_mail) and
commits, then talks to SMTP, then marks it sent (the message text is dropped) or queues it again
with back-off (OUTBOX_RETRY_SECONDS = 30 s, then 1 min, 2 min … at most 1 h). Two senders never
hold the same mail, so a mail is sent once; a sender that dies while holding one releases it after CLAIM_SECONDS.
"""
from __future__ import annotations

import logging
import sys
import time
from datetime import datetime
from typing import Callable, Optional

from sqlalchemy.engine import Engine

from trygg import mail as mailer
from trygg.store import leader as store
from trygg.store.db import session_scope
from trygg.store.models import OutboxMail

log = logging.getLogger(__name__)

Sender = Callable[[str, str], None]  # (recipient, message text); raises MailNotSent


def _default_sender(settings) -> Sender:
    return lambda recipient, text: mailer.send(settings, recipient, text)


def deliver(engine: Engine, mail_id: int, settings=None, sender: Optional[Sender] = None,
            now: Optional[datetime] = None) -> bool:
    """Try to send one mail now. True when the SMTP server took it (by this call)."""
    if settings is None:
        from trygg.settings import get_settings

        settings = get_settings()
    send = sender or _default_sender(settings)
    with session_scope(engine) as session:
        claimed = store.claim_mail(session, mail_id, now=now)
        if claimed is None:
            return False
        recipient, text = claimed.recipient, claimed.message
    try:
        send(recipient, text or "")
    except mailer.MailNotSent as error:
        log.warning("mail %d not sent (%s); queued again", mail_id, error)
        with session_scope(engine) as session:
            store.mark_mail_failed(session, mail_id, str(error), now=now,
                                   first_backoff=settings.outbox_retry_seconds)
        return False
    with session_scope(engine) as session:
        store.mark_mail_sent(session, mail_id)
    log.info("mail %d sent", mail_id)
    return True


def deliver_due(engine: Engine, settings=None, sender: Optional[Sender] = None, now: Optional[datetime] = None,
                limit: int = 20) -> int:
    """Send every due mail (at most `limit`); the number sent."""
    with session_scope(engine) as session:
        ids = store.due_mail_ids(session, now=now, limit=limit)
    return sum(deliver(engine, mail_id, settings, sender, now) for mail_id in ids)


def first_attempt(engine: Engine, mail_id: int, timeout: float, poll: float = 0.25) -> bool:
    """Wait (blocking, at most `timeout` s) for the mailer's first attempt at a queued mail. True when
    it was sent; False when the attempt failed or did not come in time (it stays queued)."""
    deadline = time.monotonic() + timeout
    while True:
        with session_scope(engine) as session:
            mail = session.get(OutboxMail, mail_id)
            status, attempts = (mail.status, mail.attempts) if mail is not None else (None, 0)
        if status == "sent":
            return True
        if status is None or (status == "queued" and attempts > 0) or time.monotonic() >= deadline:
            return False
        time.sleep(poll)


def main() -> int:  # pragma: no cover - the loop; its steps are tested
    from trygg.institutions import institutions
    from trygg.settings import get_settings, require_production_settings
    from trygg.store.db import MigratedEngine

    settings = get_settings()
    level = getattr(logging, settings.log_level.upper(), logging.INFO)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not institutions(settings):
        log.info("mailer: no institutions (INSTITUTIONS_FILE): nothing is ever mailed; waiting")
        while True:
            time.sleep(3600)
    require_production_settings(("DATABASE_URL", "SMTP_HOST", "MAIL_FROM", "PUBLIC_BASE_URL"))
    engine = MigratedEngine(settings.database_url)
    log.info("mailer: outbox every %g s via %s:%s", settings.outbox_poll_seconds, settings.smtp_host,
             settings.smtp_port)
    while True:
        try:
            deliver_due(engine(), settings)
        except Exception as error:  # the database restarting: try again next round
            log.warning("mailer: %s; trying again", type(error).__name__)
        time.sleep(max(0.1, settings.outbox_poll_seconds))


if __name__ == "__main__":
    sys.exit(main())
