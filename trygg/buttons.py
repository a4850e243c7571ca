"""Button payloads, built in one place: `/intent` or `/intent{"entity":"value"}` – compact JSON,
values as strings – exactly what bot.payloads' allow-list accepts (tests/test_payloads.py)."""
from __future__ import annotations

import json
from typing import Any, Dict


def payload(intent: str, **entities: Any) -> str:
    """`payload("trial_action_save", suggestion_index=2)` → '/trial_action_save{"suggestion_index":"2"}'."""
    if not entities:
        return "/" + intent
    return "/" + intent + json.dumps({k: str(v) for k, v in entities.items()}, ensure_ascii=False,
                                     separators=(",", ":"))


def button(title: str, intent: str, **entities: Any) -> Dict[str, str]:
    """A button for the dispatcher: its title and the payload of `intent` with `entities`."""
    return {"title": title, "payload": payload(intent, **entities)}
