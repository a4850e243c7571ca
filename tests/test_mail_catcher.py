"""`make run`'s mail catcher (scripts/mail_catcher.py, Procfile `mailcatcher`): a mail the bot sends
in development lands as a file in var/mail/, readable by a newcomer."""
from __future__ import annotations

import email
import importlib.util
import subprocess
import sys
import time
from datetime import datetime
from email.policy import default

from trygg.institutions import Institution
from trygg.mail import send, signin_mail
from trygg.settings import REPO_ROOT, get_settings

from tests.stack import free_port


def test_a_mail_sent_in_development_is_written_to_var_mail(tmp_path, monkeypatch):
    assert importlib.util.find_spec("aiosmtpd"), "aiosmtpd is in requirements-dev.lock"
    port = free_port()
    env = {"PATH": "/usr/bin:/bin", "TRYGG_VAR_DIR": str(tmp_path), "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port)}
    catcher = subprocess.Popen([sys.executable, str(REPO_ROOT / "scripts" / "mail_catcher.py")], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert "mail catcher on 127.0.0.1" in catcher.stdout.readline()
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        settings = get_settings()
        leader = Institution("solsikken", "Børnehuset Solsikken", "leder.solsikken@example.dk", "da")
        send(settings, leader.leader_email, signin_mail(settings, leader, link="http://x/leder/login?t=abc",
                                                        when=datetime(2026, 12, 7)).as_string())
        deadline = time.time() + 10
        while not list((tmp_path / "mail").glob("*.eml")) and time.time() < deadline:
            time.sleep(0.1)
        [path] = list((tmp_path / "mail").glob("*.eml"))
        mail = email.message_from_bytes(path.read_bytes(), policy=default)
        assert mail["To"] == "leder.solsikken@example.dk"
        assert "http://x/leder/login?t=abc" in mail.get_body(preferencelist=("plain",)).get_content()
    finally:
        catcher.terminate()
        catcher.wait(timeout=10)
