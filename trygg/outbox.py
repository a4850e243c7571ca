"""The mail outbox: nothing a pedagogue agreed to send is lost (docs/leader.md).

A mail is written to the `outbox` table first (in the same transaction as what it reports), then:
* `deliver(engine, mail_id)` – one attempt right away (the action server, so the user can be told
  «sendt»), and
* `deliver_due(engine)` – every due mail, called by the mailer process `python -m trygg.outbox`
  (Procfile, docker-compose) every OUTBOX_POLL_SECONDS.

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


def main() -> int:  # pragma: no cover - the loop; its steps are tested
    import os

    from trygg.settings import get_settings, require_production_settings
    from trygg.store.db import MigratedEngine

    require_production_settings(("DATABASE_URL", "SMTP_HOST", "MAIL_FROM"))
    level = getattr(logging, os.environ.get("LOG_LEVEL", "INFO").upper(), logging.INFO)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    engine = MigratedEngine(settings.database_url)
    log.info("mailer: outbox every %g s via %s:%s", settings.outbox_poll_seconds, settings.smtp_host,
             settings.smtp_port)
    while True:
        try:
            deliver_due(engine(), settings)
        except Exception as error:  # the database restarting: try again next round
            log.warning("mailer: %s; trying again", type(error).__name__)
        time.sleep(max(0.2, settings.outbox_poll_seconds))


if __name__ == "__main__":
    sys.exit(main())
