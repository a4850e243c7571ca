"""The database retry (trygg.store.db.retrying, tenacity): a lost connection is tried again after
the pauses, a wrong statement is not, and after the last pause the error reaches the caller."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from trygg.store.db import RETRY_DELAYS_SECONDS, retrying

pytestmark = pytest.mark.asyncio


def _lost_connection() -> OperationalError:
    return OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))


class Flaky:
    """Fails with `error` the first `failures` times, then returns "saved"."""

    def __init__(self, failures: int, error=_lost_connection):
        self.failures, self.error, self.calls = failures, error, 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error()
        return "saved"


async def test_a_lost_connection_is_tried_again_and_the_work_done_once(caplog):
    caplog.set_level(logging.WARNING)
    call = Flaky(failures=2)
    assert await retrying(call, delays=(0.01, 0.01, 0.01)) == "saved"
    assert call.calls == 3
    warnings = [r.getMessage() for r in caplog.records if r.name == "trygg.store.db"]
    assert warnings == ["database unreachable (OperationalError); retrying in 0.0 s"] * 2


async def test_after_the_last_pause_the_error_reaches_the_caller():
    call = Flaky(failures=10)
    with pytest.raises(OperationalError):
        await retrying(call, delays=(0.01, 0.01))
    assert call.calls == 3, "once, then once after each pause"


async def test_a_wrong_statement_is_not_retried():
    call = Flaky(failures=1, error=lambda: IntegrityError("INSERT", {}, Exception("duplicate key")))
    with pytest.raises(IntegrityError):
        await retrying(call, delays=(0.01, 0.01))
    assert call.calls == 1


async def test_the_pauses_are_waited_in_order(monkeypatch):
    slept = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr("asyncio.sleep", fake_sleep)
    call = Flaky(failures=len(RETRY_DELAYS_SECONDS))
    assert await retrying(call) == "saved"
    assert slept == list(RETRY_DELAYS_SECONDS) and sum(slept) >= 15, "longer than a PostgreSQL restart"
