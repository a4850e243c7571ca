"""The chat widget in a real headless Chromium (Debian's `chromium`, driven by Playwright for Python).

The real web app (bot/web) runs under uvicorn on a free port in a thread; Rasa's REST channel is
played by the stand-in from test_web_entry.py (echo + a button, outage on demand). The tests use
the widget as a person would: keyboard only to open it, typing, pressing Rasa's buttons, reloading,
deleting; they check that hostile text stays text, and run axe-core (tests/browser, npm) on the
page with the widget open, into its shadow root. A screenshot goes to test-artifacts/widget.png.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from trygg.settings import get_settings
from bot.web.app import create_app

from tests.test_web_entry import RasaStandIn, ServerThread

REPO_ROOT = Path(__file__).resolve().parent.parent
BROWSER_DIR = REPO_ROOT / "tests" / "browser"
AXE_PATH = BROWSER_DIR / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

WIDGET = "trygg-havn-chat"
SHADOW_ACTIVE = """() => {
  const host = document.querySelector('trygg-havn-chat');
  if (document.activeElement !== host) return null;
  const el = host.shadowRoot.activeElement;
  return el ? (el.className || el.tagName.toLowerCase()) : null;
}"""


# ------------------------------------------------------------------------------------------------
# Servers and browser
# ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def servers() -> Iterator[Dict[str, Any]]:
    rasa = RasaStandIn().start()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SESSION_SECRET", "browser-test-session-secret")
        mp.setenv("RASA_URLS", rasa.url)
        mp.setenv("RASA_TIMEOUT_SECONDS", "5")
        mp.setenv("MAX_MESSAGE_CHARS", "2000")
        settings = get_settings()
        app = create_app(settings, session_rate_per_minute=0, ip_rate_per_minute=0)
        web = ServerThread(app).start()
    yield {"rasa": rasa, "web": web.url}
    web.stop()
    rasa.stop()


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Any]:
    try:
        from playwright import sync_api
    except ImportError:  # it is in requirements.lock; missing only in a half-installed venv
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("REQUIRE_SERVICES=1 but the playwright package is not installed")
        pytest.skip("the playwright package is not installed")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


class PageWatch:
    """Dialogs (alert/confirm …), page errors and console errors seen by one page."""

    def __init__(self, page: Any):
        self.page = page
        self.dialogs: List[str] = []
        self.errors: List[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        page.on("console", lambda msg: self.errors.append(f"console: {msg.text}") if msg.type == "error" else None)
        page.on("response", lambda r: self.errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()


@pytest.fixture
def rasa(servers: Dict[str, Any]) -> Iterator[RasaStandIn]:
    servers["rasa"].reset()
    yield servers["rasa"]
    servers["rasa"].reset()


@pytest.fixture
def page(browser: Any, servers: Dict[str, Any], rasa: RasaStandIn) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="nb-NO")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.watch = PageWatch(page)
    yield page
    context.close()


def open_by_keyboard(page: Any) -> None:
    """Tab until the launcher has focus (as a keyboard user would), then press Enter."""
    page.locator("body").press("Escape")  # nothing focused yet
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate(SHADOW_ACTIVE) == "launcher":
            break
    else:
        pytest.fail("the launcher never got keyboard focus")
    page.keyboard.press("Enter")
    page.locator(f"{WIDGET} [role=dialog]").wait_for(state="visible")
    assert page.evaluate(SHADOW_ACTIVE) == "th-input" or page.evaluate(SHADOW_ACTIVE) == "textarea", \
        "focus moves into the input when the chat opens"


def shadow_count(page: Any, selector: str) -> int:
    return page.evaluate("s => document.querySelector('trygg-havn-chat').shadowRoot.querySelectorAll(s).length", selector)


VISIBLE_TEXTS = """els => els.map(el => {
  const copy = el.cloneNode(true);
  copy.querySelectorAll('.sr').forEach(n => n.remove());
  return copy.textContent;
})"""


def bot_texts(page: Any) -> List[str]:
    """The bot's bubbles as seen (without the screen-reader-only prefixes)."""
    return page.locator(f"{WIDGET} .msg.bot").evaluate_all(VISIBLE_TEXTS)


def user_texts(page: Any) -> List[str]:
    return page.locator(f"{WIDGET} .msg.user").evaluate_all(VISIBLE_TEXTS)


# ------------------------------------------------------------------------------------------------
# The conversation, as a person uses it
# ------------------------------------------------------------------------------------------------

def test_keyboard_conversation_buttons_history_and_hostile_text(page: Any, servers: Dict[str, Any], rasa: RasaStandIn) -> None:
    page.goto(servers["web"] + "/")
    assert "Eksempel kommune" in page.locator("header").inner_text()
    launcher = page.locator(f"{WIDGET} button.launcher")
    assert launcher.get_attribute("aria-expanded") == "false"
    assert "Spør Trygg havn" in launcher.inner_text()
    assert page.locator(f"{WIDGET} .notice").count() == 1

    open_by_keyboard(page)
    assert launcher.get_attribute("aria-expanded") == "true"
    dialog = page.locator(f"{WIDGET} [role=dialog]")
    assert dialog.get_attribute("aria-modal") == "true"
    assert page.locator(f"{WIDGET} .notice").is_visible()
    assert "personopplysninger" in page.locator(f"{WIDGET} .notice").inner_text()

    # type a question, press Enter, see the reply (the typing indicator came and went)
    page.keyboard.type("Hva er tilknytning?")
    page.keyboard.press("Enter")
    page.locator(f"{WIDGET} .msg.bot", has_text="Ekko: Hva er tilknytning?").wait_for()
    assert user_texts(page) == ["Hva er tilknytning?"]
    assert page.locator(f"{WIDGET} .msg.user .sr").first.text_content() == "Du skrev: "
    assert page.locator(f"{WIDGET} .typing").count() == 0
    assert rasa.requests[-1]["metadata"] == {"channel": "web", "language": "nb"}
    sender = rasa.requests[-1]["sender"]

    # press a Rasa button: its title is shown as the user's message, its payload goes to Rasa
    choice = page.locator(f"{WIDGET} .choices button", has_text="Fortell mer").first
    choice.click()
    page.locator(f"{WIDGET} .msg.bot", has_text="Ekko: /help").wait_for()
    assert rasa.messages() == ["Hva er tilknytning?", "/help"]
    assert rasa.requests[-1]["sender"] == sender
    assert user_texts(page)[-1] == "Fortell mer"
    first_group = page.locator(f"{WIDGET} .choices").first
    assert first_group.locator("button").evaluate_all("bs => bs.every(b => b.disabled)")

    # reload: the history (and the used button group) is still there
    before = page.locator(f"{WIDGET} .msg").all_inner_texts()
    page.reload()
    page.locator(f"{WIDGET} button.launcher").click()
    assert page.locator(f"{WIDGET} .msg").all_inner_texts() == before
    assert page.locator(f"{WIDGET} .choices").first.locator("button").evaluate_all("bs => bs.every(b => b.disabled)")
    assert not page.locator(f"{WIDGET} .choices").last.locator("button").first.is_disabled()

    # hostile text stays text
    hostile = "<img src=x onerror=alert(1)>"
    page.locator(f"{WIDGET} textarea").fill(hostile)
    page.keyboard.press("Enter")
    page.locator(f"{WIDGET} .msg.bot", has_text="Ekko: <img").wait_for()
    assert user_texts(page)[-1] == hostile
    assert bot_texts(page)[-1] == "Ekko: " + hostile
    assert shadow_count(page, "img") == 0 and page.locator("img").count() == 0
    page.wait_for_timeout(300)
    assert page.watch.dialogs == []
    assert rasa.requests[-1]["sender"] == sender, "the session survived the reload"

    # URLs become safe links; other schemes stay text
    page.locator(f"{WIDGET} textarea").fill("lenke")
    page.keyboard.press("Enter")
    page.locator(f"{WIDGET} .msg.bot", has_text="Les mer på").wait_for()
    links = page.locator(f"{WIDGET} .msg.bot a")
    assert links.count() == 1
    assert links.get_attribute("href") == "https://www.bufdir.no/barnevern/"
    assert links.get_attribute("target") == "_blank" and links.get_attribute("rel") == "noopener noreferrer"
    assert "javascript:alert(1)" in bot_texts(page)[-1]
    assert page.watch.errors == [], page.watch.errors  # no CSP violations, no script errors


def test_escape_closes_focus_returns_and_focus_stays_in_the_dialog(page: Any, servers: Dict[str, Any]) -> None:
    page.goto(servers["web"] + "/")
    open_by_keyboard(page)
    seen = set()
    for _ in range(12):  # Tab cycles inside the open dialog (aria-modal)
        page.keyboard.press("Tab")
        active = page.evaluate(SHADOW_ACTIVE)
        assert active is not None, "focus left the dialog"
        seen.add(active)
    assert {"icon", "tool", "send"} <= seen
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(SHADOW_ACTIVE) is not None
    page.keyboard.press("Escape")
    assert page.locator(f"{WIDGET} [role=dialog]").is_hidden()
    assert page.evaluate(SHADOW_ACTIVE) == "launcher", "focus goes back to the launcher"
    assert page.locator(f"{WIDGET} button.launcher").get_attribute("aria-expanded") == "false"
    page.keyboard.press("Enter")
    page.locator(f"{WIDGET} [role=dialog]").wait_for(state="visible")
    page.locator(f"{WIDGET} button.icon").click()  # the close button
    assert page.locator(f"{WIDGET} [role=dialog]").is_hidden()
    assert page.evaluate(SHADOW_ACTIVE) == "launcher"


def test_outage_shows_an_error_with_retry_that_resends(page: Any, servers: Dict[str, Any], rasa: RasaStandIn) -> None:
    page.goto(servers["web"] + "/")
    open_by_keyboard(page)
    rasa.down = True
    page.keyboard.type("Hvordan trøster jeg?")
    page.keyboard.press("Enter")
    error = page.locator(f"{WIDGET} .error")
    error.wait_for(state="visible")
    assert "Jeg kan ikke svare akkurat nå – prøv igjen om et minutt." in error.inner_text()
    assert error.get_attribute("role") == "alert"
    rasa.down = False
    page.locator(f"{WIDGET} button.retry", has_text="Prøv igjen").click()
    page.locator(f"{WIDGET} .msg.bot", has_text="Ekko: Hvordan trøster jeg?").wait_for()
    assert error.is_hidden()
    assert rasa.messages() == ["Hvordan trøster jeg?", "Hvordan trøster jeg?"]
    assert user_texts(page).count(user_texts(page)[0]) == 1, "the retry does not repeat the user's bubble"


def test_network_error_when_the_server_is_gone(browser: Any, rasa: RasaStandIn) -> None:
    """The web entry itself unreachable (network error, not a 503): error state, then retry works."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SESSION_SECRET", "browser-test-session-secret")
        mp.setenv("RASA_URLS", rasa.url)
        app = create_app(get_settings(), session_rate_per_minute=0, ip_rate_per_minute=0)
    web = ServerThread(app).start()
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(web.url + "/")
        page.locator(f"{WIDGET} button.launcher").click()
        page.route("**/api/chat", lambda route: route.abort("connectionrefused"))
        page.locator(f"{WIDGET} textarea").fill("Er du der?")
        page.keyboard.press("Enter")
        page.locator(f"{WIDGET} .error").wait_for(state="visible")
        assert "Sjekk nettforbindelsen" in page.locator(f"{WIDGET} .error").inner_text()
        page.unroute("**/api/chat")
        page.locator(f"{WIDGET} button.retry").click()
        page.locator(f"{WIDGET} .msg.bot", has_text="Ekko: Er du der?").wait_for()
    finally:
        context.close()
        web.stop()


def test_danish_page_delete_and_new_conversation(page: Any, servers: Dict[str, Any], rasa: RasaStandIn) -> None:
    page.goto(servers["web"] + "/da")
    assert "Furesø Kommune" in page.locator("header").inner_text()
    assert "Spørg Trygg havn" in page.locator(f"{WIDGET} button.launcher").inner_text()
    open_by_keyboard(page)
    page.keyboard.type("Hvad er Omsorgsgrebet?")
    page.keyboard.press("Enter")
    page.locator(f"{WIDGET} .msg.bot", has_text="Ekko: Hvad er Omsorgsgrebet?").wait_for()
    # the Furesø page's widget says who uses it (data-audience="pedagog"; docs/audience.md)
    assert rasa.requests[-1]["metadata"] == {"channel": "web", "language": "da", "audience": "pedagog"}
    sender = rasa.requests[-1]["sender"]

    page.locator(f"{WIDGET} button.tool", has_text="Slet samtalen").click()
    page.locator(f"{WIDGET} .msg.bot", has_text="Vil du slette alt").wait_for()
    assert rasa.messages()[-1] == "/delete_my_data" and rasa.requests[-1]["sender"] == sender
    assert user_texts(page) == [], "the local history is cleared"
    stored = page.evaluate("() => Object.entries(sessionStorage).map(([k, v]) => [k, JSON.parse(v)])")
    assert len(stored) == 1 and [m["text"] for m in stored[0][1]["messages"]] == [
        "Vil du slette alt jeg har lagret om deg? Det kan ikke angres."]
    assert page.evaluate("() => localStorage.length") == 0, "nothing in the host page's localStorage"
    page.locator(f"{WIDGET} .choices button", has_text="Ja, slett alt").click()
    page.locator(f"{WIDGET} .msg.bot", has_text="Ekko: /affirm").wait_for()
    assert rasa.requests[-1]["sender"] == sender

    page.locator(f"{WIDGET} button.tool", has_text="Ny samtale").click()
    offer = page.locator(f"{WIDGET} .offer")
    assert "slette samtalen hos os" in offer.inner_text()
    offer.locator("button", has_text="Start ny uden at slette").click()
    assert page.locator(f"{WIDGET} .msg").count() == 0 and offer.count() == 0
    page.locator(f"{WIDGET} textarea").fill("hej igen")
    page.keyboard.press("Enter")
    page.locator(f"{WIDGET} .msg.bot", has_text="Ekko: hej igen").wait_for()
    assert rasa.requests[-1]["sender"] != sender, "a new conversation is a new session"
    assert page.watch.errors == [], page.watch.errors


def test_referat_is_shown_with_a_download_link(page: Any, servers: Dict[str, Any]) -> None:
    page.goto(servers["web"] + "/")
    page.locator(f"{WIDGET} button.launcher").click()
    page.locator(f"{WIDGET} textarea").fill("referat")
    page.keyboard.press("Enter")
    link = page.locator(f"{WIDGET} a.download")
    link.wait_for()
    assert link.get_attribute("download") == "referat-2024.txt"
    assert link.inner_text() == "Last ned referatet (referat-2024.txt)"
    assert link.get_attribute("href").startswith("blob:")
    assert "Barnet søkte trøst etter henting." in page.locator(f"{WIDGET} .referat").inner_text()
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "referat-2024.txt"
    assert Path(download.path()).read_text(encoding="utf-8") == RasaStandIn.REFERAT_TEXT


def test_full_screen_on_a_narrow_screen(browser: Any, servers: Dict[str, Any]) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 700}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(servers["web"] + "/")
        page.locator(f"{WIDGET} button.launcher").click()
        dialog = page.locator(f"{WIDGET} [role=dialog]")
        dialog.evaluate("el => Promise.all(el.getAnimations().map(a => a.finished))")  # the opening slide
        box = dialog.bounding_box()
        assert box is not None and box["x"] == 0 and box["y"] == 0
        assert box["width"] == 375 and abs(box["height"] - 700) < 1
        assert page.locator(f"{WIDGET} button.launcher").is_hidden()
        page.locator(f"{WIDGET} textarea").fill("Hva gjør jeg når barnet ikke vil ha trøst?")
        page.keyboard.press("Enter")
        page.locator(f"{WIDGET} .choices button").first.wait_for()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "widget-narrow.png"))
    finally:
        context.close()


def test_reduced_motion_switches_animations_off(browser: Any, servers: Dict[str, Any]) -> None:
    context = browser.new_context(reduced_motion="reduce")
    try:
        page = context.new_page()
        page.goto(servers["web"] + "/")
        page.locator(f"{WIDGET} button.launcher").click()
        animation = page.locator(f"{WIDGET} [role=dialog]").evaluate("el => getComputedStyle(el).animationName")
        assert animation == "none"
    finally:
        context.close()


# ------------------------------------------------------------------------------------------------
# A shared computer: idle timeout, new tab, "Ny samtale" – nothing of the last user stays
# ------------------------------------------------------------------------------------------------

IDLE_SECONDS = 3


@pytest.fixture(scope="module")
def short_idle_web(servers: Dict[str, Any]) -> Iterator[str]:
    """The web entry with the widget's idle timeout at 3 s (WIDGET_IDLE_MINUTES → data-idle-minutes)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SESSION_SECRET", "browser-test-session-secret")
        mp.setenv("RASA_URLS", servers["rasa"].url)
        mp.setenv("WIDGET_IDLE_MINUTES", str(IDLE_SECONDS / 60))
        app = create_app(get_settings(), session_rate_per_minute=0, ip_rate_per_minute=0)
    web = ServerThread(app).start()
    yield web.url
    web.stop()


PREVIOUS_USER = "Fosterbarnet vårt Kari-Hemmelig sover dårlig etter samvær"
PAGE_TEXT = """() => {
  const host = document.querySelector('trygg-havn-chat');
  return document.body.innerText + ' ' + host.shadowRoot.textContent;
}"""
STORAGE = """() => ({local: Object.assign({}, localStorage), session: Object.assign({}, sessionStorage)})"""


def _chat_as_previous_user(page: Any, url: str, rasa: RasaStandIn) -> str:
    page.goto(url + "/")
    page.locator(f"{WIDGET} button.launcher").click()
    page.locator(f"{WIDGET} textarea").fill(PREVIOUS_USER)
    page.keyboard.press("Enter")
    page.locator(f"{WIDGET} .msg.bot", has_text="Ekko: Fosterbarnet").wait_for()
    return rasa.requests[-1]["sender"]


def test_shared_pc_after_the_idle_timeout_nothing_of_the_last_chat_is_visible_or_usable(
        browser: Any, short_idle_web: str, rasa: RasaStandIn, axe_source: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.add_init_script(script=axe_source)
        watch = PageWatch(page)
        previous_sender = _chat_as_previous_user(page, short_idle_web, rasa)
        stored = page.evaluate(STORAGE)
        assert stored["local"] == {}, "never in localStorage (it would outlive the tab, 90 days)"
        assert "Kari-Hemmelig" in json.dumps(stored["session"], ensure_ascii=False), "only in this tab's sessionStorage"

        # The person leaves; the timeout passes with the page open (no reload, no click)
        page.wait_for_function("() => !document.querySelector('trygg-havn-chat').shadowRoot.querySelector('.msg')",
                               timeout=(IDLE_SECONDS + 5) * 1000)
        assert "Kari-Hemmelig" not in page.evaluate(PAGE_TEXT)
        assert "Kari-Hemmelig" not in json.dumps(page.evaluate(STORAGE), ensure_ascii=False)
        offer = page.locator(f"{WIDGET} .offer")
        assert "Den forrige samtalen ble lukket" in offer.inner_text()

        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "widget-expired.png"))
        # accessible with the offer shown
        result = page.evaluate(AXE_RUN)
        assert result["violations"] == [], json.dumps(result["violations"], ensure_ascii=False, indent=1)

        # the next person: the old conversation is not usable – their message starts a new one
        page.locator(f"{WIDGET} textarea").fill("Hei, jeg er en annen")
        page.keyboard.press("Enter")
        page.locator(f"{WIDGET} .msg.bot", has_text="Ekko: Hei, jeg er en annen").wait_for()
        assert rasa.requests[-1]["sender"] != previous_sender
        assert user_texts(page) == ["Hei, jeg er en annen"]

        # a reload shows nothing of the previous user either, and the offer to delete is still there
        page.reload()
        page.locator(f"{WIDGET} button.launcher").click()
        assert "Kari-Hemmelig" not in page.evaluate(PAGE_TEXT)
        # deleting the previous conversation on the server: delete + yes, for the previous sender only
        offer.locator("button", has_text="Ja, slett den").click()
        page.locator(f"{WIDGET} .status", has_text="slettet hos oss").wait_for(state="attached")
        assert rasa.messages()[-2:] == ["/delete_my_data", "/affirm"]
        assert {r["sender"] for r in rasa.requests[-2:]} == {previous_sender}
        assert offer.count() == 0
        assert previous_sender not in json.dumps(page.evaluate(STORAGE))
        assert watch.errors == [] and watch.dialogs == []
    finally:
        context.close()


def test_shared_pc_a_new_tab_shows_nothing_of_the_last_chat(browser: Any, servers: Dict[str, Any], rasa: RasaStandIn) -> None:
    context = browser.new_context()  # one browser profile: the same origin's storage for every tab
    try:
        first = context.new_page()
        previous_sender = _chat_as_previous_user(first, servers["web"], rasa)
        second = context.new_page()
        second.goto(servers["web"] + "/")
        second.locator(f"{WIDGET} button.launcher").click()
        assert second.locator(f"{WIDGET} .msg").count() == 0
        assert "Kari-Hemmelig" not in second.evaluate(PAGE_TEXT)
        assert second.evaluate(STORAGE) == {"local": {}, "session": {}}
        second.locator(f"{WIDGET} textarea").fill("Hva er tilknytning?")
        second.keyboard.press("Enter")
        second.locator(f"{WIDGET} .msg.bot", has_text="Ekko: Hva er tilknytning?").wait_for()
        assert rasa.requests[-1]["sender"] != previous_sender, "a new tab is a new conversation"
        first.close()  # closing the tab forgets its conversation
        third = context.new_page()
        third.goto(servers["web"] + "/")
        assert "Kari-Hemmelig" not in json.dumps(third.evaluate(STORAGE), ensure_ascii=False)
    finally:
        context.close()


def test_new_conversation_offers_to_delete_on_the_server_first(page: Any, servers: Dict[str, Any], rasa: RasaStandIn) -> None:
    previous_sender = _chat_as_previous_user(page, servers["web"], rasa)
    page.locator(f"{WIDGET} button.tool", has_text="Ny samtale").click()
    offer = page.locator(f"{WIDGET} .offer")
    assert [b.strip() for b in offer.locator("button").all_inner_texts()] == [
        "Slett og start ny", "Start ny uten å slette", "Avbryt"]
    offer.locator("button", has_text="Avbryt").click()
    assert offer.count() == 0 and len(user_texts(page)) == 1, "cancel keeps the conversation"
    page.locator(f"{WIDGET} button.tool", has_text="Ny samtale").click()
    offer.locator("button", has_text="Slett og start ny").click()
    page.locator(f"{WIDGET} .status", has_text="slettet hos oss").wait_for(state="attached")
    assert rasa.messages()[-2:] == ["/delete_my_data", "/affirm"] and rasa.requests[-1]["sender"] == previous_sender
    assert page.locator(f"{WIDGET} .msg").count() == 0
    page.locator(f"{WIDGET} textarea").fill("hei igjen")
    page.keyboard.press("Enter")
    page.locator(f"{WIDGET} .msg.bot", has_text="Ekko: hei igjen").wait_for()
    assert rasa.requests[-1]["sender"] != previous_sender
    assert page.watch.errors == [], page.watch.errors


# ------------------------------------------------------------------------------------------------
# Accessibility: axe-core into the shadow root, and a screenshot
# ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE_PATH.exists():
        npm = shutil.which("npm")
        if npm:
            subprocess.run([npm, "ci", "--prefix", str(BROWSER_DIR), "--no-audit", "--no-fund"],
                           cwd=REPO_ROOT, check=False, timeout=600)
    if not AXE_PATH.exists():
        pytest.fail(f"axe-core is missing ({AXE_PATH}): run `npm ci --prefix tests/browser` "
                    "(needs node/npm and the npm registry)")
    return AXE_PATH.read_text(encoding="utf-8")


AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations', 'passes']});
  const brief = list => list.map(r => ({id: r.id, impact: r.impact, help: r.help,
    targets: r.nodes.map(n => n.target)}));
  return {violations: brief(result.violations), passes: brief(result.passes), version: axe.version};
}"""


@pytest.mark.parametrize("path", ["/", "/da"])
def test_axe_finds_no_serious_or_critical_violations_with_the_widget_open(
        browser: Any, servers: Dict[str, Any], axe_source: str, path: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.add_init_script(script=axe_source)  # injected by the browser: the page's CSP stays as it is
        page.goto(servers["web"] + path)
        open_by_keyboard(page)
        page.keyboard.type("Hva er tilknytning?" if path == "/" else "Hvad er tilknytning?")
        page.keyboard.press("Enter")
        page.locator(f"{WIDGET} .choices button").first.wait_for()
        page.locator(f"{WIDGET} textarea").fill("referat")
        page.keyboard.press("Enter")
        page.locator(f"{WIDGET} a.download").wait_for()

        result = page.evaluate(AXE_RUN)
        report = json.dumps(result["violations"], ensure_ascii=False, indent=1)
        print(f"axe-core {result['version']} on {path}: {len(result['violations'])} violations: {report}")
        assert result["violations"] == [], report

        # axe really looked inside the widget's shadow root: shadow targets are nested selector lists
        in_shadow = {r["id"] for r in result["passes"]
                     if any(isinstance(t[0], list) and t[0][0] == WIDGET for t in r["targets"])}
        assert {"color-contrast", "button-name", "aria-dialog-name"} <= in_shadow, sorted(in_shadow)

        if path == "/":
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "widget.png"))
    finally:
        context.close()
