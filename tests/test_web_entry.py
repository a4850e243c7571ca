"""The public web entry (bot/web): sessions, limits, CORS, errors and a fuzz test – over HTTP.

Rasa's REST channel is played by `RasaStandIn`, a tiny Starlette app served by uvicorn on a free
port in a thread: it echoes the text, offers a button and can simulate an outage. It stands in for
Rasa only; the web app, its RasaClient and the HTTP between them are the real ones. (End-to-end
tests against the real Rasa live elsewhere.) `RasaStandIn` and `ServerThread` are reused by
tests/test_widget_browser.py.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import socket
import threading
import time
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List

import pytest
import uvicorn
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from trygg.keys import WEB_SESSION_TOKEN, derive_key
from trygg.settings import get_settings
from bot.web.app import SessionSigner, create_app

SECRET = "test-session-secret-for-the-web-entry"
ALLOWED = "https://kommune.example"
UNAVAILABLE_NB = "Jeg kan ikke svare akkurat nå – prøv igjen om et minutt."
UNAVAILABLE_DA = "Jeg kan ikke svare lige nu – prøv igen om et minut."


# ------------------------------------------------------------------------------------------------
# A real HTTP server in a thread, and the stand-in for Rasa's REST channel
# ------------------------------------------------------------------------------------------------

class ServerThread:
    """Serve an ASGI app with uvicorn on 127.0.0.1:<free port> in a daemon thread."""

    def __init__(self, app: Any):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, ws="none"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "ServerThread":
        self.thread.start()
        deadline = time.time() + 15
        while not self.server.started:
            if time.time() > deadline or not self.thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.sock.close()


class RasaStandIn:
    """Rasa's REST channel, played: POST /webhooks/rest/webhook {sender, message, metadata}.

    * default: [{"text": "Ekko: <message>", "buttons": [{"title": "Fortell mer", "payload": "/help"}]}]
    * "/delete_my_data": the confirmation question with "Ja, slett alt" / "Nei, behold"
    * "referat": an intro text plus {"custom": {"type": "referat", ...}}
    * "lenke": a text with an https URL and a javascript: pseudo-URL
    * `down = True`: answers 503 like Rasa does when it or the action server fails
    """

    REFERAT_TEXT = "Referat fra samtalen\n\n1. Barnet søkte trøst etter henting.\nKilde: https://www.bufdir.no/"

    def __init__(self) -> None:
        self.requests: List[Dict[str, Any]] = []
        self.down = False
        self.delay = 0.0
        app = Starlette(routes=[
            Route("/", self._root, methods=["GET"]),
            Route("/webhooks/rest/webhook", self._webhook, methods=["POST"]),
        ])
        self._server = ServerThread(app)

    @property
    def url(self) -> str:
        return self._server.url

    def start(self) -> "RasaStandIn":
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def reset(self) -> None:
        self.requests.clear()
        self.down = False
        self.delay = 0.0

    def messages(self) -> List[str]:
        return [r.get("message") for r in self.requests]

    async def _root(self, request: Request) -> PlainTextResponse:
        return PlainTextResponse("Hello from Rasa: 3.6 (stand-in)")

    async def _webhook(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.requests.append(body)
        if self.delay:
            import asyncio
            await asyncio.sleep(self.delay)
        if self.down:
            return JSONResponse({"error": "stand-in outage"}, status_code=503)
        sender, message = body.get("sender"), str(body.get("message"))
        if message == "/delete_my_data":
            replies = [{"text": "Vil du slette alt jeg har lagret om deg? Det kan ikke angres.",
                        "buttons": [{"title": "Ja, slett alt", "payload": "/affirm"},
                                    {"title": "Nei, behold", "payload": "/deny"}]}]
        elif message == "referat":
            replies = [{"text": "Her er referatet ditt."},
                       {"custom": {"type": "referat", "filename": "referat-2024.txt", "text": self.REFERAT_TEXT}}]
        elif message == "lenke":
            replies = [{"text": "Les mer på https://www.bufdir.no/barnevern/. Ikke javascript:alert(1) her."}]
        else:
            replies = [{"text": f"Ekko: {message}", "buttons": [{"title": "Fortell mer", "payload": "/help"}]}]
        return JSONResponse([{"recipient_id": sender, **reply} for reply in replies])


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


# ------------------------------------------------------------------------------------------------
# Fixtures
# ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rasa_server() -> Iterator[RasaStandIn]:
    server = RasaStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def rasa(rasa_server: RasaStandIn) -> Iterator[RasaStandIn]:
    rasa_server.reset()
    yield rasa_server
    rasa_server.reset()


@pytest.fixture
def web_env(monkeypatch: pytest.MonkeyPatch, rasa: RasaStandIn, tmp_path) -> RasaStandIn:
    monkeypatch.setenv("TRYGG_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SESSION_SECRET", SECRET)
    monkeypatch.setenv("RASA_URLS", rasa.url)
    monkeypatch.setenv("ALLOWED_ORIGINS", ALLOWED)
    monkeypatch.setenv("MAX_MESSAGE_CHARS", "50")
    monkeypatch.setenv("DEFAULT_LANGUAGE", "nb")
    monkeypatch.setenv("RASA_TIMEOUT_SECONDS", "5")
    return rasa


@pytest.fixture
def make_client(web_env: RasaStandIn):
    """make_client(**create_app kwargs) → a TestClient context (rate limits off unless asked)."""

    @contextmanager
    def factory(**kwargs: Any) -> Iterator[TestClient]:
        kwargs.setdefault("session_rate_per_minute", 0)
        kwargs.setdefault("ip_rate_per_minute", 0)
        settings = kwargs.pop("settings", None) or get_settings()
        with TestClient(create_app(settings, **kwargs), raise_server_exceptions=False) as client:
            yield client

    return factory


@pytest.fixture
def client(make_client) -> Iterator[TestClient]:
    with make_client() as c:
        yield c


def new_session(client: TestClient) -> str:
    response = client.post("/api/session")
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    return response.json()["session"]


def chat(client: TestClient, session: Any, message: Any, **extra: Any):
    body = json.dumps({"session": session, "message": message, **extra})  # ASCII: lone surrogates survive
    return client.post("/api/chat", content=body, headers={"content-type": "application/json"})


# ------------------------------------------------------------------------------------------------
# Pages, assets, headers
# ------------------------------------------------------------------------------------------------

def test_demo_pages_widget_and_health(client: TestClient) -> None:
    nb = client.get("/")
    assert nb.status_code == 200 and nb.headers["content-type"].startswith("text/html")
    assert "Eksempel kommune" in nb.text and "Barnevernstjenesten" in nb.text and 'lang="nb"' in nb.text
    assert re.search(r'<script src="/widget.js" data-language="nb" data-title="Trygg havn" data-color="#1b5e7a" '
                     r'data-idle-minutes="30" defer>', nb.text)
    da = client.get("/da")
    assert da.status_code == 200
    assert "Furesø Kommune" in da.text and "Dagtilbud" in da.text and 'data-language="da"' in da.text and 'lang="da"' in da.text

    for page in (nb, da):
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        style = re.search(r"<style>(.*?)</style>", page.text, re.S).group(1)
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp  # the page's own inline style is allowed by hash, nothing else
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["x-frame-options"] == "DENY"

    widget = client.get("/widget.js")
    assert widget.status_code == 200
    assert widget.headers["content-type"].startswith("text/javascript")
    assert widget.headers["x-content-type-options"] == "nosniff"
    assert "customElements.define" in widget.text
    assert not re.search(r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function", widget.text)
    assert len(widget.content) < 40 * 1024
    assert client.get("/static/widget.js").status_code == 200

    health = client.get("/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok"}


def test_unknown_paths_and_methods_are_json_4xx(client: TestClient) -> None:
    missing = client.get("/api/nothing")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    wrong_method = client.get("/api/chat")
    assert wrong_method.status_code == 405 and "message" in wrong_method.json()
    assert client.get("/static/../app.py").status_code == 404


# ------------------------------------------------------------------------------------------------
# Sessions and sender ids
# ------------------------------------------------------------------------------------------------

def test_chat_forwards_to_rasa_with_web_metadata(client: TestClient, rasa: RasaStandIn) -> None:
    session = new_session(client)
    response = chat(client, session, "Hva er tilknytning?", language="da")
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.json() == {"replies": [{"text": "Ekko: Hva er tilknytning?",
                                            "buttons": [{"title": "Fortell mer", "payload": "/help"}]}]}
    [forwarded] = rasa.requests
    assert forwarded["message"] == "Hva er tilknytning?"
    assert forwarded["metadata"] == {"channel": "web", "language": "da"}
    chat(client, session, "hei")
    assert rasa.requests[1]["metadata"] == {"channel": "web", "language": "nb"}  # default language


def test_sender_ids_differ_per_session_are_stable_and_not_the_token(client: TestClient, rasa: RasaStandIn) -> None:
    first, second = new_session(client), new_session(client)
    assert first != second
    for session in (first, second, first):
        assert chat(client, session, "hei").status_code == 200
    senders = [r["sender"] for r in rasa.requests]
    assert senders[0] == senders[2], "one session keeps one sender id"
    assert senders[0] != senders[1], "two sessions never share a sender id (so never each other's history)"
    for session, sender in ((first, senders[0]), (second, senders[1])):
        assert sender != session
        for part in session.split("."):
            assert part not in sender
        assert re.fullmatch(r"web-[0-9a-f]{64}", sender)


def later(issued: str) -> str:
    """The token's timestamp (itsdangerous: URL-safe base64 of the seconds) one second later."""
    from itsdangerous.encoding import base64_decode, base64_encode, bytes_to_int, int_to_bytes

    return base64_encode(int_to_bytes(bytes_to_int(base64_decode(issued)) + 1)).decode("ascii")


def test_missing_or_forged_session_is_401_and_nothing_is_forwarded(make_client, rasa: RasaStandIn, monkeypatch) -> None:
    with make_client() as client:
        good = new_session(client)
    monkeypatch.setenv("SESSION_SECRET", "another secret")
    with make_client() as other:
        foreign = new_session(other)  # well-formed, signed with another secret
    monkeypatch.setenv("SESSION_SECRET", SECRET)
    version, nonce, issued, signature = good.split(".")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    forged = [None, "", "abc", 42, ["x"], {"a": 1}, good + "x", f"{version}.{nonce}.{issued}.{flipped}",
              f"{version}.{'A' * len(nonce)}.{issued}.{signature}", f"{version}.{nonce}.{later(issued)}.{signature}",
              foreign, "v1." + "A" * 24 + ".0." + "A" * 43, good.replace("v1", "v2", 1), "ü" * 300]
    with make_client() as client:
        for session in forged:
            response = chat(client, session, "hei")
            assert response.status_code == 401, session
            body = response.json()
            assert body["error"] == "session" and "ny samtale" in body["message"].lower()
        response = client.post("/api/chat", json={"message": "hei", "language": "da"})
        assert response.status_code == 401 and "Start en ny samtale" in response.json()["message"]
        response = client.post("/api/session/delete", json={"session": "forged"})
        assert response.status_code == 401
        assert chat(client, good, "hei").status_code == 200
    assert rasa.messages() == ["hei"]


def test_session_expiry_and_future_tokens() -> None:
    now = [1_700_000_000.0]
    signer = SessionSigner("secret", max_age_seconds=3600, clock=lambda: now[0])
    token = signer.issue()
    sender = signer.sender_id(token)
    assert sender and sender.startswith("web-")
    now[0] += 3599
    assert signer.sender_id(token) == sender
    now[0] += 2
    assert signer.sender_id(token) is None, "expired"
    now[0] -= 10_000
    assert signer.sender_id(token) is None, "issued in the future"
    assert SessionSigner("other", clock=lambda: now[0]).sender_id(signer.issue()) is None
    with pytest.raises(ValueError):
        SessionSigner("")


def test_a_twin_spelling_of_the_signature_is_refused() -> None:
    """The last base64 character of the signature has 2 unused bits: its twins decode to the same
    bytes, but they are strings the server never issued."""
    signer = SessionSigner("secret")
    for _ in range(20):
        token = signer.issue()
        head, last = token[:-1], token[-1]
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        twins = [c for c in alphabet if c != last and alphabet.index(c) >> 2 == alphabet.index(last) >> 2]
        assert len(twins) == 3 and signer.sender_id(token)
        assert all(signer.sender_id(head + twin) is None for twin in twins)


@pytest.mark.parametrize("max_age", [3600, None])
def test_a_token_of_the_previous_format_is_refused_not_a_crash(max_age) -> None:
    """Before itsdangerous a token was v1.<nonce>.<issued, hex>.<HMAC of the rest> under the same key:
    such a token is refused (the widget then starts a new session), never an error 500."""
    key = derive_key("secret", WEB_SESSION_TOKEN)
    signer = SessionSigner("secret", max_age_seconds=max_age)
    for issued in (int(time.time()), 0x1, 0xFFFFFFFFFFFF):
        payload = f"v1.{'A' * 24}.{issued:x}"
        signature = base64.urlsafe_b64encode(hmac.new(key, payload.encode(), hashlib.sha256).digest()).rstrip(b"=")
        assert signer.sender_id(f"{payload}.{signature.decode()}") is None


# ------------------------------------------------------------------------------------------------
# Message limits
# ------------------------------------------------------------------------------------------------

def test_message_over_the_cap_gets_a_friendly_reply_and_is_not_forwarded(client: TestClient, rasa: RasaStandIn) -> None:
    session = new_session(client)
    too_long = chat(client, session, "x" * 51)
    assert too_long.status_code == 200
    [reply] = too_long.json()["replies"]
    assert "50" in reply["text"] and "tegn" in reply["text"] and "for lang" in reply["text"]
    danish = chat(client, session, "æ" * 51, language="da")
    assert "50" in danish.json()["replies"][0]["text"] and "højst" in danish.json()["replies"][0]["text"]
    assert rasa.requests == []
    exactly = chat(client, session, "y" * 50)
    assert exactly.status_code == 200 and exactly.json()["replies"][0]["text"] == "Ekko: " + "y" * 50
    assert rasa.messages() == ["y" * 50]


def test_empty_message_gets_a_friendly_reply(client: TestClient, rasa: RasaStandIn) -> None:
    session = new_session(client)
    for message in ("", "   \n\t ", None, "\x00\x07"):
        response = chat(client, session, message)
        assert response.status_code == 200
        assert "spørsmål" in response.json()["replies"][0]["text"]
    response = client.post("/api/chat", json={"session": session, "language": "da"})
    assert "spørgsmål" in response.json()["replies"][0]["text"]
    assert rasa.requests == []


def test_lone_surrogates_and_control_characters_are_cleaned(client: TestClient, rasa: RasaStandIn) -> None:
    session = new_session(client)
    body = '{"session": "%s", "message": "hei \\ud800 der\\u0000\\r\\nok"}' % session
    response = client.post("/api/chat", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200
    assert rasa.messages() == ["hei \ufffd der\nok"]


# ------------------------------------------------------------------------------------------------
# Rate limits
# ------------------------------------------------------------------------------------------------

def test_rate_limit_per_session(make_client, rasa: RasaStandIn) -> None:
    with make_client(session_rate_per_minute=3, ip_rate_per_minute=0) as client:
        session, other = new_session(client), new_session(client)
        assert [chat(client, session, f"m{i}").status_code for i in range(3)] == [200, 200, 200]
        limited = chat(client, session, "m3", language="da")
        assert limited.status_code == 429
        assert limited.json()["error"] == "rate_limited" and "for hurtigt" in limited.json()["message"]
        assert int(limited.headers["retry-after"]) >= 1
        assert chat(client, other, "hei").status_code == 200, "another session has its own bucket"
    assert rasa.messages() == ["m0", "m1", "m2", "hei"]


def test_rate_limit_per_ip(make_client, rasa: RasaStandIn) -> None:
    with make_client(session_rate_per_minute=0, ip_rate_per_minute=5) as client:
        session = new_session(client)  # 1
        codes = [chat(client, session, f"m{i}").status_code for i in range(4)]  # 2..5
        assert codes == [200] * 4
        assert chat(client, session, "m4").status_code == 429
        assert client.post("/api/session").status_code == 429, "new sessions do not escape the IP limit"
        limited = chat(client, "forged", "x")
        assert limited.status_code == 429 and "for raskt" in limited.json()["message"]
    assert len(rasa.requests) == 4


def test_ipv6_clients_count_per_64_network(rasa: RasaStandIn, web_env) -> None:
    """Addresses of one /64 share one count (one household can take any of them); others do not."""
    app = create_app(get_settings(), session_rate_per_minute=0, ip_rate_per_minute=2)

    def from_address(address: str) -> TestClient:
        return TestClient(app, client=(address, 40000))

    with from_address("2001:db8:1:2::10") as one, from_address("2001:db8:1:2:ffff:1:2:3") as same_net, \
            from_address("2001:db8:1:3::10") as elsewhere:
        assert one.post("/api/session").status_code == 200
        assert same_net.post("/api/session").status_code == 200
        assert same_net.post("/api/session").status_code == 429, "another address of the same /64: counted together"
        assert one.post("/api/session").status_code == 429
        assert elsewhere.post("/api/session").status_code == 200, "another /64 has its own count"


def test_client_bucket() -> None:
    from bot.web.client_address import client_bucket

    assert client_bucket("192.0.2.7") == "192.0.2.7"
    assert client_bucket("2001:db8:aa:bb:1:2:3:4") == client_bucket("2001:db8:aa:bb::9") == "2001:db8:aa:bb::/64"
    assert client_bucket("2001:db8:aa:bc::1") != client_bucket("2001:db8:aa:bb::1")
    assert client_bucket("::ffff:192.0.2.7") == "192.0.2.7"
    assert client_bucket("testclient") == "testclient" and client_bucket("") == "unknown"


def test_rate_limit_tells_when_to_come_back() -> None:
    from bot.rate_limits import RateLimit, make_storage

    limit = RateLimit(3, make_storage("memory://"), "test")
    assert [limit.hit("a")[0] for _ in range(4)] == [True, True, True, False]
    allowed, retry_after = limit.hit("a")
    assert not allowed and 1 <= retry_after <= 60
    assert limit.hit("b") == (True, 0), "another key has its own count"
    off = RateLimit(0, make_storage("memory://"), "test")
    assert not off.enabled and all(off.hit("x")[0] for _ in range(100))


# ------------------------------------------------------------------------------------------------
# What reaches Rasa: allow-listed payloads only, no identifiers
# ------------------------------------------------------------------------------------------------

def test_typed_intents_outside_the_allow_list_reach_rasa_as_text(make_client, rasa: RasaStandIn, monkeypatch) -> None:
    monkeypatch.setenv("MAX_MESSAGE_CHARS", "500")
    with make_client() as client:
        _typed_intents(client, rasa)


def _typed_intents(client: TestClient, rasa: RasaStandIn) -> None:
    session = new_session(client)
    typed = {
        "/delete_my_data": "delete_my_data",          # a channel intent: only the delete endpoint sends it
        "/followup": "followup",                       # only the Telegram job sends it
        "/greet": "greet",
        "/nlu_fallback": "nlu_fallback",
        "//affirm": "affirm",
        "  /  /restart": "restart",
        '/trial_action_delete{"trial_action_id": "3", "user_key": "x"}': 'trial_action_delete{"trial_action_id": "3", "user_key": "x"}',
        '/help_theme{"theme": {"nested": 1}}': 'help_theme{"theme": {"nested": 1}}',
        "/affirm@0.99": "affirm@0.99",
        "/affirm\n/deny": "affirm\n/deny",
    }
    for message, expected in typed.items():
        assert chat(client, session, message).status_code == 200
        assert rasa.messages()[-1] == expected, message
        assert not rasa.messages()[-1].startswith("/")
    buttons = ["/affirm", "/deny", "/hug_why", '/help_theme{"theme":"klem"}', '/trial_action_save{"suggestion_index":"1"}',
               '/trial_action_evaluate{"trial_action_id":"12","outcome":"helped"}', "/crisis_confirmed", "/crisis_ruled_out"]
    for payload in buttons:
        chat(client, session, payload)
        assert rasa.messages()[-1] == payload, "the bot's own buttons still work"
    assert chat(client, session, " / // ").json()["replies"][0]["text"].startswith("Skriv gjerne"), "nothing left"
    assert len(rasa.requests) == len(typed) + len(buttons)


def test_identifiers_are_removed_before_rasa_sees_the_message(make_client, rasa: RasaStandIn, monkeypatch) -> None:
    monkeypatch.setenv("MAX_MESSAGE_CHARS", "500")
    with make_client() as client:
        chat(client, new_session(client), "Fnr 01019012345, cpr 010190-1234, ring 98 76 54 32 eller kari@example.no")
    assert rasa.messages() == ["Fnr [fødselsnummer], cpr [cpr], ring [telefon] eller [e-post]"]


def test_confirmed_delete_sends_delete_and_yes(client: TestClient, rasa: RasaStandIn) -> None:
    session = new_session(client)
    response = client.post("/api/session/delete", json={"session": session, "confirm": True})
    assert response.status_code == 200
    assert rasa.messages() == ["/delete_my_data", "/affirm"]
    assert len({r["sender"] for r in rasa.requests}) == 1


# ------------------------------------------------------------------------------------------------
# CORS and origins
# ------------------------------------------------------------------------------------------------

def test_cors_allows_only_the_configured_origins(client: TestClient, rasa: RasaStandIn) -> None:
    preflight = {"access-control-request-method": "POST", "access-control-request-headers": "content-type"}
    allowed = client.options("/api/chat", headers={"origin": ALLOWED, **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ALLOWED
    assert "POST" in allowed.headers["access-control-allow-methods"]

    denied = client.options("/api/chat", headers={"origin": "https://evil.example", **preflight})
    assert 400 <= denied.status_code < 500
    assert "access-control-allow-origin" not in denied.headers

    session = client.post("/api/session", headers={"origin": ALLOWED})
    assert session.status_code == 200 and session.headers["access-control-allow-origin"] == ALLOWED
    token = session.json()["session"]
    ok = client.post("/api/chat", json={"session": token, "message": "hei"}, headers={"origin": ALLOWED})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == ALLOWED

    for path, body in (("/api/chat", {"session": token, "message": "hei fra evil"}), ("/api/session", {}),
                       ("/api/session/delete", {"session": token})):
        evil = client.post(path, json=body, headers={"origin": "https://evil.example"})
        assert evil.status_code == 403, path
        assert "access-control-allow-origin" not in evil.headers
        assert evil.json()["error"] == "origin"
    null_origin = client.post("/api/chat", json={"session": token, "message": "x"}, headers={"origin": "null"})
    assert null_origin.status_code == 403

    same_origin = client.post("/api/chat", json={"session": token, "message": "fra demosiden"},
                              headers={"origin": "http://testserver"})
    assert same_origin.status_code == 200, "the demo pages call their own server"
    assert rasa.messages() == ["hei", "fra demosiden"]


# ------------------------------------------------------------------------------------------------
# Bad requests never become 500s
# ------------------------------------------------------------------------------------------------

def test_bad_content_type_and_bad_json_are_400(client: TestClient, rasa: RasaStandIn) -> None:
    session = new_session(client)
    cases = [
        ({"content-type": "text/plain"}, json.dumps({"session": session, "message": "hei"})),
        ({"content-type": "application/x-www-form-urlencoded"}, "session=x&message=hei"),
        ({}, json.dumps({"session": session, "message": "hei"})),
        ({"content-type": "application/json"}, "{not json"),
        ({"content-type": "application/json"}, ""),
        ({"content-type": "application/json"}, "[1, 2]"),
        ({"content-type": "application/json"}, '"just a string"'),
        ({"content-type": "application/json"}, b"\xff\xfe\xfa"),
        ({"content-type": "application/json"}, "[" * 100_000 + "]" * 100_000),
        ({"content-type": "application/json"}, '{"n": ' + "1" * 5000 + "}"),
    ]
    for headers, body in cases:
        response = client.post("/api/chat", content=body, headers=headers)
        assert response.status_code in (400, 413), (headers, str(body)[:40], response.status_code)
        assert "message" in response.json() and "error" in response.json()
    wrong_type = chat(client, session, 12345)
    assert wrong_type.status_code == 400 and wrong_type.json()["error"] == "bad_request"
    charset = client.post("/api/chat", content=json.dumps({"session": session, "message": "hei"}),
                          headers={"content-type": "application/json; charset=utf-8"})
    assert charset.status_code == 200
    assert rasa.messages() == ["hei"]


def test_too_large_body_is_413(client: TestClient, rasa: RasaStandIn) -> None:
    session = new_session(client)
    response = chat(client, session, "x" * 200_000)
    assert response.status_code == 413 and response.json()["error"] == "too_large"
    assert rasa.requests == []


# ------------------------------------------------------------------------------------------------
# Rasa down
# ------------------------------------------------------------------------------------------------

def test_rasa_down_is_a_friendly_503(client: TestClient, rasa: RasaStandIn) -> None:
    session = new_session(client)
    rasa.down = True
    nb = chat(client, session, "hei")
    assert nb.status_code == 503
    assert nb.json() == {"error": "unavailable", "message": UNAVAILABLE_NB}
    assert nb.headers["retry-after"] == "60"
    da = chat(client, session, "hej", language="da")
    assert da.status_code == 503 and da.json()["message"] == UNAVAILABLE_DA
    deleted = client.post("/api/session/delete", json={"session": session, "language": "da"})
    assert deleted.status_code == 503 and deleted.json()["message"] == UNAVAILABLE_DA
    rasa.down = False
    assert chat(client, session, "igjen").status_code == 200


def test_rasa_unreachable_is_a_friendly_503(make_client, monkeypatch) -> None:
    monkeypatch.setenv("RASA_URLS", closed_port_url())
    with make_client() as client:
        session = new_session(client)
        response = chat(client, session, "hei")
        assert response.status_code == 503 and response.json()["message"] == UNAVAILABLE_NB


def test_second_rasa_instance_is_used_when_the_first_is_down(make_client, monkeypatch, rasa: RasaStandIn) -> None:
    monkeypatch.setenv("RASA_URLS", f"{closed_port_url()},{rasa.url}")
    with make_client() as client:
        session = new_session(client)
        assert [chat(client, session, f"m{i}").status_code for i in range(3)] == [200, 200, 200]


# ------------------------------------------------------------------------------------------------
# Delete, referat, logging
# ------------------------------------------------------------------------------------------------

def test_delete_forwards_delete_my_data_for_the_same_sender(client: TestClient, rasa: RasaStandIn) -> None:
    session = new_session(client)
    chat(client, session, "hei")
    response = client.post("/api/session/delete", json={"session": session, "language": "nb"})
    assert response.status_code == 200
    [reply] = response.json()["replies"]
    assert reply["buttons"] == [{"title": "Ja, slett alt", "payload": "/affirm"}, {"title": "Nei, behold", "payload": "/deny"}]
    assert rasa.messages() == ["hei", "/delete_my_data"]
    assert rasa.requests[0]["sender"] == rasa.requests[1]["sender"]
    assert rasa.requests[1]["metadata"] == {"channel": "web", "language": "nb"}


def test_referat_custom_payload_is_passed_to_the_widget(client: TestClient) -> None:
    session = new_session(client)
    replies = chat(client, session, "referat").json()["replies"]
    assert replies[0] == {"text": "Her er referatet ditt.", "buttons": []}
    assert replies[1]["custom"] == {"type": "referat", "filename": "referat-2024.txt", "text": RasaStandIn.REFERAT_TEXT}


def test_message_text_is_never_logged(client: TestClient, rasa: RasaStandIn, caplog: pytest.LogCaptureFixture) -> None:
    secret_text = "Mitt fosterbarn Kari-hemmelig-7781"
    caplog.set_level(logging.DEBUG)
    session = new_session(client)
    chat(client, session, secret_text)
    rasa.down = True
    chat(client, session, secret_text)
    chat(client, session, secret_text + "x" * 60)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Kari-hemmelig-7781" not in logged
    assert any(record.levelno == logging.WARNING and "unavailable" in record.getMessage().lower() for record in caplog.records)


# ------------------------------------------------------------------------------------------------
# Fuzz: whatever arrives, never a 5xx (except the defined 503 while the stand-in is down)
# ------------------------------------------------------------------------------------------------

FUZZ = hsettings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
any_text = st.text(alphabet=st.characters(exclude_categories=()), max_size=80)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(any_text, children, max_size=4),
    max_leaves=12,
)


def test_fuzz_random_unicode_messages(client: TestClient, rasa: RasaStandIn) -> None:
    session = new_session(client)

    @FUZZ
    @given(message=any_text, language=st.sampled_from(["nb", "da", None, "xx"]), down=st.booleans())
    def run(message: str, language: Any, down: bool) -> None:
        rasa.down = down
        response = client.post("/api/chat", content=json.dumps({"session": session, "message": message, "language": language}),
                               headers={"content-type": "application/json"})
        body = response.json()
        if response.status_code == 503:
            assert down and body["error"] == "unavailable"
            return
        assert response.status_code == 200, (response.status_code, body)
        assert isinstance(body["replies"], list) and body["replies"]
        for reply in body["replies"]:
            assert isinstance(reply["text"], str) and isinstance(reply["buttons"], list)

    run()


def test_fuzz_random_json_bodies(client: TestClient, rasa: RasaStandIn) -> None:
    session = new_session(client)
    bodies = st.one_of(
        json_values,
        st.fixed_dictionaries({}, optional={"session": st.one_of(json_values, st.just(session)),
                                            "message": json_values, "language": json_values}),
    )

    @FUZZ
    @given(body=bodies, path=st.sampled_from(["/api/chat", "/api/session/delete", "/api/session"]))
    def run(body: Any, path: str) -> None:
        response = client.post(path, content=json.dumps(body), headers={"content-type": "application/json"})
        assert response.status_code < 500, (path, body, response.status_code)
        assert isinstance(response.json(), dict)

    run()


def test_fuzz_raw_bodies_and_content_types(client: TestClient) -> None:
    @FUZZ
    @given(body=st.binary(max_size=300), content_type=st.sampled_from(
        ["application/json", "text/plain", "", "application/json; charset=latin-1", "multipart/form-data; boundary=x"]))
    def run(body: bytes, content_type: str) -> None:
        headers = {"content-type": content_type} if content_type else {}
        response = client.post("/api/chat", content=body, headers=headers)
        assert 400 <= response.status_code < 500
        assert "message" in response.json()

    run()


def test_fuzz_forged_session_strings(client: TestClient, rasa: RasaStandIn) -> None:
    good = new_session(client)

    @FUZZ
    @given(forged=st.one_of(
        any_text,
        st.builds(lambda i, c: good[:i] + c + good[i + 1:], st.integers(0, len(good) - 1),
                  st.sampled_from("ABCabc012-_.")).filter(lambda s: s != good),
    ))
    def run(forged: str) -> None:
        response = chat(client, forged, "hei")
        assert response.status_code == 401, forged
        assert response.json()["error"] == "session"

    run()
    assert rasa.requests == []
