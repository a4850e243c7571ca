"""action_crisis: the emergency answer, first and alone; stops any form that is running."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation_language import language_of
from actions.crisis_message import crisis_message


class ActionCrisis(Action):
    def name(self) -> Text:
        return "action_crisis"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        kind = (tracker.latest_message.get("crisis_safety_net") or {}).get("kind")
        dispatcher.utter_message(text=crisis_message(language_of(tracker), kind))
        # Whatever was going on (a reflection, a question) stops here.
        return [ActiveLoop(None), SlotSet("requested_slot", None)]
