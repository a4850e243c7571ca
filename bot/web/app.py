"""The public web entry: demo pages, the `<trygg-havn-chat>` widget and the widget's JSON API.

Endpoints
---------
GET  /                    demo page, bokmål ("Eksempel kommune – Barnevernstjenesten")
GET  /da                  demo page, Danish ("Furesø Kommune – Dagtilbud")
GET  /widget.js           the widget (one script tag embeds it); /static/... for other assets
GET  /healthz             {"status": "ok"}
POST /api/session         → {"session": <signed token>}
POST /api/chat            {session, message, language?} → {"replies": [{text, buttons, custom?}]}
POST /api/session/delete  {session, language?, confirm?} → "delete my data" for this session: Rasa asks
                          to confirm; with confirm: true it is confirmed at once → {"replies": [...]}

What reaches Rasa
-----------------
RasaClient.send (bot.inbound) keeps only button payloads of the allow-list (bot.payloads) as
intents, strips leading slashes from everything else and removes fødselsnummer, CPR, phone numbers
and e-mail addresses – before Rasa, its tracker store and logs, or the action server see the text.

Sessions
--------
A session token is `v1.<random nonce>.<issued>.<HMAC-SHA256 signature>`, signed by itsdangerous'
TimestampSigner with a key derived from `settings.session_secret` (it also checks the max age).
The sender id sent to Rasa is a second keyed hash of the nonce (`web-<hex>`): it is not the token,
and nobody without the secret can guess or forge one.
The conversation history lives in the browser tab (sessionStorage, forgotten after
WIDGET_IDLE_MINUTES without activity); the server keeps none.

Errors are small JSON objects `{"error": <code>, "message": <friendly text in nb/da>}`:
400 unreadable request, 401 missing/forged/expired session, 403 origin not allowed, 413 body too
large, 429 rate limited (moving window per session and per client address – IPv6 by /64 – in
RATE_LIMIT_STORAGE_URL: memory, or Redis shared by several instances), 503 Rasa unreachable.
A message that is empty or longer than `settings.max_message_chars` is answered with a friendly
reply (200) and not forwarded. Message texts are never logged.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import secrets
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from itsdangerous import BadData, BadSignature, TimestampSigner
from itsdangerous.encoding import base64_decode, base64_encode
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.channel_texts import texts
from trygg.audiences import pick_audience
from trygg.keys import WEB_SENDER_ID, WEB_SESSION_TOKEN, derive_key
from bot.rasa_client import EmptyMessage, RasaClient, RasaUnavailable, normalise_reply
from bot.rate_limits import RateLimit, is_local, make_storage
from trygg.languages import LANGUAGES, from_code
from trygg.settings import Settings, get_settings

from .client_address import client_bucket
from .leader import leader_routes

log = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
TEMPLATES_DIR = WEB_DIR / "templates"

DELETE_INTENT = "delete_my_data"
CONFIRM_PAYLOAD = "/affirm"  # the "Ja, slett alt" button of the deletion question

TEXTS = texts("web")  # content/channel_texts.yml

NO_STORE = {"Cache-Control": "no-store"}


def pick_language(value: Any, default: str = "nb") -> str:
    return from_code(value) or (default if default in LANGUAGES else "nb")


def text_for(language: str, key: str, **values: Any) -> str:
    return TEXTS.get(language, TEXTS["nb"])[key].format(**values)


# ------------------------------------------------------------------------------------------------
# Signed sessions
# ------------------------------------------------------------------------------------------------

class _Signer(TimestampSigner):
    """itsdangerous' TimestampSigner with HMAC-SHA256 under our derived key and an injectable clock."""

    def __init__(self, key: bytes, clock: Callable[[], float]):
        super().__init__(key, key_derivation="none", digest_method=hashlib.sha256)
        self._clock = clock

    def get_timestamp(self) -> int:
        return int(self._clock())


TOKEN_PREFIX = "v1."
NO_MAX_AGE = 100 * 365 * 86400  # "no expiry" still refuses a token issued in the future
NONCE_RE = re.compile(r"[A-Za-z0-9_-]{24}")


def _canonical(token: str) -> bool:
    """The signature in its one base64 spelling. itsdangerous compares the decoded bytes, and the
    last of 43 characters carries 2 unused bits: "…A" and "…B" decode alike. Such a twin of a valid
    token would be harmless (the same session) – but a string the server did not issue is refused."""
    signature = token.rpartition(".")[2].encode("ascii")
    try:
        return base64_encode(base64_decode(signature)) == signature
    except BadData:
        return False


class SessionSigner:
    """Issues and checks the widget's session tokens and derives the Rasa sender id from them.

    A token is `v1.<random nonce>.<issued>.<signature>`, signed by itsdangerous' TimestampSigner
    (HMAC-SHA256 under the key derived for WEB_SESSION_TOKEN); the max age is checked there too.
    """

    def __init__(self, secret: str, max_age_seconds: Optional[float] = None, clock: Callable[[], float] = time.time):
        if not secret:
            raise ValueError("session secret is empty")
        self._signer = _Signer(derive_key(secret, WEB_SESSION_TOKEN), clock)
        self._sender_key = derive_key(secret, WEB_SENDER_ID)
        self.max_age_seconds = max_age_seconds if max_age_seconds and max_age_seconds > 0 else None

    def issue(self) -> str:
        nonce = base64.urlsafe_b64encode(secrets.token_bytes(18)).decode("ascii")
        return self._signer.sign(TOKEN_PREFIX + nonce).decode("ascii")

    def sender_id(self, token: Any) -> Optional[str]:
        """The Rasa sender id for a valid token; None when it is missing, forged, expired or from the future."""
        if not isinstance(token, str) or len(token) > 120 or not token.isascii() or not _canonical(token):
            return None
        try:
            value = self._signer.unsign(token, max_age=self.max_age_seconds or NO_MAX_AGE).decode("ascii")
        except BadSignature:  # also SignatureExpired, and a timestamp in the future
            return None
        except (ValueError, OverflowError, OSError):  # a signed timestamp beyond year 9999 (a pre-itsdangerous token)
            return None
        nonce = value[len(TOKEN_PREFIX):]
        if not value.startswith(TOKEN_PREFIX) or not NONCE_RE.fullmatch(nonce):
            return None
        return "web-" + hmac.new(self._sender_key, nonce.encode("ascii"), hashlib.sha256).hexdigest()


# ------------------------------------------------------------------------------------------------
# Small helpers
# ------------------------------------------------------------------------------------------------

_SURROGATES = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_message(text: str) -> str:
    """Normalise a user's text: no lone surrogates or control characters, \\n line ends, trimmed."""
    text = _SURROGATES.sub("\ufffd", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text).strip()


def public_reply(reply: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """A reply as the widget gets it (always `text` and `buttons`), or None when nothing is shown."""
    shown = normalise_reply(reply)
    if not shown:
        return None
    return {"text": shown.get("text", ""), "buttons": shown.get("buttons", []), **(
        {"custom": shown["custom"]} if "custom" in shown else {})}


def error_response(status: int, code: str, language: str, headers: Optional[Dict[str, str]] = None,
                   **values: Any) -> JSONResponse:
    return JSONResponse({"error": code, "message": text_for(language, code, **values)}, status_code=status,
                        headers={**NO_STORE, **(headers or {})})


def replies_response(replies: List[Dict[str, Any]]) -> JSONResponse:
    return JSONResponse({"replies": replies}, headers=NO_STORE)


class SecurityHeaders:
    """Pure ASGI middleware: headers every response gets (unless the endpoint set them)."""

    HEADERS = [
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
    ]

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: Dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend((name, value) for name, value in self.HEADERS if name not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BadRequest(Exception):
    def __init__(self, status: int, code: str):
        self.status, self.code = status, code


# ------------------------------------------------------------------------------------------------
# The web entry
# ------------------------------------------------------------------------------------------------

class WebEntry:
    def __init__(self, settings: Settings, rasa: RasaClient, session_rate_per_minute: float,
                 ip_rate_per_minute: float, session_max_age_seconds: Optional[float]):
        self.settings = settings
        self.rasa = rasa
        self.default_language = pick_language(settings.default_language)
        self.signer = SessionSigner(settings.session_secret, max_age_seconds=session_max_age_seconds)
        self.limit_storage = make_storage(settings.rate_limit_storage_url)
        self.session_limiter = RateLimit(session_rate_per_minute, self.limit_storage, "trygg-web-session")
        self.ip_limiter = RateLimit(ip_rate_per_minute, self.limit_storage, "trygg-web-ip")
        self.allowed_origins = frozenset(o.rstrip("/") for o in settings.allowed_origins)
        self.max_body_bytes = max(16 * 1024, settings.max_message_chars * 6 + 4096)
        idle = f"{settings.widget_idle_minutes:g}"
        self.pages = {"nb": self._load_page("demo_nb.html", idle), "da": self._load_page("demo_da.html", idle)}

    # -------------------------------------------------------------------------------- pages

    @staticmethod
    def _load_page(name: str, idle_minutes: str) -> Tuple[bytes, str]:
        html = (TEMPLATES_DIR / name).read_text(encoding="utf-8").replace("{{idle_minutes}}", idle_minutes)
        style_hashes = " ".join(
            "'sha256-" + base64.b64encode(hashlib.sha256(block.encode("utf-8")).digest()).decode() + "'"
            for block in re.findall(r"<style>(.*?)</style>", html, flags=re.S)
        )
        csp = "; ".join([
            "default-src 'none'", "script-src 'self'", f"style-src 'self' {style_hashes}".strip(),
            "connect-src 'self'", "img-src 'self' data:", "font-src 'self'", "base-uri 'none'",
            "form-action 'self'", "frame-ancestors 'none'",
        ])
        return html.encode("utf-8"), csp

    def _page(self, language: str) -> Response:
        body, csp = self.pages[language]
        return Response(body, media_type="text/html; charset=utf-8", headers={
            "Content-Security-Policy": csp,
            "X-Frame-Options": "DENY",
            "Cache-Control": "no-cache",
        })

    async def page_nb(self, request: Request) -> Response:
        return self._page("nb")

    async def page_da(self, request: Request) -> Response:
        return self._page("da")

    async def widget_js(self, request: Request) -> Response:
        return FileResponse(STATIC_DIR / "widget.js", media_type="text/javascript; charset=utf-8", headers={
            "Cache-Control": "public, max-age=300",
            "Cross-Origin-Resource-Policy": "cross-origin",
        })

    async def healthz(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"}, headers=NO_STORE)

    # -------------------------------------------------------------------------------- API helpers

    def _origin_allowed(self, request: Request) -> bool:
        origin = request.headers.get("origin")
        if origin is None:  # not a browser's cross-site request (curl, server-side)
            return True
        origin = origin.rstrip("/")
        if origin in self.allowed_origins:
            return True
        return origin == f"{request.url.scheme}://{request.url.netloc}"  # same origin (the demo pages)

    @staticmethod
    def _client_ip(request: Request) -> str:
        """The client's bucket: its address (from X-Forwarded-For only via FORWARDED_ALLOW_IPS), IPv6 by /64."""
        return client_bucket(request.client.host if request.client else "unknown")

    async def _limit(self, limiter: RateLimit, key: str, language: str) -> Optional[JSONResponse]:
        if not limiter.enabled:
            return None
        if is_local(self.limit_storage):
            allowed, retry_after = limiter.hit(key)
        else:  # Redis: a network round trip, off the event loop
            allowed, retry_after = await run_in_threadpool(limiter.hit, key)
        if allowed:
            return None
        return error_response(429, "rate_limited", language, headers={"Retry-After": str(retry_after)})

    async def _read_json(self, request: Request) -> Dict[str, Any]:
        content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if content_type != "application/json":
            raise BadRequest(400, "content_type")
        declared = request.headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                raise BadRequest(400, "bad_request")
            if int(declared) > self.max_body_bytes:
                raise BadRequest(413, "too_large")
        body = bytearray()
        try:
            async for chunk in request.stream():
                body.extend(chunk)
                if len(body) > self.max_body_bytes:
                    raise BadRequest(413, "too_large")
        except ClientDisconnect:
            raise BadRequest(400, "bad_request") from None
        try:
            data = json.loads(bytes(body))
        except (ValueError, RecursionError):
            raise BadRequest(400, "bad_request") from None
        if not isinstance(data, dict):
            raise BadRequest(400, "bad_request")
        return data

    async def _api_preamble(self, request: Request) -> Tuple[Optional[JSONResponse], Dict[str, Any], str]:
        """Origin, per-IP rate limit and body checks shared by the JSON endpoints."""
        language = self.default_language
        if not self._origin_allowed(request):
            return error_response(403, "origin", language), {}, language
        limited = await self._limit(self.ip_limiter, self._client_ip(request), language)
        if limited:
            return limited, {}, language
        try:
            data = await self._read_json(request)
        except BadRequest as error:
            return error_response(error.status, error.code, language), {}, language
        return None, data, pick_language(data.get("language"), self.default_language)

    async def _forward(self, sender: str, text: str, language: str, *, intent: bool = False,
                       then: Optional[str] = None, audience: Optional[str] = None) -> JSONResponse:
        """The user's text (or a button's payload) to Rasa – or, with `intent`, an intent of the
        web entry itself; `then` is a second message sent right after (the deletion's "yes")."""
        metadata = {"channel": "web", "language": language}
        if audience is not None:  # the page's data-audience (seeds the slot at the session's start)
            metadata["audience"] = audience
        try:
            if intent:
                replies = await self.rasa.send_intent(sender, text, metadata=metadata)
            else:
                replies = await self.rasa.send(sender, text, metadata=metadata)
            if then is not None:
                replies = await self.rasa.send(sender, then, metadata=metadata)
        except EmptyMessage:
            return replies_response([{"text": text_for(language, "empty"), "buttons": []}])
        except RasaUnavailable as error:
            log.warning("Rasa unavailable for a web message: %s", type(error).__name__)
            return error_response(503, "unavailable", language, headers={"Retry-After": "60"})
        except Exception as error:  # an odd answer from Rasa is an outage to the user, not a 500
            log.warning("Rasa answered a web message unexpectedly: %s", type(error).__name__)
            return error_response(503, "unavailable", language, headers={"Retry-After": "60"})
        public = [p for p in (public_reply(r) for r in replies) if p is not None]
        log.debug("web: %d replies for one message", len(public))
        return replies_response(public)

    # -------------------------------------------------------------------------------- API

    async def new_session(self, request: Request) -> Response:
        language = self.default_language
        if not self._origin_allowed(request):
            return error_response(403, "origin", language)
        limited = await self._limit(self.ip_limiter, self._client_ip(request), language)
        if limited:
            return limited
        return JSONResponse({"session": self.signer.issue()}, headers=NO_STORE)

    async def _session_preamble(self, request: Request) -> Tuple[Optional[Response], Dict[str, Any], str, str]:
        """The shared checks, then a valid session and its per-session rate limit."""
        failed, data, language = await self._api_preamble(request)
        if failed:
            return failed, data, language, ""
        sender = self.signer.sender_id(data.get("session"))
        if sender is None:
            return error_response(401, "session", language), data, language, ""
        return await self._limit(self.session_limiter, sender, language), data, language, sender

    async def chat(self, request: Request) -> Response:
        failed, data, language, sender = await self._session_preamble(request)
        if failed:
            return failed
        message = data.get("message", "")
        if message is None:
            message = ""
        if not isinstance(message, str):
            return error_response(400, "bad_request", language)
        text = clean_message(message)
        if not text:
            return replies_response([{"text": text_for(language, "empty"), "buttons": []}])
        limit = self.settings.max_message_chars
        if len(text) > limit:
            return replies_response([{"text": text_for(language, "too_long", limit=limit), "buttons": []}])
        return await self._forward(sender, text, language, audience=pick_audience(data.get("audience")))

    async def delete_session(self, request: Request) -> Response:
        """"Delete my data" for this session: the bot asks to confirm – or, with {"confirm": true}
        (the widget's offer before a new or an expired conversation), deletes at once."""
        failed, data, language, sender = await self._session_preamble(request)
        if failed:
            return failed
        confirmed = data.get("confirm") is True
        return await self._forward(sender, DELETE_INTENT, language, intent=True,
                                   then=CONFIRM_PAYLOAD if confirmed else None)


def create_app(settings: Optional[Settings] = None, rasa_client: Optional[RasaClient] = None, *,
               session_rate_per_minute: Optional[float] = None, ip_rate_per_minute: Optional[float] = None,
               session_max_age_seconds: Optional[float] = None) -> Starlette:
    """The Starlette app of the web entry.

    Rate limits (messages a minute; 0 switches one off) come from the arguments, else from
    Settings (WEB_RATE_PER_SESSION, default 20; WEB_RATE_PER_IP, default 60), counted in
    RATE_LIMIT_STORAGE_URL (memory://, or redis://… shared by several web instances). Sessions expire after
    `settings.retention_days` unless `session_max_age_seconds` says otherwise.
    """
    settings = settings or get_settings()
    owns_client = rasa_client is None
    rasa = rasa_client or RasaClient(settings.rasa_urls, timeout=settings.rasa_timeout_seconds)
    if session_rate_per_minute is None:
        session_rate_per_minute = settings.web_rate_per_session
    if ip_rate_per_minute is None:
        ip_rate_per_minute = settings.web_rate_per_ip
    if session_max_age_seconds is None:
        session_max_age_seconds = max(0, settings.retention_days) * 86400.0
    entry = WebEntry(settings, rasa, session_rate_per_minute, ip_rate_per_minute, session_max_age_seconds)

    async def http_error(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 500)
        code = {404: "not_found", 405: "method"}.get(status, "bad_request")
        return error_response(status, code, entry.default_language, headers=getattr(exc, "headers", None) or {})

    async def server_error(request: Request, exc: Exception) -> Response:
        log.error("web entry: unexpected %s", type(exc).__name__)
        return error_response(500, "error", entry.default_language)

    @asynccontextmanager
    async def lifespan(app: Starlette):
        yield
        if owns_client:
            await rasa.close()

    routes = [
        Route("/", entry.page_nb, methods=["GET"]),
        Route("/nb", entry.page_nb, methods=["GET"]),
        Route("/da", entry.page_da, methods=["GET"]),
        Route("/widget.js", entry.widget_js, methods=["GET"]),
        Route("/healthz", entry.healthz, methods=["GET"]),
        Route("/api/session", entry.new_session, methods=["POST"]),
        Route("/api/chat", entry.chat, methods=["POST"]),
        Route("/api/session/delete", entry.delete_session, methods=["POST"]),
        *leader_routes(settings, entry),  # the leader's overview (bot/web/leader.py, issue 13)
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(CORSMiddleware, allow_origins=sorted(entry.allowed_origins), allow_methods=["GET", "POST"],
                   allow_headers=["Content-Type"], max_age=600),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                    exception_handlers={HTTPException: http_error, Exception: server_error})
    app.state.web = entry
    return app
