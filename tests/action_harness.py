"""Run a custom action as the action server would, without a server: a Tracker built in the test
and Rasa's CollectingDispatcher (the way RasaHQ's financial-demo tests its actions)."""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher


def user_event(text: str, intent: str, **parse_extra: Any) -> Dict[str, Any]:
    parse_data = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": [], **parse_extra}
    return {"event": "user", "text": text, "parse_data": parse_data}


def tracker(events: List[Dict[str, Any]], slots: Optional[Dict[str, Any]] = None, sender: str = "test-user") -> Tracker:
    latest = next((e["parse_data"] for e in reversed(events) if e.get("event") == "user"), {})
    return Tracker(sender, slots or {}, latest, events, False, None, {}, "action_listen")


def run_action(action: Action, events: List[Dict[str, Any]], slots: Optional[Dict[str, Any]] = None,
               sender: str = "test-user", domain: Optional[Dict[str, Any]] = None):
    """(the messages the action sent, the events it returned)."""
    dispatcher = CollectingDispatcher()
    returned = asyncio.run(action.run(dispatcher, tracker(events, slots, sender), domain or {}))
    return dispatcher.messages, returned


def slots_set(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The slots the returned events set, last value wins."""
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
