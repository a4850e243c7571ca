"""A real SMTP server for the tests: aiosmtpd on a free 127.0.0.1 port, in a thread. It keeps
every mail it received (parsed), can be stopped (a refused connection, like a server that is
down) and started again on the same port."""
from __future__ import annotations

import email
import threading
import time
from email.message import EmailMessage
from email.policy import default
from typing import List

import pytest
from aiosmtpd.controller import Controller

from tests.stack import free_port


class _Collect:
    def __init__(self, box: "SmtpServer"):
        self.box = box

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=default)
        with self.box.lock:
            self.box.received.append(message)
            self.box.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


class SmtpServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.received: List[EmailMessage] = []
        self.envelopes: List[tuple] = []
        self.lock = threading.Lock()
        self.controller = None

    def start(self) -> "SmtpServer":
        self.controller = Controller(_Collect(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def env(self) -> dict:
        return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(self.port), "SMTP_TLS": "none",
                "SMTP_TIMEOUT_SECONDS": "5"}

    def to(self, address: str) -> List[EmailMessage]:
        with self.lock:
            return [m for m in self.received if m["To"] == address]

    def wait_for(self, address: str, count: int = 1, timeout: float = 20.0) -> List[EmailMessage]:
        deadline = time.time() + timeout
        while time.time() < deadline:
            found = self.to(address)
            if len(found) >= count:
                return found
            time.sleep(0.1)
        raise AssertionError(f"{count} mail(s) to {address} did not arrive in {timeout} s (got {len(self.to(address))})")


@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd) on a free local port for one test; read what it received."""
    server = SmtpServer().start()
    yield server
    server.stop()
