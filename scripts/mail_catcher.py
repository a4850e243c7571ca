"""A local SMTP server for `make run` (Procfile: mailcatcher): every mail the bot sends is written
to var/mail/<time>-<n>.eml, so a newcomer sees the mail as a file without configuring SMTP.

Listens on SMTP_HOST:SMTP_PORT (default 127.0.0.1:8025, what the settings use in development).
Development only: aiosmtpd is a dev tool (requirements-dev.lock); production points SMTP_HOST at
the municipality's server (docs/leader.md).
"""
from __future__ import annotations

import itertools
import sys
import time
from pathlib import Path

from aiosmtpd.controller import Controller

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from trygg.settings import get_settings  # noqa: E402


class FileHandler:
    def __init__(self, folder: Path):
        self.folder = folder
        self.counter = itertools.count(1)

    async def handle_DATA(self, server, session, envelope) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{next(self.counter)}.eml"
        path.write_bytes(envelope.original_content or envelope.content)
        print(f"mail catcher: a mail to {len(envelope.rcpt_tos)} recipient(s) written to {path}", flush=True)
        return "250 Message accepted for delivery"


def main() -> int:
    settings = get_settings()
    folder = settings.var_dir / "mail"
    controller = Controller(FileHandler(folder), hostname=settings.smtp_host, port=settings.smtp_port)
    controller.start()
    print(f"mail catcher on {settings.smtp_host}:{settings.smtp_port}, mails go to {folder}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
