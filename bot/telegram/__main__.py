"""`python -m bot.telegram` – run the Telegram channel (long polling)."""
from __future__ import annotations

import asyncio
import logging
import sys

from trygg.settings import get_settings, require_production_settings

PRODUCTION_SETTINGS = ("SENDER_HASH_SECRET", "DATABASE_URL")


def main() -> int:
    require_production_settings(PRODUCTION_SETTINGS)
    settings = get_settings()
    if not settings.telegram_token:
        print(
            "TELEGRAM_BOT_TOKEN is not set – get a token from @BotFather and export it "
            "(e.g. TELEGRAM_BOT_TOKEN=123456:ABC… python -m bot.telegram).",
            file=sys.stderr,
        )
        return 2

    logging.basicConfig(
        level=getattr(logging, settings.log_level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    from .app import ConfigError, quiet_noisy_loggers, serve  # after the token check: fast, clear exit

    quiet_noisy_loggers()
    try:
        asyncio.run(serve(settings))
    except ConfigError as error:
        print(f"Telegram channel not started: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
