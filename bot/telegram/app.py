"""The Telegram channel of Trygg havn: python-telegram-bot (v22) ↔ Rasa's REST channel.

* Every text message (and every command, mapped to a Rasa intent) goes to Rasa as a pseudonymous
  sender (HMAC of the Telegram user id, see identity.py); the replies come back as Telegram
  messages, Rasa buttons as an inline keyboard, a "referat" custom payload as a .txt document.
* A button press answers the callback query, removes the keyboard and sends the payload to Rasa.
  The buttons carry PTB's arbitrary callback data (`Button`: the payload and its keyboard, kept in
  PTB's callback-data cache, LRU): any payload length, a double tap counts once, and a button the
  cache no longer knows (after a restart) gets a friendly "type it instead".
* Telegram's flood limits: PTB's AIORateLimiter (≤ 30 messages a second; a RetryAfter is waited
  out and the request sent once more).
* Rasa down → a friendly "try again in a minute" in the user's language; a WARNING log line
  without the message text. Message texts are never logged at INFO or above.
* Follow-ups: a repeating JobQueue job asks `due_followups()` for [(chat_id, sender_id, language)]
  and sends "/followup" to Rasa for each, outside quiet hours only; `serve` wires it to the store
  (bot.telegram.followups: encrypted chat ids, kept only while a follow-up is waiting).
* Long polling (production too, docker-compose.yml): no webhook server.

Embedding (tests, other processes)::

    app = build_application(settings, rasa=RasaClient([...]), base_url=..., due_followups=...)
    async with running(app, poll_timeout=1):
        ...
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import signal
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, Iterable, List, Optional, Sequence, Tuple
from zoneinfo import ZoneInfo

from telegram import (
    BotCommand,
    BotCommandScopeDefault,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
    User,
)
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InvalidCallbackData,
    MessageHandler,
    filters,
)

from bot.channel_texts import texts
from bot.inbound import as_text
from bot.rasa_client import EmptyMessage, RasaClient, RasaUnavailable
from trygg.settings import Settings, get_settings

from .formatting import Outgoing, OutgoingDocument, OutgoingText, render_replies, ui_text
from .identity import metadata_language, sender_id
from .limits import TelegramLimits
from .quiet_hours import in_quiet_hours, parse_quiet_hours

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query"]

# Telegram command → the intent the channel sends for it (bot.payloads.CHANNEL_INTENTS)
COMMANDS: Dict[str, str] = {
    "start": "greet",
    "hjelp": "help",
    "help": "help",
    "mine": "trial_action_list",
    "refleksjon": "reflection_start",
    "personvern": "privacy",
    "slett": "delete_my_data",
}
UNKNOWN_COMMAND_INTENT = "help"
# Telegram is the foster parents' channel: it seeds the `audience` slot (domain/audience.yml);
# a pedagogue or leader says so once («jeg er pedagog») and the bot writes for them from then on.
TELEGRAM_AUDIENCE = "fosterforelder"
FOLLOWUP_INTENT = "followup"

# The command menu shown by Telegram clients (/help is an alias and stays out of the menu);
# the descriptions are in content/channel_texts.yml. None = the default menu (bokmål).
COMMAND_MENU_LANGUAGES: Dict[Optional[str], str] = {None: "nb", "da": "da"}

TYPING_REFRESH_SECONDS = 4.5  # Telegram shows "typing…" for about 5 s
# Keyboards PTB's callback-data cache remembers (least recently used out; older buttons get the
# friendly "type it instead"): ~1.7 KB for a keyboard of 3 buttons (docs/libraries.md) → ≤ ~17 MB.
BUTTON_CACHE_KEYBOARDS = 10_000
# A RetryAfter from Telegram is waited out and the request sent once more (AIORateLimiter)
RETRIES_AFTER_FLOOD_WAIT = 1
LEGACY_INLINE_PREFIX = "p:"  # buttons sent before the callback-data cache carried "p:<payload>"

FollowupItem = Tuple[int, str, Optional[str]]  # (chat_id, sender_id, language)
DueFollowups = Callable[[], Awaitable[Iterable[FollowupItem]]]
FollowupDone = Callable[[int, str, bool], Awaitable[None]]
ChatSeen = Callable[[int, str, Optional[str]], Awaitable[None]]  # (chat_id, sender_id, language)


async def no_followups() -> List[FollowupItem]:
    """Default `due_followups`: nothing is due (`serve` wires bot.telegram.followups to the store)."""
    return []


class ConfigError(RuntimeError):
    """The Telegram channel cannot start with these settings."""


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def default_base_file_url(base_url: str) -> str:
    """"https://api.telegram.org/bot" → "https://api.telegram.org/file/bot"."""
    if base_url.endswith("/bot"):
        return base_url[: -len("bot")] + "file/bot"
    return base_url.rstrip("/") + "/file/bot"


@dataclass(eq=False)
class KeyboardState:
    """One inline keyboard as sent; shared by its buttons, so the first press wins."""

    pressed: bool = False


@dataclass(frozen=True, eq=False)
class Button:
    """What a button carries in PTB's callback-data cache (Telegram itself only sees a UUID)."""

    payload: str
    keyboard: KeyboardState = field(repr=False)


class TelegramBridge:
    """The handlers. One instance per Application, kept in application.bot_data["trygg_bridge"]."""

    def __init__(
        self,
        settings: Settings,
        rasa: RasaClient,
        *,
        owns_rasa: bool = False,
        due_followups: DueFollowups = no_followups,
        followup_done: Optional[FollowupDone] = None,
        chat_seen: Optional[ChatSeen] = None,
        clock: Callable[[], dt.datetime] = _utc_now,
    ):
        self.settings = settings
        self.chat_seen = chat_seen
        self.rasa = rasa
        self.owns_rasa = owns_rasa
        self.due_followups = due_followups
        self.followup_done = followup_done
        self.clock = clock
        self._secret = settings.sender_hash_secret  # read once, never logged
        self._tz = ZoneInfo(settings.timezone)
        parse_quiet_hours(settings.quiet_hours)  # fail early on a malformed QUIET_HOURS
        self._locks: Dict[int, List[Any]] = {}  # chat id → [lock, users]
        self.limits = TelegramLimits(settings.telegram_rate_per_user, settings.telegram_max_pending)

    # ---------------------------------------------------------------- helpers

    def sender_for(self, user: User) -> str:
        return sender_id(user.id, self._secret)

    def _ui_language(self, language: Optional[str]) -> str:
        if language in ("nb", "da"):
            return language
        return "da" if self.settings.default_language == "da" else "nb"

    @contextlib.asynccontextmanager
    async def _chat_lock(self, chat_id: int) -> AsyncIterator[None]:
        """One conversation turn at a time per chat, so replies never interleave."""
        entry = self._locks.setdefault(chat_id, [asyncio.Lock(), 0])
        entry[1] += 1
        try:
            async with entry[0]:
                yield
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                self._locks.pop(chat_id, None)

    @contextlib.asynccontextmanager
    async def _typing(self, bot: Any, chat_id: int) -> AsyncIterator[None]:
        """Send "typing…" now (before Rasa is asked) and refresh it until the replies are ready."""
        with contextlib.suppress(TelegramError):
            await bot.send_chat_action(chat_id=chat_id, action=ChatAction.TYPING)

        async def refresh() -> None:
            while True:
                await asyncio.sleep(TYPING_REFRESH_SECONDS)
                with contextlib.suppress(TelegramError):
                    await bot.send_chat_action(chat_id=chat_id, action=ChatAction.TYPING)

        task = asyncio.create_task(refresh())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def converse(
        self,
        bot: Any,
        chat_id: int,
        sender: str,
        text: str,
        language: Optional[str],
        *,
        typing: bool = True,
        tell_user_when_down: bool = True,
        kind: str = "message",
        intent: bool = False,
    ) -> bool:
        """Send one message to Rasa as `sender` and deliver the replies. True when delivered.

        `text` is the user's text or a button's payload (bot.inbound decides what Rasa gets), or
        with `intent=True` an intent of the channel itself (a command, the follow-up job).
        """
        metadata = {"channel": "telegram", "language": language, "audience": TELEGRAM_AUDIENCE}

        async def ask() -> List[Dict[str, Any]]:
            if intent:
                return await self.rasa.send_intent(sender, text, metadata=metadata)
            return await self.rasa.send(sender, text, metadata=metadata)

        try:
            if typing:
                async with self._typing(bot, chat_id):
                    replies = await ask()
            else:
                replies = await ask()
        except EmptyMessage:
            return True  # nothing of the message was left to send (e.g. only slashes)
        except RasaUnavailable as error:
            log.warning("Rasa unavailable for a telegram %s (sender %s…): %s", kind, sender[:8], type(error).__name__)
            if tell_user_when_down:
                await self.deliver(bot, chat_id, [OutgoingText(ui_text("unavailable", self._ui_language(language)))])
            return False
        log.debug("telegram %s from sender %s…: %d replies from Rasa", kind, sender[:8], len(replies))
        items = render_replies(replies, self._ui_language(language))
        return await self.deliver(bot, chat_id, items)

    async def deliver(self, bot: Any, chat_id: int, items: Sequence[Outgoing]) -> bool:
        """Send the rendered items in order. False when the user cannot be reached.

        Flood limits are PTB's AIORateLimiter's: it paces the requests, waits out a RetryAfter and
        sends once more; a second RetryAfter reaches us here and that message is dropped."""
        for item in items:
            try:
                if isinstance(item, OutgoingDocument):
                    await bot.send_document(
                        chat_id=chat_id, document=item.content, filename=item.filename, caption=item.caption
                    )
                else:
                    await bot.send_message(chat_id=chat_id, text=item.text, reply_markup=_markup(item))
            except RetryAfter:
                log.warning("Telegram rate limit for a chat; dropping a message")
            except Forbidden:
                log.info("Telegram user blocked the bot or left; not delivered")
                return False
            except TelegramError as error:
                log.warning("Telegram refused a message: %s", type(error).__name__)
        return True

    async def _converse_as(self, update: Update, context: ContextTypes.DEFAULT_TYPE, text: str, kind: str,
                           intent: bool = False) -> None:
        user = update.effective_user
        chat = update.effective_chat
        if user is None or chat is None:
            return
        await self._user_turn(context.bot, chat.id, user, text, kind, intent=intent)

    async def _user_turn(self, bot: Any, chat_id: int, user: User, text: str, kind: str, intent: bool = False) -> None:
        """One turn a user started: within the limits, one at a time per chat, then the follow-up map."""
        language = metadata_language(user.language_code)
        refusal = self.limits.admit(user.id, self._pending(chat_id))
        if refusal is not None:
            log.info("telegram %s refused: %s", kind, refusal)
            if self.limits.should_tell(user.id):
                await self.deliver(bot, chat_id, [OutgoingText(ui_text(refusal, self._ui_language(language)))])
            return
        async with self._chat_lock(chat_id):
            sender = self.sender_for(user)
            await self.converse(bot, chat_id, sender, text, language, kind=kind, intent=intent)
            await self._seen(chat_id, sender, language)

    def _pending(self, chat_id: int) -> int:
        """Messages of this chat being answered or waiting for their turn."""
        entry = self._locks.get(chat_id)
        return entry[1] if entry else 0

    async def _seen(self, chat_id: int, sender: str, language: Optional[str]) -> None:
        """After a turn: let the follow-up store know how to reach this chat (if one is waiting)."""
        if self.chat_seen is None:
            return
        try:
            await self.chat_seen(chat_id, sender, language)
        except Exception as error:  # the store may be down; the conversation goes on
            log.warning("could not update the follow-up chat map: %s", type(error).__name__)

    # ---------------------------------------------------------------- handlers

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or not message.text:
            return
        # Rasa reads a leading "/" as an intent name; typed text never chooses intents on Telegram
        # (buttons arrive as callback queries), so not even a payload of the allow-list.
        text = as_text(message.text)
        if not text:
            return
        await self._converse_as(update, context, text, "message")

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or not message.text:
            return
        command = message.text.split(maxsplit=1)[0][1:].split("@", 1)[0].lower()
        await self._converse_as(update, context, COMMANDS.get(command, UNKNOWN_COMMAND_INTENT), "command", intent=True)

    async def on_other_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Photos, voice, stickers …: only text is understood."""
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return
        language = self._ui_language(metadata_language(user.language_code))
        await self.deliver(context.bot, chat.id, [OutgoingText(ui_text("only_text", language))])

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        user = query.from_user
        message = query.message
        chat_id = message.chat.id if message is not None else user.id
        data = query.data
        # A double tap arrives as two callback queries before the keyboard is gone: one answer only.
        if isinstance(data, Button):
            if data.keyboard.pressed:
                with contextlib.suppress(TelegramError):
                    await query.answer()
                return
            data.keyboard.pressed = True
        with contextlib.suppress(TelegramError):
            await query.answer()
        if message is not None and message.is_accessible:
            try:
                await query.edit_message_reply_markup(reply_markup=None)
            except BadRequest as error:  # e.g. "message is not modified" after a double tap
                log.debug("could not remove inline keyboard: %s", error)
            except TelegramError as error:
                log.warning("could not remove inline keyboard: %s", type(error).__name__)
        payload = button_payload(data)
        language = metadata_language(user.language_code)
        if payload is None:
            expired = ui_text("button_expired", self._ui_language(language))
            await self.deliver(context.bot, chat_id, [OutgoingText(expired)])
            return
        await self._user_turn(context.bot, chat_id, user, payload, "button")

    async def followup_job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Repeating job: deliver due follow-ups, never during quiet hours."""
        if in_quiet_hours(self.clock(), self.settings.quiet_hours, self._tz):
            log.debug("quiet hours: no follow-ups now")
            return
        try:
            due = list(await self.due_followups())
        except Exception:  # the database may be down; try again next round
            log.exception("due_followups() failed")
            return
        if due:
            log.info("sending %d follow-up(s)", len(due))
        for index, (chat_id, sender, language) in enumerate(due):
            if index and in_quiet_hours(self.clock(), self.settings.quiet_hours, self._tz):
                log.info("quiet hours began; %d follow-up(s) left for later", len(due) - index)
                break
            async with self._chat_lock(chat_id):
                delivered = await self.converse(
                    context.bot, chat_id, sender, FOLLOWUP_INTENT, language,
                    typing=False, tell_user_when_down=False, kind="follow-up", intent=True,
                )
            if self.followup_done is not None:
                try:
                    await self.followup_done(chat_id, sender, delivered)
                except Exception:
                    log.exception("followup_done() failed")

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # No update contents here: they would contain the user's text.
        error = context.error
        log.error("error while handling a Telegram update: %s", type(error).__name__, exc_info=error)


def button_payload(data: Any) -> Optional[str]:
    """The payload a pressed button carries; None when it is unknown (e.g. sent before a restart).

    A button sent before the callback-data cache carried its payload inline ("p:/affirm"); PTB
    hands it over as InvalidCallbackData and it still works (bot.inbound checks it like any text).
    """
    if isinstance(data, Button):
        return data.payload
    if isinstance(data, InvalidCallbackData) and isinstance(data.callback_data, str) \
            and data.callback_data.startswith(LEGACY_INLINE_PREFIX):
        return data.callback_data[len(LEGACY_INLINE_PREFIX):] or None
    return None


def _markup(item: OutgoingText) -> Optional[InlineKeyboardMarkup]:
    if not item.keyboard:
        return None
    keyboard = KeyboardState()
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(title, callback_data=Button(payload, keyboard)) for title, payload in row]
         for row in item.keyboard]
    )


def build_application(
    settings: Optional[Settings] = None,
    *,
    rasa: Optional[RasaClient] = None,
    due_followups: DueFollowups = no_followups,
    followup_done: Optional[FollowupDone] = None,
    chat_seen: Optional[ChatSeen] = None,
    followup_interval: Optional[float] = None,
    followup_first: Optional[float] = None,
    clock: Callable[[], dt.datetime] = _utc_now,
    base_url: Optional[str] = None,
    base_file_url: Optional[str] = None,
) -> Application:
    """Build the PTB Application with all handlers and the follow-up job (not started).

    `due_followups()` → [(chat_id, sender_id, language)]; `followup_done(chat_id, sender_id,
    delivered)` is called after each attempt (optional, e.g. to mark it sent in the database);
    `chat_seen(chat_id, sender_id, language)` after each user turn (bot.telegram.followups).
    """
    settings = settings or get_settings()
    if not settings.telegram_token:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set")
    owns_rasa = rasa is None
    if rasa is None:
        rasa = RasaClient(settings.rasa_urls, timeout=settings.rasa_timeout_seconds)
    bridge = TelegramBridge(
        settings, rasa, owns_rasa=owns_rasa, due_followups=due_followups, followup_done=followup_done,
        chat_seen=chat_seen, clock=clock,
    )
    redact_token_in_logs(settings.telegram_token)
    keep_updates_out_of_logs()
    base_url = base_url or settings.telegram_base_url
    application = (
        Application.builder()
        .token(settings.telegram_token)
        .base_url(base_url)
        .base_file_url(base_file_url or default_base_file_url(base_url))
        .concurrent_updates(True)  # different chats in parallel; one chat in order (_chat_lock)
        .rate_limiter(AIORateLimiter(max_retries=RETRIES_AFTER_FLOOD_WAIT))
        .arbitrary_callback_data(BUTTON_CACHE_KEYBOARDS)
        .build()
    )
    application.bot_data["trygg_bridge"] = bridge

    private = filters.ChatType.PRIVATE
    new_message = filters.UpdateType.MESSAGE  # edited messages are ignored
    application.add_handler(CommandHandler(list(COMMANDS), bridge.on_command, filters=private & new_message))
    application.add_handler(MessageHandler(private & new_message & filters.COMMAND, bridge.on_command))
    application.add_handler(MessageHandler(private & new_message & filters.TEXT, bridge.on_text))
    application.add_handler(MessageHandler(private & new_message, bridge.on_other_message))
    application.add_handler(CallbackQueryHandler(bridge.on_button))
    application.add_error_handler(bridge.on_error)

    if application.job_queue is None:
        raise ConfigError('PTB JobQueue unavailable: install APScheduler ("python-telegram-bot[job-queue]")')
    interval = followup_interval if followup_interval is not None else settings.followup_check_seconds
    application.job_queue.run_repeating(
        bridge.followup_job,
        interval=interval,
        first=followup_first if followup_first is not None else min(interval, 60.0),
        name="trygg-followups",
        job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
    )
    return application


def bridge_of(application: Application) -> TelegramBridge:
    return application.bot_data["trygg_bridge"]


async def register_commands(application: Application) -> None:
    """Show the commands in the Telegram clients' menu (bokmål default, Danish for da clients)."""
    for language, texts_language in COMMAND_MENU_LANGUAGES.items():
        commands = texts("telegram_commands")[texts_language]
        try:
            await application.bot.set_my_commands(
                [BotCommand(name, description) for name, description in commands.items()],
                scope=BotCommandScopeDefault(),
                language_code=language,
            )
        except TelegramError as error:
            log.warning("could not set the command menu (%s): %s", language or "default", type(error).__name__)


async def _close_owned(application: Application) -> None:
    bridge = bridge_of(application)
    if bridge.owns_rasa:
        await bridge.rasa.close()


@contextlib.asynccontextmanager
async def running(
    application: Application, *, poll_timeout: float = 10.0, set_commands: bool = True, bootstrap_retries: int = 5
) -> AsyncIterator[Application]:
    """Run the application with long polling inside this block (clean shutdown on exit)."""
    await application.initialize()
    try:
        if set_commands:
            await register_commands(application)
        await application.updater.start_polling(
            poll_interval=0.0,
            timeout=poll_timeout,
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
            bootstrap_retries=bootstrap_retries,
        )
        await application.start()
        try:
            yield application
        finally:
            if application.updater.running:
                await application.updater.stop()
            if application.running:
                await application.stop()
    finally:
        await application.shutdown()
        await _close_owned(application)


async def serve(settings: Optional[Settings] = None, stop: Optional[asyncio.Event] = None) -> None:
    """Run with long polling until SIGINT/SIGTERM (or `stop` is set)."""
    settings = settings or get_settings()
    from .followups import StoredFollowups

    followups = StoredFollowups(settings.database_url, settings.sender_hash_secret)
    application = build_application(settings, due_followups=followups.due, followup_done=followups.done,
                                    chat_seen=followups.remember)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    try:
        log.info("long polling mode")
        async with running(application):
            await stop.wait()
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
        followups.close()
    log.info("stopped")


class _TokenRedactor(logging.Filter):
    """Replaces bot tokens in log records (httpx logs each request URL, which contains the token)."""

    def __init__(self) -> None:
        super().__init__()
        self.tokens: set = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if self.tokens:
            try:
                message = record.getMessage()
            except Exception:
                return True
            if any(token in message for token in self.tokens):
                for token in self.tokens:
                    message = message.replace(token, "<bot-token>")
                record.msg, record.args = message, None
        return True


_REDACTOR = _TokenRedactor()
_REDACTED_LOGGERS = ("httpx", "httpcore")  # logger filters do not apply to child loggers


def redact_token_in_logs(token: str) -> None:
    """Install (once) a filter on the HTTP and Telegram loggers that hides `token`."""
    if not token:
        return
    _REDACTOR.tokens.add(token)
    for name in _REDACTED_LOGGERS:
        logger = logging.getLogger(name)
        if _REDACTOR not in logger.filters:
            logger.addFilter(_REDACTOR)


def quiet_noisy_loggers() -> None:
    """httpx logs every request URL at INFO – that URL contains the bot token."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    keep_updates_out_of_logs()


def keep_updates_out_of_logs() -> None:
    """python-telegram-bot logs every update and API result at DEBUG – with the user's text, name and
    ids. Its loggers never go below INFO here, so not even LOG_LEVEL=DEBUG writes them to a log."""
    logger = logging.getLogger("telegram")
    if logger.getEffectiveLevel() < logging.INFO:
        logger.setLevel(logging.INFO)
