"""Privacy: what is stored and for how long (action_privacy), and deleting it all
(action_delete_my_data: every row of the user in our tables; the conversation itself is
removed from the tracker store by bot.tracker_store (ForgettingSQLTrackerStore) when it sees
this action)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation_language import language_of
from trygg.store import queries
from actions.user_store import in_store, user_key
from trygg.settings import get_settings


class ActionPrivacy(Action):
    def name(self) -> Text:
        return "action_privacy"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        settings = get_settings()
        dispatcher.utter_message(response="utter_privacy", retention_days=settings.retention_days,
                                 idle_minutes=f"{settings.widget_idle_minutes:g}")
        return []


class ActionDeleteMyData(Action):
    def name(self) -> Text:
        return "action_delete_my_data"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        language = language_of(tracker)
        key = user_key(tracker)
        await in_store(lambda session: queries.delete_user_data(session, key))
        dispatcher.utter_message(response="utter_data_deleted")
        return [AllSlotsReset(), SlotSet("language", language)]
