"""action_out_of_scope: an honest "I don't know that" and where to ask (deployment setting)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation_language import language_of
from trygg.settings import get_settings


class ActionOutOfScope(Action):
    def name(self) -> Text:
        return "action_out_of_scope"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        where = get_settings().where_to_ask(language_of(tracker))
        dispatcher.utter_message(response="utter_out_of_scope", where_to_ask=where)
        return []
