"""`python -m bot.web` – serve the public web entry (demo pages, widget, chat API) with uvicorn.

Listens on WEB_HOST:WEB_PORT (default 127.0.0.1:8080). Behind a reverse proxy, uvicorn trusts the
X-Forwarded-For header only from FORWARDED_ALLOW_IPS (default 127.0.0.1), so the per-IP rate limit
sees the real client address. In production (TRYGG_ENV=production) SESSION_SECRET,
FORWARDED_ALLOW_IPS and RATE_LIMIT_STORAGE_URL must be set, or it stops with a clear message.
"""
from __future__ import annotations

import logging
import sys

import uvicorn

from trygg.settings import get_settings, require_production_settings

PRODUCTION_SETTINGS = ("SESSION_SECRET", "FORWARDED_ALLOW_IPS", "RATE_LIMIT_STORAGE_URL")

from .app import create_app  # noqa: E402  (after the production check above)


def main() -> int:
    require_production_settings(PRODUCTION_SETTINGS)
    settings = get_settings()
    level = getattr(logging, settings.log_level.upper(), logging.INFO)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(settings)
    logging.getLogger(__name__).info("web entry on http://%s:%s (Rasa: %s)", settings.web_host, settings.web_port,
                                     ", ".join(settings.rasa_urls))
    uvicorn.run(app, host=settings.web_host, port=settings.web_port, proxy_headers=True,
                forwarded_allow_ips=settings.forwarded_allow_ips,
                server_header=False, ws="none", log_level=logging.getLevelName(level).lower())
    return 0


if __name__ == "__main__":
    sys.exit(main())
