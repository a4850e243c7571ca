"""The leader's page /leder over HTTP (the real web app, a real SMTP server): the sign-in link is
mailed to the institution's leader, works once and for 15 minutes, sets a strict cookie, and the
overview and the CSV show that institution only – no user key, no conversation text."""
from __future__ import annotations

import re
import time
from datetime import datetime, timezone

import pytest
from starlette.testclient import TestClient

from bot.web.app import create_app
from bot.web.leader import COOKIE, Signer
from trygg import outbox
from trygg.settings import get_settings
from trygg.store import leader as store
from trygg.store.db import make_engine, session_scope, upgrade
from trygg.store.queries import evaluate, mark_tried, save_reflection, save_trial_action

from tests.smtp_server import SmtpServer

SOLSIKKEN, MAELK = "leder.solsikken@example.dk", "leder.maelkebotten@example.dk"
WHEN = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
def app_env(smtp, monkeypatch, tmp_path):
    for name, value in smtp.env().items():
        monkeypatch.setenv(name, value)
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("TRYGG_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("SESSION_SECRET", "leader-web-test-secret")
    monkeypatch.setenv("PUBLIC_BASE_URL", "http://testserver")
    upgrade(url)
    engine = make_engine(url)
    key = "a" * 64
    with session_scope(engine) as s:
        action = save_trial_action(s, key, hand="small", action_text="Lade Ida hælde mælk selv", now=WHEN,
                                   followup_delay_days=2, situation="Ida <b>græd</b> ved frokost")
        reflection = save_reflection(s, key, situation="Ida græd ved frokost", adult_perspective="Travlt",
                                     child_perspective="Hun ville selv", hand="small", trial_action_id=action.id,
                                     now=WHEN)
        store.mark_sent_to(s, key, reflection.id, "solsikken")
        mark_tried(s, key, action.id)
        evaluate(s, key, action.id, "helped")
        other = save_trial_action(s, "b" * 64, hand="big", action_text="Mælkebøttens hemmelige plan", now=WHEN,
                                  followup_delay_days=2)
        other_reflection = save_reflection(s, "b" * 64, situation="s", adult_perspective="a",
                                           child_perspective="c", hand="big", trial_action_id=other.id, now=WHEN)
        store.mark_sent_to(s, "b" * 64, other_reflection.id, "maelkebotten")
        save_trial_action(s, "c" * 64, hand="both", action_text="Aldrig sendt", now=WHEN, followup_delay_days=2)
    engine.dispose()
    return get_settings()


def _link_from(mail) -> str:
    body = mail.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"http://testserver(/leder/login\?t=\S+)", body).group(1)


def _mailer_round(settings) -> int:
    """What the mailer process (python -m trygg.outbox) does every OUTBOX_POLL_SECONDS."""
    engine = make_engine(settings.database_url)
    try:
        return outbox.deliver_due(engine, settings)
    finally:
        engine.dispose()


def _sign_in(client: TestClient, smtp: SmtpServer, institution: str, address: str) -> str:
    before = len(smtp.to(address))
    page = client.post("/leder/link", data={"institution": institution})
    assert page.status_code == 200 and "login-link nu sendt" in page.text
    assert _mailer_round(client.app.state.web.settings) == 1
    mail = smtp.wait_for(address, count=before + 1)[-1]
    assert mail["Subject"].startswith("Dit login til Trygg havn")
    return _link_from(mail)


def _confirm(client: TestClient, link: str):
    confirm = client.get(link)
    assert confirm.status_code == 200
    token = re.search(r'name="t" value="([^"]+)"', confirm.text).group(1)
    return client.post("/leder/login", data={"t": token}, follow_redirects=False)


def test_sign_in_by_mailed_link_overview_csv_and_nothing_of_another_institution(app_env, smtp):
    with TestClient(create_app(app_env)) as client:
        start = client.get("/leder")
        assert start.status_code == 200 and "Log ind som leder" in start.text
        assert "Børnehuset Solsikken" in start.text
        assert "default-src 'none'" in start.headers["content-security-policy"]

        link = _sign_in(client, smtp, "solsikken", SOLSIKKEN)
        assert smtp.to(MAELK) == []
        login = _confirm(client, link)
        assert login.status_code == 303 and login.headers["location"] == "/leder"
        cookie = login.headers["set-cookie"]
        assert f"{COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
        assert "Path=/leder" in cookie and "Secure" not in cookie  # plain HTTP in the test; Secure behind TLS

        page = client.get("/leder")
        assert "Oversigt – Børnehuset Solsikken" in page.text
        assert "Lade Ida hælde mælk selv" in page.text
        assert "det hjalp" in page.text and "evalueret" in page.text and "Den lille hånd" in page.text
        assert "2026-11" in page.text and "<svg" in page.text
        for hidden in ("Mælkebøttens hemmelige plan", "Aldrig sendt", "græd", "Travlt", "Hun ville selv", "a" * 64):
            assert hidden not in page.text

        csv = client.get("/leder/export.csv")
        assert csv.headers["content-type"].startswith("text/csv")
        lines = csv.content.decode("utf-8-sig").splitlines()
        assert lines == ["dato,hånd,prøvehandling,status,resultat",
                         "2026-11-20,Den lille hånd,Lade Ida hælde mælk selv,evalueret,det hjalp"]

        # the link is used up: a second use (or a second browser) gets nothing
        client.cookies.clear()
        again = _confirm(client, link)
        assert again.status_code == 400 and "udløbet eller allerede brugt" in again.text
        assert "Lade Ida" not in client.get("/leder").text

        # the other institution's leader sees only their own
        other = _confirm(client, _sign_in(client, smtp, "maelkebotten", MAELK))
        assert other.status_code == 303
        page = client.get("/leder").text
        assert "Mælkebøttens hemmelige plan" in page and "Lade Ida" not in page
        assert "Lade Ida" not in client.get("/leder/export.csv").content.decode("utf-8-sig")

        client.post("/leder/logout")
        assert "Log ind som leder" in client.get("/leder").text


def test_forged_expired_and_unknown_links_and_cookies_get_nothing(app_env, smtp):
    settings = app_env
    with TestClient(create_app(settings)) as client:
        page = client.post("/leder/link", data={"institution": "findes-ikke"})
        assert page.status_code == 200 and "login-link nu sendt" in page.text  # the same answer
        assert _mailer_round(settings) == 0
        assert smtp.received == []

        old = Signer(settings.session_secret, 15 * 60, 3600, clock=lambda: time.time() - 16 * 60)
        expired = old.link_token("solsikken")
        assert "udløbet" in client.get(f"/leder/login?t={expired}").text
        assert client.post("/leder/login", data={"t": expired}).status_code == 400
        forged = Signer("another-secret", 900, 3600).link_token("solsikken")
        assert client.post("/leder/login", data={"t": forged}).status_code == 400
        client.cookies.set(COOKIE, Signer("another-secret", 900, 3600).cookie("solsikken"), path="/leder")
        assert "Lade Ida" not in client.get("/leder").text
        assert client.get("/leder/export.csv", follow_redirects=False).status_code == 303
        assert client.post("/leder/login", content=b"t=" + b"x" * 10000,
                           headers={"content-type": "application/x-www-form-urlencoded"}).status_code == 400


def test_the_sign_in_mail_waits_in_the_outbox_while_smtp_is_down(app_env, smtp):
    smtp.stop()
    with TestClient(create_app(app_env)) as client:
        page = client.post("/leder/link", data={"institution": "solsikken"})
        assert page.status_code == 200 and "login-link nu sendt" in page.text
    assert _mailer_round(app_env) == 0
    smtp.start()
    engine = make_engine(app_env.database_url)
    try:
        assert outbox.deliver_due(engine, app_env, now=datetime.now(timezone.utc).replace(year=2100)) == 1
    finally:
        engine.dispose()
    assert len(smtp.wait_for(SOLSIKKEN)) == 1


def test_a_leader_inbox_cannot_be_flooded_and_the_page_speaks_norwegian_too(app_env, smtp):
    with TestClient(create_app(app_env, ip_rate_per_minute=0)) as client:
        for _ in range(6):
            assert "login-link nu sendt" in client.post("/leder/link", data={"institution": "solsikken"}).text
        assert _mailer_round(app_env) == 3  # LINKS_PER_MINUTE
        page = client.get("/leder?lang=nb")
        assert '<html lang="nb">' in page.text and "Logg inn som leder" in page.text


def test_the_secure_flag_behind_tls(app_env, smtp):
    with TestClient(create_app(app_env), base_url="https://testserver") as client:
        link = _sign_in(client, smtp, "solsikken", SOLSIKKEN)
        login = _confirm(client, link)
        assert "Secure" in login.headers["set-cookie"]
