"""A local fake of the Telegram Bot API (aiohttp, 127.0.0.1, free port) for channel tests.

It speaks the methods the bot uses – getMe, getUpdates (long poll with timeout and offsets),
sendMessage, sendChatAction, answerCallbackQuery, editMessageReplyMarkup, sendDocument
(multipart), setWebhook, deleteWebhook, getWebhookInfo, setMyCommands … – and checks what the
real API checks where it matters (4096-character texts, 64-byte callback_data, known chats and
messages, "message is not modified"); `flood()` makes the next calls of a method fail with 429
and retry_after, as Telegram's flood control does. Unknown methods are logged, recorded in `unknown_methods`
and answered `ok: false, 404`, so a method the fake lacks shows up at once.

Usage::

    async with FakeTelegramBotApi() as tg:
        app = build_application(settings, base_url=tg.base_url, base_file_url=tg.base_file_url)
        tg.send_text(user_id=42, text="hei", language_code="nb")
        [call] = await tg.wait_for("sendMessage")
        call.params["text"], call.params["reply_markup"]
        tg.press_button(42, call.result, call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"])

PTB must use base_url=f"http://127.0.0.1:{port}/bot" (`tg.base_url`) and the same token.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

from aiohttp import web

from tests.fakes.local_server import LocalAiohttpServer

log = logging.getLogger(__name__)

DEFAULT_TOKEN = "123456789:TEST-trygg-havn-fake-token"

# Parameters PTB sends JSON-encoded (form values are strings); everything else stays a string.
_JSON_PARAMS = {
    "chat_id", "message_id", "offset", "limit", "timeout", "reply_markup", "allowed_updates",
    "drop_pending_updates", "max_connections", "show_alert", "cache_time", "disable_notification",
    "protect_content", "reply_parameters", "link_preview_options", "entities", "caption_entities",
    "message_thread_id", "commands", "scope", "disable_web_page_preview", "allow_sending_without_reply",
    "reply_to_message_id", "disable_content_type_detection", "ip_address",
}


@dataclass
class UploadedFile:
    field: str
    filename: Optional[str]
    content_type: Optional[str]
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8")


@dataclass
class ApiCall:
    seq: int
    method: str
    params: Dict[str, Any]
    files: Dict[str, UploadedFile] = field(default_factory=dict)
    result: Any = None
    ok: bool = True
    error: Optional[str] = None
    at: float = field(default_factory=time.monotonic)


class FakeTelegramBotApi(LocalAiohttpServer):
    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "trygg_havn_test_bot",
        host: str = "127.0.0.1",
        port: int = 0,
    ):
        self.token = token
        self.host = host
        self.port = port
        self.bot_user = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": "Trygg havn (test)",
            "username": bot_username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.calls: List[ApiCall] = []
        self.unknown_methods: List[str] = []
        self.webhook: Dict[str, Any] = {"url": "", "secret_token": None, "allowed_updates": None}
        self.commands: Dict[str, Any] = {}
        self.blocked_users: set = set()
        self.messages: Dict[tuple, Dict[str, Any]] = {}  # (chat_id, message_id) → message (bot's and users')
        self.callback_queries: Dict[str, Dict[str, Any]] = {}  # id → {"answered": bool, ...}
        self.users: Dict[int, Dict[str, Any]] = {}
        self._updates: List[Dict[str, Any]] = []
        self._next_update_id = itertools.count(1)
        self._next_message_id: Dict[int, itertools.count] = {}
        self._next_callback_id = itertools.count(1)
        self._next_file_id = itertools.count(1)
        self._seq = itertools.count(1)
        self._changed: Optional[asyncio.Condition] = None
        self._closing = False
        self._runner: Optional[web.AppRunner] = None
        self._floods: Dict[str, List[int]] = {}  # method (lower case) → retry_after of the next 429s

    # ------------------------------------------------------------------ lifecycle

    def build_app(self) -> web.Application:
        self._changed = asyncio.Condition()
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/file/bot{token}/{path:.*}", self._handle_file)
        return app

    async def stop(self) -> None:
        self._closing = True
        await self._notify()
        await super().stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self.host}:{self.port}/file/bot"

    # ------------------------------------------------------------------ what users do

    def add_user(self, user_id: int, *, language_code: Optional[str] = "nb", first_name: str = "Test") -> Dict[str, Any]:
        user = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code is not None:
            user["language_code"] = language_code
        self.users[user_id] = user
        return user

    def _private_chat(self, user_id: int) -> Dict[str, Any]:
        user = self.users.get(user_id) or self.add_user(user_id)
        return {"id": user_id, "type": "private", "first_name": user["first_name"]}

    def _new_message_id(self, chat_id: int) -> int:
        return next(self._next_message_id.setdefault(chat_id, itertools.count(1)))

    def push_update(self, update: Dict[str, Any]) -> Dict[str, Any]:
        """Queue a raw update (update_id is assigned) for getUpdates."""
        update = dict(update)
        update["update_id"] = next(self._next_update_id)
        self._updates.append(update)
        self._notify_soon()
        return update

    def user_message(
        self, user_id: int, text: str, *, language_code: Optional[str] = "nb", first_name: str = "Test"
    ) -> Dict[str, Any]:
        """A private-chat text message update (not queued). Commands get a bot_command entity."""
        user = self.add_user(user_id, language_code=language_code, first_name=first_name)
        message: Dict[str, Any] = {
            "message_id": self._new_message_id(user_id),
            "date": int(time.time()),
            "chat": self._private_chat(user_id),
            "from": user,
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        self.messages[(user_id, message["message_id"])] = message
        return {"message": message}

    def send_text(self, user_id: int, text: str, *, language_code: Optional[str] = "nb", first_name: str = "Test") -> Dict[str, Any]:
        """The user types `text` in the private chat with the bot."""
        return self.push_update(self.user_message(user_id, text, language_code=language_code, first_name=first_name))

    def send_photo(self, user_id: int, *, language_code: Optional[str] = "nb") -> Dict[str, Any]:
        user = self.add_user(user_id, language_code=language_code)
        message = {
            "message_id": self._new_message_id(user_id),
            "date": int(time.time()),
            "chat": self._private_chat(user_id),
            "from": user,
            "photo": [{"file_id": "photo-1", "file_unique_id": "p1", "width": 10, "height": 10}],
        }
        return self.push_update({"message": message})

    def callback_update(
        self, user_id: int, message: Dict[str, Any], data: str, *, language_code: Optional[str] = "nb"
    ) -> Dict[str, Any]:
        """A callback query update (not queued) for a button on `message` (a bot message)."""
        user = self.users.get(user_id) or self.add_user(user_id, language_code=language_code)
        if language_code is not None:
            user = {**user, "language_code": language_code}
        query_id = str(9_000_000 + next(self._next_callback_id))
        self.callback_queries[query_id] = {"answered": False, "data": data}
        stored = self.messages.get((message["chat"]["id"], message["message_id"]), message)
        return {
            "callback_query": {
                "id": query_id,
                "from": user,
                "message": stored,
                "chat_instance": f"ci-{user_id}",
                "data": data,
            }
        }

    def press_button(
        self, user_id: int, message: Dict[str, Any], data: str, *, language_code: Optional[str] = "nb"
    ) -> Dict[str, Any]:
        """The user taps the inline button with callback_data `data` under the bot's `message`."""
        stored = self.messages.get((message["chat"]["id"], message["message_id"]))
        if stored is not None:
            buttons = [b for row in (stored.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]
            if not any(b.get("callback_data") == data for b in buttons):
                raise AssertionError(f"no button with callback_data {data!r} on that message (any more)")
        return self.push_update(self.callback_update(user_id, message, data, language_code=language_code))

    def block(self, user_id: int) -> None:
        """The user blocks the bot: sending to them fails with 403."""
        self.blocked_users.add(user_id)

    def flood(self, method: str, *, times: int = 1, retry_after: int = 1) -> None:
        """The next `times` calls of `method` fail as Telegram's flood control does: 429 with
        parameters.retry_after (python-telegram-bot raises RetryAfter)."""
        self._floods[method.lower()] = [retry_after] * times

    def calls_for(self, method: str) -> List[ApiCall]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def sent_texts(self, chat_id: Optional[int] = None) -> List[str]:
        return [
            c.params["text"] for c in self.calls_for("sendMessage")
            if c.ok and (chat_id is None or c.params.get("chat_id") == chat_id)
        ]

    async def wait_for(
        self,
        method: str,
        predicate: Optional[Callable[[ApiCall], bool]] = None,
        *,
        count: int = 1,
        timeout: float = 5.0,
        since: int = 0,
    ) -> List[ApiCall]:
        """Wait until `count` calls of `method` (matching `predicate`, seq > `since`) were made."""

        def matching() -> List[ApiCall]:
            return [
                c for c in self.calls
                if c.seq > since and c.method.lower() == method.lower() and (predicate is None or predicate(c))
            ]

        assert self._changed is not None, "server not started"
        try:
            async with self._changed:
                await asyncio.wait_for(self._changed.wait_for(lambda: len(matching()) >= count), timeout)
        except asyncio.TimeoutError:
            seen = [(c.method, c.params) for c in self.calls if c.seq > since]
            raise AssertionError(f"timed out waiting for {count}× {method}; calls so far: {seen}") from None
        return matching()[:count]

    @property
    def last_seq(self) -> int:
        return self.calls[-1].seq if self.calls else 0

    # ------------------------------------------------------------------ HTTP

    async def _notify(self) -> None:
        if self._changed is not None:
            async with self._changed:
                self._changed.notify_all()

    def _notify_soon(self) -> None:
        try:
            asyncio.get_running_loop().create_task(self._notify())
        except RuntimeError:  # no loop running (called from sync code before start)
            pass

    async def _read_params(self, request: web.Request) -> tuple:
        params: Dict[str, Any] = {}
        files: Dict[str, UploadedFile] = {}
        if request.content_type == "application/json":
            body = await request.read()
            params.update(json.loads(body) if body else {})
        elif request.method == "POST":
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    files[name] = UploadedFile(name, value.filename, value.content_type, value.file.read())
                elif name in _JSON_PARAMS:
                    try:
                        params[name] = json.loads(value)
                    except (TypeError, ValueError):
                        params[name] = value
                else:
                    params[name] = value
        for name, value in request.query.items():
            params.setdefault(name, json.loads(value) if name in _JSON_PARAMS else value)
        # "attach://name" references point into the multipart files
        for name, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://") and value[9:] in files:
                files[name] = files[value[9:]]
        return params, files

    @staticmethod
    def _ok(result: Any) -> web.Response:
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    def _error(status: int, description: str, **extra: Any) -> web.Response:
        body = {"ok": False, "error_code": status, "description": description}
        body.update(extra)
        return web.json_response(body, status=status)

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        method = request.match_info["method"]
        params, files = await self._read_params(request)
        call = ApiCall(seq=next(self._seq), method=method, params=params, files=files)
        handler = getattr(self, f"_m_{method.lower()}", None)
        if handler is None:
            log.warning("fake Telegram Bot API: unknown method %s %s", method, sorted(params))
            self.unknown_methods.append(method)
            response = self._error(404, f"Not Found: method {method} not implemented by the fake")
        elif self._floods.get(method.lower()):
            retry_after = self._floods[method.lower()].pop(0)
            response = self._error(429, f"Too Many Requests: retry after {retry_after}",
                                   parameters={"retry_after": retry_after})
        else:
            try:
                response = await handler(params, files)
            except _ApiError as error:
                response = self._error(error.status, error.description, **error.extra)
        body = json.loads(response.body)
        call.ok = body["ok"]
        call.result = body.get("result")
        call.error = body.get("description")
        if method.lower() != "getupdates" or call.result:  # empty long polls are noise
            self.calls.append(call)
            await self._notify()
        return response

    async def _handle_file(self, request: web.Request) -> web.Response:
        return self._error(404, "Not Found: files are not served by the fake")

    # ------------------------------------------------------------------ methods

    def _chat_id(self, params: Dict[str, Any]) -> int:
        try:
            chat_id = int(params["chat_id"])
        except (KeyError, TypeError, ValueError):
            raise _ApiError(400, "Bad Request: chat_id is empty") from None
        if chat_id not in self.users:
            raise _ApiError(400, "Bad Request: chat not found")
        if chat_id in self.blocked_users:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    def _bot_message(self, chat_id: int, **content: Any) -> Dict[str, Any]:
        message = {
            "message_id": self._new_message_id(chat_id),
            "date": int(time.time()),
            "chat": self._private_chat(chat_id),
            "from": self.bot_user,
            **{k: v for k, v in content.items() if v is not None},
        }
        self.messages[(chat_id, message["message_id"])] = message
        return message

    @staticmethod
    def _check_markup(markup: Any) -> None:
        if markup is None:
            return
        if isinstance(markup, str):
            raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not button.get("text"):
                    raise _ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not (1 <= len(data.encode("utf-8")) <= 64):
                    raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")

    async def _m_getme(self, params: Dict[str, Any], files: Dict[str, UploadedFile]) -> web.Response:
        return self._ok(self.bot_user)

    async def _m_getupdates(self, params: Dict[str, Any], files: Dict[str, UploadedFile]) -> web.Response:
        if self.webhook["url"]:
            raise _ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = max(0.0, min(float(params.get("timeout") or 0), 50.0))
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]

        def pending() -> List[Dict[str, Any]]:
            return [u for u in self._updates if u["update_id"] >= offset]

        if not pending() and timeout and not self._closing:
            assert self._changed is not None
            try:
                async with self._changed:
                    await asyncio.wait_for(self._changed.wait_for(lambda: bool(pending()) or self._closing), timeout)
            except asyncio.TimeoutError:
                pass
        return self._ok(pending()[:limit])

    async def _m_sendmessage(self, params: Dict[str, Any], files: Dict[str, UploadedFile]) -> web.Response:
        chat_id = self._chat_id(params)
        text = params.get("text") or ""
        if not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if len(text.encode("utf-16-le")) // 2 > 4096:
            raise _ApiError(400, "Bad Request: message is too long")
        markup = params.get("reply_markup")
        self._check_markup(markup)
        return self._ok(self._bot_message(chat_id, text=text, reply_markup=markup))

    async def _m_sendchataction(self, params: Dict[str, Any], files: Dict[str, UploadedFile]) -> web.Response:
        self._chat_id(params)
        if params.get("action") not in {"typing", "upload_document", "upload_photo", "record_voice", "choose_sticker"}:
            raise _ApiError(400, "Bad Request: wrong parameter action in request")
        return self._ok(True)

    async def _m_answercallbackquery(self, params: Dict[str, Any], files: Dict[str, UploadedFile]) -> web.Response:
        query = self.callback_queries.get(str(params.get("callback_query_id")))
        if query is None or query["answered"]:
            raise _ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        query["answered"] = True
        return self._ok(True)

    async def _m_editmessagereplymarkup(self, params: Dict[str, Any], files: Dict[str, UploadedFile]) -> web.Response:
        if "inline_message_id" in params:
            return self._ok(True)
        chat_id = self._chat_id(params)
        message = self.messages.get((chat_id, int(params.get("message_id") or 0)))
        if message is None or message.get("from", {}).get("id") != self.bot_user["id"]:
            raise _ApiError(400, "Bad Request: message to edit not found")
        markup = params.get("reply_markup")
        self._check_markup(markup)
        if (markup or None) == (message.get("reply_markup") or None):
            raise _ApiError(400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        return self._ok(message)

    async def _m_senddocument(self, params: Dict[str, Any], files: Dict[str, UploadedFile]) -> web.Response:
        chat_id = self._chat_id(params)
        upload = files.get("document")
        if upload is None:
            if isinstance(params.get("document"), str) and params["document"]:
                document = {"file_id": params["document"], "file_unique_id": params["document"]}
            else:
                raise _ApiError(400, "Bad Request: there is no document in the request")
        else:
            if not upload.content:
                raise _ApiError(400, "Bad Request: file must be non-empty")
            number = next(self._next_file_id)
            document = {
                "file_id": f"doc-{number}",
                "file_unique_id": f"udoc-{number}",
                "file_name": upload.filename,
                "mime_type": upload.content_type or "application/octet-stream",
                "file_size": len(upload.content),
            }
        return self._ok(self._bot_message(chat_id, document=document, caption=params.get("caption")))

    async def _m_setwebhook(self, params: Dict[str, Any], files: Dict[str, UploadedFile]) -> web.Response:
        url = params.get("url") or ""
        secret = params.get("secret_token")
        if secret is not None and not (1 <= len(secret) <= 256):
            raise _ApiError(400, "Bad Request: secret token is invalid")
        self.webhook = {"url": url, "secret_token": secret, "allowed_updates": params.get("allowed_updates")}
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return self._ok(True)

    async def _m_deletewebhook(self, params: Dict[str, Any], files: Dict[str, UploadedFile]) -> web.Response:
        self.webhook = {"url": "", "secret_token": None, "allowed_updates": None}
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return self._ok(True)

    async def _m_getwebhookinfo(self, params: Dict[str, Any], files: Dict[str, UploadedFile]) -> web.Response:
        info = {"url": self.webhook["url"], "has_custom_certificate": False, "pending_update_count": len(self._updates)}
        if self.webhook["allowed_updates"]:
            info["allowed_updates"] = self.webhook["allowed_updates"]
        return self._ok(info)

    async def _m_setmycommands(self, params: Dict[str, Any], files: Dict[str, UploadedFile]) -> web.Response:
        self.commands[params.get("language_code") or ""] = params.get("commands")
        return self._ok(True)

    async def _m_getmycommands(self, params: Dict[str, Any], files: Dict[str, UploadedFile]) -> web.Response:
        return self._ok(self.commands.get(params.get("language_code") or "", []))

    async def _m_deletemycommands(self, params: Dict[str, Any], files: Dict[str, UploadedFile]) -> web.Response:
        self.commands.pop(params.get("language_code") or "", None)
        return self._ok(True)

    async def _m_close(self, params: Dict[str, Any], files: Dict[str, UploadedFile]) -> web.Response:
        return self._ok(True)

    async def _m_logout(self, params: Dict[str, Any], files: Dict[str, UploadedFile]) -> web.Response:
        return self._ok(True)


class _ApiError(Exception):
    def __init__(self, status: int, description: str, **extra: Any):
        super().__init__(description)
        self.status = status
        self.description = description
        self.extra = extra
