"""The leader's overview at /leder (issue 13; docs/leader.md).

GET  /leder               signed in: the institution's overview; else the sign-in page
POST /leder/link          form `institution` → a single-use sign-in link to that institution's
                          leader address (through the outbox); the same answer whether or not it exists
                          (at most LINKS_PER_MINUTE mails a minute per institution, and the per-address limit)
GET  /leder/login?t=…     the link from the mail: a «Log ind» button (a GET never uses the link up,
                          so a mail scanner opening it does no harm)
POST /leder/login         form `t` → uses the link (signed, at most LEADER_LINK_MINUTES old, once),
                          sets the session cookie, → /leder
GET  /leder/export.csv    the prøvehandlinger as CSV
POST /leder/logout        forgets the cookie

The link is `v1.<random id>.<institution>.<expiry, hex>.<HMAC>` under a key of its own
(trygg.keys.LEADER_SIGNIN_LINK); its id is noted as used in `leader_signins` (a unique key: a link
works once, even when opened twice at the same moment). The cookie `trygg_leder` holds
`v1.<institution>.<expiry>.<HMAC>` (trygg.keys.LEADER_SESSION): HttpOnly, SameSite=Strict, Secure
behind TLS (or in production). The page shows one institution only – what its pedagogues chose to
send – and never a user key, a name or a conversation text. Texts: content/leader.yml (page).
"""
from __future__ import annotations

import asyncio
import base64
import csv
import hashlib
import hmac
import io
import logging
import re
import secrets
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from bot.rate_limits import RateLimit
from trygg import institutions as registry
from trygg.keys import LEADER_SESSION, LEADER_SIGNIN_LINK, derive_key
from trygg.leader_texts import section
from trygg.mail import signin_mail
from trygg.settings import Settings
from trygg.store import leader as store
from trygg.store.db import MigratedEngine, session_scope

log = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
COOKIE = "trygg_leder"
MAX_FORM_BYTES = 4096
LINKS_PER_MINUTE = 3
HANDS = ("big", "small", "both")
OUTCOMES = ("helped", "partly", "not_helped", "open")
CSP = "; ".join(["default-src 'none'", "style-src 'self'", "img-src 'self'", "form-action 'self'",
                 "base-uri 'none'", "frame-ancestors 'none'"])
# same-origin, not no-referrer: with no-referrer Chromium sends «Origin: null» with the page's own
# forms, and the origin check refuses them. Nothing leaves for other sites.
HEADERS = {"Content-Security-Policy": CSP, "X-Frame-Options": "DENY", "Cache-Control": "no-store",
           "Referrer-Policy": "same-origin"}

_env = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=select_autoescape(["html", "svg"]))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


LINK_RE = re.compile(r"v1\.([A-Za-z0-9_-]{22})\.([a-z0-9][a-z0-9-]{0,39})\.([0-9a-f]{1,12})\.([A-Za-z0-9_-]{43})")
COOKIE_RE = re.compile(r"v1\.([a-z0-9][a-z0-9-]{0,39})\.([0-9a-f]{1,12})\.([A-Za-z0-9_-]{43})")


class Signer:
    """Sign-in links and session cookies, each under its own key derived from SESSION_SECRET."""

    def __init__(self, secret: str, link_seconds: float, session_seconds: float, clock=time.time):
        self._link_key = derive_key(secret, LEADER_SIGNIN_LINK)
        self._session_key = derive_key(secret, LEADER_SESSION)
        self.link_seconds, self.session_seconds, self._clock = link_seconds, session_seconds, clock

    @staticmethod
    def _sign(key: bytes, payload: str) -> str:
        return _b64(hmac.new(key, payload.encode("ascii"), hashlib.sha256).digest())

    def link_token(self, institution_id: str) -> str:
        payload = f"v1.{_b64(secrets.token_bytes(16))}.{institution_id}.{int(self._clock() + self.link_seconds):x}"
        return f"{payload}.{self._sign(self._link_key, payload)}"

    def check_link(self, token: Any) -> Optional[Tuple[str, str]]:
        """(link id, institution id) of a genuine, unexpired link; else None (used or not: see the store)."""
        match = LINK_RE.fullmatch(token) if isinstance(token, str) and len(token) < 200 else None
        if not match:
            return None
        link_id, institution_id, expires, signature = match.groups()
        expected = self._sign(self._link_key, f"v1.{link_id}.{institution_id}.{expires}")
        if not hmac.compare_digest(expected, signature) or int(expires, 16) < self._clock():
            return None
        return link_id, institution_id

    def cookie(self, institution_id: str) -> str:
        payload = f"v1.{institution_id}.{int(self._clock() + self.session_seconds):x}"
        return f"{payload}.{self._sign(self._session_key, payload)}"

    def check_cookie(self, value: Any) -> Optional[str]:
        match = COOKIE_RE.fullmatch(value) if isinstance(value, str) and len(value) < 200 else None
        if not match:
            return None
        institution_id, expires, signature = match.groups()
        expected = self._sign(self._session_key, f"v1.{institution_id}.{expires}")
        if not hmac.compare_digest(expected, signature) or int(expires, 16) < self._clock():
            return None
        return institution_id


def bar_chart(title: str, groups: List[Tuple[str, List[Tuple[str, int]]]]) -> Dict[str, Any]:
    """The geometry of a small horizontal bar chart (rendered as SVG by the template)."""
    biggest = max([count for _, rows in groups for _, count in rows] + [1])
    rows, y = [], 0
    for heading, entries in groups:
        rows.append({"heading": heading, "y": y + 16})
        y += 26
        for label, count in entries:
            rows.append({"label": label, "count": count, "y": y, "width": round(200 * count / biggest)})
            y += 26
        y += 8
    return {"title": title, "rows": rows, "height": y}


class LeaderPages:
    def __init__(self, settings: Settings, entry: Any):
        self.settings = settings
        self.entry = entry  # the web entry: origin check, rate limits, default language
        self.signer = Signer(settings.session_secret, settings.leader_link_minutes * 60,
                             settings.leader_session_hours * 3600)
        self.engine = MigratedEngine(settings.database_url)
        # sign-in mails per institution and minute: nobody can flood a leader's inbox
        self.link_limiter = RateLimit(LINKS_PER_MINUTE, entry.limit_storage, "trygg-leader-link")

    async def _db(self, work):
        def call():
            with session_scope(self.engine()) as session:
                return work(session)
        return await asyncio.to_thread(call)

    # ---------------------------------------------------------------------------- helpers

    def _language(self, request: Request, institution: Optional[registry.Institution] = None) -> str:
        if institution is not None:
            return institution.language
        asked = request.query_params.get("lang")
        if asked in ("da", "nb"):
            return asked
        languages = {i.language for i in registry.institutions(self.settings)}
        return languages.pop() if len(languages) == 1 else self.entry.default_language

    def _render(self, name: str, language: str, status: int = 200, **values: Any) -> HTMLResponse:
        texts = section("page", language)
        html = _env.get_template(name).render(t=texts, lang=language, **values)
        return HTMLResponse(html, status_code=status, headers=HEADERS)

    async def _form(self, request: Request) -> Optional[Dict[str, str]]:
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
            return None
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_FORM_BYTES:
                return None
        try:
            parsed = parse_qs(body.decode("utf-8"), max_num_fields=10)
        except (UnicodeDecodeError, ValueError):
            return None
        return {key: values[0] for key, values in parsed.items() if values}

    def _signed_in(self, request: Request) -> Optional[registry.Institution]:
        return registry.find(self.signer.check_cookie(request.cookies.get(COOKIE)), self.settings)

    async def _limited(self, request: Request, language: str) -> Optional[Response]:
        if not self.entry._origin_allowed(request):
            texts = section("page", language)
            return self._render("leader_message.html", language, status=403, heading=texts["title"],
                                message=texts["forbidden"])
        return await self.entry._limit(self.entry.ip_limiter, self.entry._client_ip(request), language)

    # ---------------------------------------------------------------------------- pages

    async def home(self, request: Request) -> Response:
        institution = self._signed_in(request)
        if institution is None:
            language = self._language(request)
            return self._render("leader_signin.html", language,
                                institutions=registry.for_language(language, self.settings)
                                or registry.institutions(self.settings))
        language = institution.language
        texts = section("page", language)
        dates = await self._db(lambda s: store.institution_reflection_dates(s, institution.id))
        actions = await self._db(lambda s: store.institution_trial_actions(s, institution.id))
        months = sorted(Counter(f"{d:%Y-%m}" for d in dates).items())
        by_hand = Counter(a.hand for a in actions)
        by_outcome = Counter(a.outcome or "open" for a in actions)
        chart = bar_chart(texts["chart_title"], [
            (texts["by_hand"], [(texts["hands"][h], by_hand.get(h, 0)) for h in HANDS]),
            (texts["by_outcome"], [(texts["outcomes"][o], by_outcome.get(o, 0)) for o in OUTCOMES]),
        ])
        return self._render("leader_overview.html", language, institution=institution, months=months,
                            actions=actions, chart=chart, by_hand=by_hand, by_outcome=by_outcome,
                            hands=HANDS, outcomes=OUTCOMES)

    async def request_link(self, request: Request) -> Response:
        language = self._language(request)
        limited = await self._limited(request, language)
        if limited is not None:
            return limited
        form = await self._form(request) or {}
        institution = registry.find(form.get("institution"), self.settings)
        if institution is not None and (await run_in_threadpool(self.link_limiter.hit, institution.id))[0]:
            token = self.signer.link_token(institution.id)
            link = f"{self.settings.public_base_url.rstrip('/')}/leder/login?t={quote(token)}"
            message = signin_mail(self.settings, institution, link=link, when=datetime.now(timezone.utc))
            await self._db(lambda s: store.enqueue_mail(  # the mailer sends it (trygg.outbox)
                s, kind="signin", institution_id=institution.id, recipient=institution.leader_email,
                message=message.as_string()))
            language = institution.language
        texts = section("page", language)
        return self._render("leader_message.html", language, heading=texts["signin_heading"],
                            message=texts["link_sent"])

    async def confirm_link(self, request: Request) -> Response:
        token = request.query_params.get("t")
        checked = self.signer.check_link(token)
        institution = registry.find(checked[1], self.settings) if checked else None
        if institution is None:
            return self._invalid(request)
        return self._render("leader_confirm.html", institution.language, institution=institution, token=token)

    def _invalid(self, request: Request) -> Response:
        language = self._language(request)
        texts = section("page", language)
        return self._render("leader_message.html", language, status=400, heading=texts["confirm_heading"],
                            message=texts["link_invalid"], retry=True)

    async def login(self, request: Request) -> Response:
        language = self._language(request)
        limited = await self._limited(request, language)
        if limited is not None:
            return limited
        form = await self._form(request) or {}
        checked = self.signer.check_link(form.get("t"))
        institution = registry.find(checked[1], self.settings) if checked else None
        if institution is None or not await self._db(lambda s: store.use_signin_link(s, checked[0])):
            return self._invalid(request)
        response = RedirectResponse("/leder", status_code=303, headers={"Cache-Control": "no-store"})
        response.set_cookie(COOKIE, self.signer.cookie(institution.id), max_age=int(self.signer.session_seconds),
                            path="/leder", httponly=True, samesite="strict",
                            secure=request.url.scheme == "https" or self.settings.production)
        return response

    async def logout(self, request: Request) -> Response:
        response = RedirectResponse("/leder", status_code=303, headers={"Cache-Control": "no-store"})
        response.delete_cookie(COOKIE, path="/leder", httponly=True, samesite="strict",
                               secure=request.url.scheme == "https" or self.settings.production)
        return response

    async def export_csv(self, request: Request) -> Response:
        institution = self._signed_in(request)
        if institution is None:
            return RedirectResponse("/leder", status_code=303)
        texts = section("page", institution.language)
        actions = await self._db(lambda s: store.institution_trial_actions(s, institution.id))
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(texts["csv_columns"])
        for a in actions:
            text = a.action_text if a.action_text[:1] not in ("=", "+", "-", "@") else "'" + a.action_text
            writer.writerow([f"{a.created_at:%Y-%m-%d}", texts["hands"][a.hand], text, texts["statuses"][a.status],
                             texts["outcomes"][a.outcome or "open"]])
        return Response(out.getvalue().encode("utf-8-sig"), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="provehandlinger-{institution.id}.csv"',
            "Cache-Control": "no-store"})


def leader_routes(settings: Settings, entry: Any) -> List[Route]:
    pages = LeaderPages(settings, entry)
    return [
        Route("/leder", pages.home, methods=["GET"]),
        Route("/leder/link", pages.request_link, methods=["POST"]),
        Route("/leder/login", pages.confirm_link, methods=["GET"]),
        Route("/leder/login", pages.login, methods=["POST"]),
        Route("/leder/logout", pages.logout, methods=["POST"]),
        Route("/leder/export.csv", pages.export_csv, methods=["GET"]),
    ]
