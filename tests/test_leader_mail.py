"""The referat mail and the outbox against a real SMTP server (aiosmtpd on a local port): what the
leader receives (headers, body, attachment, no personal data), a mail queued while the server is
down and sent exactly once when it is back – on SQLite and PostgreSQL – and racing senders."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from actions.referat import format_referat, hand_name, referat_filename
from trygg import outbox
from trygg.institutions import Institution, InstitutionsFileError, load_institutions
from trygg.mail import referat_mail
from trygg.settings import REPO_ROOT, get_settings
from trygg.store import leader as store
from trygg.store.db import make_engine, session_scope, upgrade
from trygg.store.models import OutboxMail
from trygg.store.queries import delete_user_data, purge_older_than, save_reflection, save_trial_action

from tests.stack import create_database, drop_database

SOLSIKKEN = Institution("solsikken", "Børnehuset Solsikken", "leder.solsikken@example.dk", "da")
WHEN = datetime(2026, 12, 3, 9, 30, tzinfo=timezone.utc)
REFLECTION = {"situation": "Emil græd ved aflevering, mor ringede fra 20 30 40 50",
              "adult_perspective": "Jeg var presset", "child_perspective": "Han var bange",
              "hand": "big", "trial_action": "Tage Emil på skødet ved aflevering – skriv til mor@example.dk",
              "created_at": WHEN}


@pytest.fixture
def settings(smtp, monkeypatch, tmp_path):
    for name, value in smtp.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MAIL_FROM", "Trygg havn <trygg-havn@example.dk>")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://trygghavn.example.dk")
    monkeypatch.setenv("TRYGG_VAR_DIR", str(tmp_path))
    return get_settings()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'outbox.db'}"
        upgrade(url)
        eng = make_engine(url)
        yield eng
        eng.dispose()
        return
    admin = request.getfixturevalue("postgres_url")
    url = create_database(admin, prefix="trygg_outbox")
    try:
        upgrade(url)
        eng = make_engine(url)
        yield eng
        eng.dispose()
    finally:
        drop_database(admin, url)


def _mail(settings):
    return referat_mail(settings, SOLSIKKEN, referat_text=format_referat(REFLECTION, "da"),
                        filename=referat_filename(WHEN, "da"), when=WHEN, hand=hand_name("big", "da"),
                        action=REFLECTION["trial_action"], correction="Ring til 22 33 44 55 i morgen")


def _queue(engine, settings, user_key="a" * 64) -> int:
    with session_scope(engine) as session:
        return store.enqueue_mail(session, kind="referat", institution_id="solsikken",
                                  recipient=SOLSIKKEN.leader_email, message=_mail(settings).as_string(),
                                  user_key=user_key, now=WHEN)


# ---- the mail as the leader receives it --------------------------------------------------------


def test_the_leader_receives_the_referat_in_danish_with_the_attachment_and_no_personal_data(settings, smtp):
    outbox_text = _mail(settings).as_string()
    from trygg.mail import send

    send(settings, SOLSIKKEN.leader_email, outbox_text)
    [mail] = smtp.wait_for(SOLSIKKEN.leader_email)
    assert smtp.envelopes[0] == ("trygg-havn@example.dk", ["leder.solsikken@example.dk"])
    assert mail["From"] == "Trygg havn <trygg-havn@example.dk>"
    assert mail["Subject"] == "Referat – Små børns stemmer (03.12.2026)"
    assert mail["Message-ID"] and mail["Date"]
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Kære leder i Børnehuset Solsikken" in body
    assert "Dato: 03.12.2026" in body
    assert "Hånd: den store hånd (nærhed, trøst og beskyttelse)" in body
    assert "Prøvehandling: Tage Emil på skødet ved aflevering – skriv til [e-post]" in body
    assert "Rettelse: Ring til [telefon] i morgen" in body
    assert "Denne mail kommer fra Trygg havn" in body
    assert "https://trygghavn.example.dk/leder" in body
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == "referat-sma-borns-stemmer-2026-12-03-0930.txt"
    assert attachment.get_content_type() == "text/plain"
    text = attachment.get_content().replace("\r\n", "\n")  # a text file in a mail: CRLF line ends
    assert text.startswith("Referat – Små børns stemmer")
    assert "Han var bange" in text and "Rettelse\nRing til [telefon] i morgen" in text
    assert outbox_text.isascii(), "7-bit clean: no SMTP server needs 8BITMIME for it"
    raw = mail.as_string()
    for secret in ("20 30 40 50", "mor@example.dk", "22 33 44 55"):
        assert secret not in raw and secret not in body and secret not in text


# ---- the outbox: nothing lost, nothing twice ---------------------------------------------------


def test_smtp_down_the_mail_waits_and_arrives_exactly_once_when_it_is_back(engine, settings, smtp):
    smtp.stop()
    mail_id = _queue(engine, settings)
    assert outbox.deliver(engine, mail_id, settings, now=WHEN) is False
    with session_scope(engine) as session:
        row = session.get(OutboxMail, mail_id)
        assert (row.status, row.attempts) == ("queued", 1)
        assert row.next_attempt_at == WHEN + timedelta(seconds=30) and row.message
    # not due yet: the job leaves it alone (back-off), even once the server is back
    smtp.start()
    assert outbox.deliver_due(engine, settings, now=WHEN + timedelta(seconds=10)) == 0
    assert smtp.to(SOLSIKKEN.leader_email) == []
    # a second failure doubles the wait
    smtp.stop()
    assert outbox.deliver_due(engine, settings, now=WHEN + timedelta(seconds=31)) == 0
    with session_scope(engine) as session:
        row = session.get(OutboxMail, mail_id)
        assert row.attempts == 2 and row.next_attempt_at == WHEN + timedelta(seconds=91)
    smtp.start()
    assert outbox.deliver_due(engine, settings, now=WHEN + timedelta(seconds=95)) == 1
    assert outbox.deliver_due(engine, settings, now=WHEN + timedelta(hours=5)) == 0
    assert len(smtp.wait_for(SOLSIKKEN.leader_email)) == 1
    with session_scope(engine) as session:
        row = session.get(OutboxMail, mail_id)
        assert row.status == "sent" and row.message is None  # no copy kept of what left


def test_racing_senders_send_each_mail_once(engine, settings, smtp):
    ids = [_queue(engine, settings) for _ in range(6)]
    barrier = threading.Barrier(4)
    sent = []

    def sender():
        barrier.wait()
        sent.append(outbox.deliver_due(engine, settings, now=WHEN + timedelta(seconds=1)))

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(sent) == len(ids)
    assert len(smtp.wait_for(SOLSIKKEN.leader_email, count=6)) == 6
    import time

    time.sleep(0.5)
    assert len(smtp.to(SOLSIKKEN.leader_email)) == 6


def test_a_claim_left_by_a_dead_sender_is_taken_again_after_the_claim_time(engine, settings, smtp):
    mail_id = _queue(engine, settings)
    with session_scope(engine) as session:  # a sender claimed it and died before SMTP
        assert store.claim_mail(session, mail_id, now=WHEN) is not None
    with session_scope(engine) as session:
        assert store.claim_mail(session, mail_id, now=WHEN + timedelta(seconds=10)) is None
    assert outbox.deliver_due(engine, settings, now=WHEN + timedelta(seconds=store.CLAIM_SECONDS + 1)) == 1
    assert len(smtp.wait_for(SOLSIKKEN.leader_email)) == 1


def test_delete_my_data_forgets_the_institution_and_unsent_mail(engine, settings, smtp):
    key, other = "a" * 64, "b" * 64
    with session_scope(engine) as session:
        store.set_institution(session, key, "solsikken")
        store.set_institution(session, other, "solsikken")
    smtp.stop()
    _queue(engine, settings, key)
    with session_scope(engine) as session:
        assert store.get_institution(session, key) == "solsikken"
        assert delete_user_data(session, key) == 2
    with session_scope(engine) as session:
        assert store.get_institution(session, key) is None
        assert store.get_institution(session, other) == "solsikken"
        assert session.execute(select(OutboxMail)).scalars().all() == []


def test_the_overview_counts_only_what_was_sent_to_that_institution(engine):
    key = "c" * 64
    with session_scope(engine) as session:
        sent = save_trial_action(session, key, hand="small", action_text="Lade Ida hælde selv", now=WHEN,
                                 followup_delay_days=2)
        reflection = save_reflection(session, key, situation="x", adult_perspective="y", child_perspective="z",
                                     hand="small", trial_action_id=sent.id, now=WHEN)
        kept = save_trial_action(session, key, hand="big", action_text="Ikke sendt", now=WHEN, followup_delay_days=2)
        save_reflection(session, key, situation="x", adult_perspective="y", child_perspective="z",
                        hand="big", trial_action_id=kept.id, now=WHEN)
        assert store.mark_sent_to(session, key, reflection.id, "solsikken")
        assert not store.mark_sent_to(session, "d" * 64, reflection.id, "maelkebotten")  # not theirs
    with session_scope(engine) as session:
        assert [a.action_text for a in store.institution_trial_actions(session, "solsikken")] == ["Lade Ida hælde selv"]
        assert store.institution_trial_actions(session, "maelkebotten") == []
        assert len(store.institution_reflection_dates(session, "solsikken")) == 1


def test_a_sign_in_link_works_once_and_purge_removes_old_leader_rows(engine):
    with session_scope(engine) as session:
        assert store.use_signin_link(session, "link-1", now=WHEN)
        assert not store.use_signin_link(session, "link-1", now=WHEN)
        store.set_institution(session, "e" * 64, "solsikken", now=WHEN)
    with session_scope(engine) as session:
        assert purge_older_than(session, 90, now=WHEN + timedelta(days=91)) == 2
        assert store.get_institution(session, "e" * 64) is None


# ---- the institutions file ---------------------------------------------------------------------


def test_the_example_institutions_file_has_two_danish_demo_daycares():
    found = load_institutions(str(REPO_ROOT / "deploy" / "institutions.example.yml"))
    assert len(found) == 2 and {i.language for i in found} == {"da"}
    assert all(i.leader_email.endswith("@example.dk") for i in found)


@pytest.mark.parametrize("entry, complaint", [
    ("- {id: 'Æ bad', name: X, leader_email: a@example.dk, language: da}", "id"),
    ("- {id: ok, name: X, leader_email: not-an-address, language: da}", "leader_email"),
    ("- {id: ok, name: X, leader_email: a@example.dk, language: sv}", "language"),
    ("- {id: ok, name: '', leader_email: a@example.dk, language: da}", "name"),
])
def test_a_broken_institutions_file_stops_with_a_clear_message(tmp_path, entry, complaint):
    path = tmp_path / "institutions.yml"
    path.write_text("institutions:\n" + entry + "\n", encoding="utf-8")
    with pytest.raises(InstitutionsFileError, match=complaint):
        load_institutions(str(path))


def test_no_institutions_file_in_production_means_nothing_is_mailed(monkeypatch):
    monkeypatch.setenv("TRYGG_ENV", "production")
    monkeypatch.delenv("INSTITUTIONS_FILE", raising=False)
    from trygg.institutions import institutions

    assert institutions(get_settings()) == ()
