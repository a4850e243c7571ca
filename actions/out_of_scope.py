"""action_out_of_scope: an honest "I don't know that" and where to ask (WHERE_TO_ASK_NB/DA of the
deployment, else the default of content/out_of_scope.yml)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation_language import language_of
from trygg.content import load
from trygg.settings import get_settings

WHERE_TO_ASK = load("out_of_scope.yml")["where_to_ask"]  # {nb, da}


class ActionOutOfScope(Action):
    def name(self) -> Text:
        return "action_out_of_scope"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        language = language_of(tracker)
        where = get_settings().where_to_ask(language) or WHERE_TO_ASK[language]
        dispatcher.utter_message(response="utter_out_of_scope", where_to_ask=where)
        return []
