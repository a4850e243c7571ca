"""action_session_start: seeds the `language` slot from the channel (Telegram language_code,
the widget's configured language) and the `audience` slot from the channel or page (Telegram:
fosterforelder; the widget's data-audience), carries both over into a new session, and notes a
due follow-up in `followup_due`, so "how did it go?" is asked first (bot.policies.followup_first)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.followup import DUE_SLOT, due_followup_number
from trygg.audiences import pick_audience
from trygg.settings import get_settings


class ActionSessionStart(Action):
    def name(self) -> Text:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        metadata = tracker.get_slot("session_started_metadata") or {}
        seeded = metadata.get("language") if isinstance(metadata, dict) else None
        previous = tracker.get_slot("language")
        language = next((code for code in (previous, seeded) if code in ("nb", "da")), None)
        if language is None:
            language = "da" if get_settings().default_language == "da" else "nb"
        audience = tracker.get_slot("audience") or pick_audience(metadata.get("audience")
                                                                 if isinstance(metadata, dict) else None)
        due = await due_followup_number(tracker)
        events: List[Dict[Text, Any]] = [SessionStarted(), SlotSet("language", language),
                                         SlotSet("audience", audience),
                                         SlotSet("audience_asked", bool(tracker.get_slot("audience_asked"))),
                                         SlotSet(DUE_SLOT, str(due) if due is not None else None)]
        events.append(ActionExecuted("action_listen"))
        return events
