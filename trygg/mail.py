"""The mails of the leader's side, built with the standard library's `email` and sent with `smtplib`
(docs/leader.md). Texts: content/leader.yml, in the institution's language.

`send` hands one message to the SMTP server of the settings (SMTP_HOST, SMTP_PORT, SMTP_TLS none |
starttls | ssl, SMTP_USER, SMTP_PASSWORD); it blocks, so callers on an event loop run it in a thread
(trygg.outbox does). Every free text of a referat goes through `redact` once more here.
"""
from __future__ import annotations

import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Optional

from trygg.institutions import Institution
from trygg.leader_texts import say
from trygg.redaction import redact


class MailNotSent(Exception):
    """The SMTP server could not be reached or did not take the mail (the outbox tries again)."""


def _message(settings, institution: Institution, subject: str, body: str, when: datetime) -> EmailMessage:
    message = EmailMessage(policy=SMTP)
    message["From"] = settings.mail_from
    message["To"] = institution.leader_email
    message["Subject"] = subject
    message["Date"] = format_datetime(when)
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "trygg-havn.invalid"
    message["Message-ID"] = make_msgid("trygg-havn", domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message["Content-Language"] = institution.language
    # quoted-printable: 7-bit clean, so any SMTP server takes it (no 8BITMIME needed)
    message.set_content(body.rstrip("\n") + "\n\n" + say("mail", institution.language, "footer"),
                        cte="quoted-printable")
    return message


def referat_mail(settings, institution: Institution, *, referat_text: str, filename: str, when: datetime,
                 hand: str, action: str, correction: Optional[str] = None) -> EmailMessage:
    """The referat to the institution's leader: date, hand and prøvehandling in the body, the whole
    referat (plus a correction, if the pedagogue wrote one) attached as a .txt file."""
    language = institution.language
    date = f"{when:%d.%m.%Y}"
    correction = redact(correction.strip()) if correction and correction.strip() else ""
    body = say("mail", language, "referat_body", institution=institution.name, date=date, hand=hand,
               action=redact(action), overview_url=settings.public_base_url.rstrip("/") + "/leder",
               correction=say("mail", language, "correction", text=correction) + "\n" if correction else "")
    message = _message(settings, institution, say("mail", language, "referat_subject", date=date), body, when)
    attachment = redact(referat_text)
    if correction:
        attachment += f"\n{say('mail', language, 'correction_heading')}\n{correction}\n"
    message.add_attachment(attachment, subtype="plain", charset="utf-8", filename=filename, cte="quoted-printable")
    return message


def signin_mail(settings, institution: Institution, *, link: str, when: datetime) -> EmailMessage:
    """The leader's single-use sign-in link."""
    language = institution.language
    body = say("mail", language, "signin_body", institution=institution.name, link=link,
               minutes=f"{settings.leader_link_minutes:g}")
    return _message(settings, institution, say("mail", language, "signin_subject", institution=institution.name),
                    body, when)


def send(settings, recipient: str, message_text: str) -> None:
    """Hand one stored message to the SMTP server (blocking). Raises MailNotSent when it is not taken."""
    sender = parseaddr(settings.mail_from)[1]
    try:
        if settings.smtp_tls == "ssl":
            client = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds,
                                      context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds)
        with client:
            if settings.smtp_tls == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                client.login(settings.smtp_user, settings.smtp_password)
            refused = client.sendmail(sender, [recipient], message_text.encode("utf-8"))
        if refused:
            raise MailNotSent("recipient refused")
    except (OSError, smtplib.SMTPException) as error:
        raise MailNotSent(type(error).__name__) from error
