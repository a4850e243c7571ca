"""Done-when of issue 13, end to end with the real bot (Rasa + action server), the real web entry,
a real SMTP server (aiosmtpd), the mailer process (`python -m trygg.outbox`) and headless Chromium:

a Danish reflection through the web entry → «Send» → the leader's mail with the referat and its
attachment → the sign-in link from a second mail opens /leder in Chromium and shows the
prøvehandling → the pedagogue marks it tried and evaluates it → the overview shows the outcome.
SMTP stopped during a send → queued, the user told, and it arrives exactly once once SMTP and the
mailer run. Another institution's leader sees none of it. axe-core finds nothing on the pages."""
from __future__ import annotations

import json
import re
import subprocess
import time
from typing import Any, Dict, Iterator, List

import httpx
import pytest

from bot.web.app import create_app
from trygg.settings import get_settings

from tests.conftest import REPO_ROOT, BotServers
from tests.smtp_server import SmtpServer
from tests.stack import VENV_BIN
from tests.test_web_entry import ServerThread
from tests.test_widget_browser import AXE_RUN, axe_source, browser  # noqa: F401  (fixtures)

SOLSIKKEN, MAELK = "leder.solsikken@example.dk", "leder.maelkebotten@example.dk"
ANSWERS = ["Emil græder ved aflevering i vuggestuen hver morgen", "Vi bliver usikre og prøver at trøste ham",
           "Jeg ved ikke hvem der henter mig", "den store hånd"]


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Dict[str, Any]]:
    workdir = tmp_path_factory.mktemp("leader")
    smtp = SmtpServer().start()
    servers = BotServers(workdir)
    servers.env.update(smtp.env())
    servers.env.update({"MAIL_FROM": "Trygg havn <trygg-havn@example.dk>", "OUTBOX_POLL_SECONDS": "0.5",
                        "OUTBOX_RETRY_SECONDS": "1", "PUBLIC_BASE_URL": "http://leder.example.invalid",
                        "SESSION_SECRET": "leader-e2e-session-secret", "SENDER_HASH_SECRET": "leader-e2e-sender"})
    servers.start()
    with pytest.MonkeyPatch.context() as mp:
        for name in ("DATABASE_URL", "TRYGG_VAR_DIR", *smtp.env(), "MAIL_FROM", "OUTBOX_RETRY_SECONDS",
                     "PUBLIC_BASE_URL", "SESSION_SECRET"):
            mp.setenv(name, servers.env[name])
        mp.setenv("RASA_URLS", servers.rasa_url)
        app = create_app(get_settings(), session_rate_per_minute=0, ip_rate_per_minute=0)
    web = ServerThread(app).start()
    env = {"smtp": smtp, "servers": servers, "web": web.url, "workdir": workdir}
    env["mailer"] = start_mailer(env)
    yield env
    stop(env["mailer"])
    web.stop()
    servers.stop()
    smtp.stop()


def start_mailer(stack: Dict[str, Any]) -> subprocess.Popen:
    """The mailer of the Procfile / docker-compose: `python -m trygg.outbox`."""
    return subprocess.Popen([str(VENV_BIN / "python"), "-m", "trygg.outbox"], cwd=REPO_ROOT,
                            env=stack["servers"].env, stdout=open(stack["workdir"] / "mailer.log", "ab"),
                            stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=20)


class Pedagogue:
    """A visitor of the Danish demo page, talking through the web entry's API as the widget does."""

    def __init__(self, web: str):
        self.http = httpx.Client(base_url=web, timeout=90)
        self.session = self.http.post("/api/session").json()["session"]

    def say(self, message: str) -> List[dict]:
        response = self.http.post("/api/chat", json={"session": self.session, "message": message, "language": "da"})
        assert response.status_code == 200, response.text
        replies = response.json()["replies"]
        if "Er nogen i fare lige nu?" in texts(replies):  # words that may sound like danger: «Nej»
            replies = self.say("/crisis_ruled_out")
        return replies

    def press(self, replies: List[dict], title: str) -> List[dict]:
        button = next((b for r in replies for b in r["buttons"] if b["title"] == title), None)
        assert button is not None, f"no button {title!r} in {[b['title'] for r in replies for b in r['buttons']]}"
        return self.say(button["payload"])

    def reflect(self, action: str) -> List[dict]:
        assert "1/5" in texts(self.say("start refleksion"))
        for answer in ANSWERS:
            self.say(answer)
        replies = self.say(action)
        assert "Referat – Små børns stemmer" in texts(replies)
        return replies


def texts(replies: List[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def referater(smtp: SmtpServer) -> List[Any]:
    return [m for m in smtp.to(SOLSIKKEN) if m["Subject"].startswith("Referat")]


def sign_in(chromium, web: str, smtp: SmtpServer, institution: str, address: str, axe: str):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="da-DK")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.add_init_script(script=axe)
    def logins() -> List[Any]:
        return [m for m in smtp.to(address) if "login" in m["Subject"]]

    before = len(logins())
    page.goto(web + "/leder")
    assert_accessible(page)
    page.select_option("select#institution", institution)
    page.get_by_role("button", name="Send login-link").click()
    page.get_by_role("status").wait_for()
    deadline = time.time() + 20
    while len(logins()) == before and time.time() < deadline:  # the mailer sends it
        time.sleep(0.2)
    mail = logins()
    assert len(mail) == before + 1, "the sign-in link went to that institution's leader"
    body = mail[-1].get_body(preferencelist=("plain",)).get_content()
    path = re.search(r"http://leder\.example\.invalid(/leder/login\?t=\S+)", body).group(1)
    page.goto(web + path)
    page.get_by_role("button", name="Log ind").click()
    page.get_by_role("heading", level=1, name=re.compile("Oversigt")).wait_for()
    return context, page


def assert_accessible(page) -> None:
    result = page.evaluate(AXE_RUN)
    assert result["violations"] == [], json.dumps(result["violations"], ensure_ascii=False, indent=1)


def test_reflection_mailed_to_the_leader_followed_up_on_the_leader_page(stack, browser, axe_source):  # noqa: F811
    smtp, web = stack["smtp"], stack["web"]
    anna = Pedagogue(web)

    # 1. a Danish reflection; the bot asks for the dagtilbud once, then whether to send
    replies = anna.reflect("Tage Emil på skødet ved aflevering, ring til mor på 41234567")
    assert "Vælg først dit dagtilbud" in texts(replies)
    replies = anna.press(replies, "Børnehuset Solsikken")
    assert "Send referatet til din leder i Børnehuset Solsikken?" in texts(replies)
    assert referater(smtp) == [], "nothing leaves without «Send»"
    replies = anna.press(replies, "Send")
    assert "Referatet er sendt til din leder i Børnehuset Solsikken." in texts(replies)

    # 2. the leader's mail: the referat, its attachment, no phone number
    [mail] = smtp.wait_for(SOLSIKKEN)
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Prøvehandling: Tage Emil på skødet ved aflevering, ring til mor på [telefon]" in body
    assert "Hånd: den store hånd" in body and "Denne mail kommer fra Trygg havn" in body
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename().startswith("referat-sma-borns-stemmer-")
    assert "Emil græder ved aflevering" in attachment.get_content()
    assert "41234567" not in mail.as_string()
    assert smtp.to(MAELK) == []

    # 3. the leader signs in by the link of a second mail and sees the prøvehandling, planned
    context, page = sign_in(browser, web, smtp, "solsikken", SOLSIKKEN, axe_source)
    try:
        row = page.locator("tr.action", has_text="Tage Emil på skødet")
        assert row.locator(".status").inner_text() == "planlagt"
        assert row.locator(".outcome").inner_text() == "ikke evalueret endnu"
        assert "Emil græder" not in page.content(), "no conversation text on the leader's page"
        assert_accessible(page)

        # 4. the pedagogue marks it tried and evaluates it; the overview shows the outcome
        listing = anna.say("vis mine prøvehandlinger")
        tried = anna.press(listing, "Afprøvet nr. 1")
        assert "Godt, at du har afprøvet" in texts(tried)
        assert "Tak!" in texts(anna.press(tried, "Det hjalp"))
        page.reload()
        row = page.locator("tr.action", has_text="Tage Emil på skødet")
        assert row.locator(".status").inner_text() == "evalueret"
        assert row.locator(".outcome").inner_text() == "det hjalp"
        assert "det hjalp" in page.locator("svg.chart").text_content()
        ARTIFACTS = REPO_ROOT / "test-artifacts"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "leader.png"), full_page=True)
    finally:
        context.close()

    # 5. SMTP down during a send: queued, the user told; after SMTP and the mailer are back: once
    replies = anna.reflect("Sige farvel i døren og vinke sammen")
    assert "Vælg først" not in texts(replies), "the dagtilbud is remembered"
    replies = anna.press(replies, "Ret først")
    assert "Skriv din rettelse" in texts(replies)
    replies = anna.say("Husk at aftale det med Emils far")
    assert "Tak – rettelsen kommer med." in texts(replies)
    smtp.stop()
    replies = anna.press(replies, "Send")
    assert "sendes til din leder i Børnehuset Solsikken, så snart det er muligt" in texts(replies)
    stop(stack["mailer"])  # a restart of the mailer loses nothing
    smtp.start()
    time.sleep(1)
    assert len(referater(smtp)) == 1, "nothing is sent while no mailer runs"
    stack["mailer"] = start_mailer(stack)
    deadline = time.time() + 30
    while len(referater(smtp)) < 2 and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(3)  # several more rounds of the mailer: nothing is sent twice
    sent = referater(smtp)
    assert len(sent) == 2
    body = sent[1].get_body(preferencelist=("plain",)).get_content()
    assert "Sige farvel i døren og vinke sammen" in body and "Rettelse: Husk at aftale det med Emils far" in body

    # 6. another institution's leader sees none of it
    context, page = sign_in(browser, web, smtp, "maelkebotten", MAELK, axe_source)
    try:
        assert "Vuggestuen Mælkebøtten" in page.locator("h1").inner_text()
        text = page.content()
        assert "Tage Emil" not in text and "Sige farvel" not in text
        assert page.locator("tr.action").count() == 0
        assert_accessible(page)
    finally:
        context.close()
