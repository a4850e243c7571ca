"""A minimal local stand-in for Rasa's REST channel (POST /webhooks/rest/webhook).

Default behaviour: echo ("Ekko: <message>"). Tests script answers per message::

    async with FakeRasa() as rasa:
        rasa.responses["/greet"] = [{"text": "Hei!", "buttons": [{"title": "Ja", "payload": "/affirm"}]}]
        rasa.responses["lag referat"] = FakeRasa.referat("Referat …", filename="referat.txt")
        rasa.outage = True          # answers 503, as Rasa does when it (or the action server) fails
        rasa.delay = 1.0            # seconds before answering
        rasa.requests               # [{"sender", "message", "metadata"}, …]

`rasa.url` is what RasaClient needs; the real Rasa can be used instead by passing its URL.
"""
from __future__ import annotations

import asyncio
import json
from typing import Any, Callable, Dict, List, Optional, Union

from aiohttp import web

from tests.fakes.local_server import LocalAiohttpServer

Replies = List[Dict[str, Any]]
Responder = Union[Replies, Callable[[Dict[str, Any]], Replies]]


class FakeRasa(LocalAiohttpServer):
    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.host = host
        self.port = port
        self.requests: List[Dict[str, Any]] = []
        self.responses: Dict[str, Responder] = {}
        self.default: Optional[Callable[[Dict[str, Any]], Replies]] = None
        self.outage = False
        self.outage_status = 503
        self.delay = 0.0
        self._runner: Optional[web.AppRunner] = None
        self._received: Optional[asyncio.Condition] = None

    # ---------------------------------------------------------------- canned replies

    @staticmethod
    def text(text: str, buttons: Optional[List[Dict[str, str]]] = None) -> Dict[str, Any]:
        reply: Dict[str, Any] = {"text": text}
        if buttons:
            reply["buttons"] = buttons
        return reply

    @staticmethod
    def referat(text: str, filename: str = "referat.txt", intro: str = "Her er referatet ditt.") -> Replies:
        return [
            {"text": intro},
            {"custom": {"type": "referat", "filename": filename, "text": text}},
        ]

    # ---------------------------------------------------------------- lifecycle

    def build_app(self) -> web.Application:
        self._received = asyncio.Condition()
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self._webhook)
        app.router.add_get("/", self._root)
        app.router.add_get("/webhooks/rest/", self._health)
        return app

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def wait_for_requests(self, count: int = 1, timeout: float = 5.0) -> List[Dict[str, Any]]:
        assert self._received is not None
        async with self._received:
            await asyncio.wait_for(self._received.wait_for(lambda: len(self.requests) >= count), timeout)
        return self.requests[:count]

    # ---------------------------------------------------------------- HTTP

    async def _root(self, request: web.Request) -> web.Response:
        return web.Response(text="Hello from Rasa: 3.6.21 (fake)")

    async def _health(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def _webhook(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return web.Response(status=400, text="invalid json")
        entry = {"sender": body.get("sender"), "message": body.get("message"), "metadata": body.get("metadata")}
        self.requests.append(entry)
        assert self._received is not None
        async with self._received:
            self._received.notify_all()
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.outage:
            return web.json_response({"error": "fake outage"}, status=self.outage_status)
        responder = self.responses.get(entry["message"])
        if responder is None:
            replies = self.default(entry) if self.default else [{"text": f"Ekko: {entry['message']}"}]
        elif callable(responder):
            replies = responder(entry)
        else:
            replies = responder
        return web.json_response([{"recipient_id": entry["sender"], **r} for r in replies])
