"""action_suggest_topics: when the bot is unsure, offer the likeliest topics as buttons."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation_language import language_of
from actions.topic_suggestions import likely_topics, topic_buttons


class ActionSuggestTopics(Action):
    def name(self) -> Text:
        return "action_suggest_topics"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        language = language_of(tracker)
        candidates = likely_topics(tracker.latest_message.get("intent_ranking") or [])
        if not candidates:
            dispatcher.utter_message(response="utter_none_of_these")
            return []
        dispatcher.utter_message(response="utter_fallback_intro", buttons=topic_buttons(candidates, language))
        return []
