"""action_offer_hand: after a content answer, suggest a hand and prøvehandlinger to save."""
from __future__ import annotations

import json
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation_language import language_of
from actions.hand_suggestion import hand_offer


class ActionOfferHand(Action):
    def name(self) -> Text:
        return "action_offer_hand"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        topic = (tracker.latest_message.get("intent") or {}).get("name")
        language = language_of(tracker)
        offer = hand_offer(topic, language) if topic else None
        if offer is None:
            return [SlotSet("offered_actions", None)]
        dispatcher.utter_message(text=offer.message(language), buttons=offer.buttons(language))
        offered = [{"topic": offer.topic, "hand": s.hand if offer.hand != "both" else "both", "text": s.text}
                   for s in offer.suggestions]
        return [SlotSet("offered_actions", json.dumps(offered, ensure_ascii=False))]
