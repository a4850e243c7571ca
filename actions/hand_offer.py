"""action_offer_hand: after a content answer, suggest a hand and prøvehandlinger to save – or,
the first time an answer is written per audience and the bot does not know who is asking, ask
that instead (actions/audience.py gives the answer again, for them, with this offer)."""
from __future__ import annotations

import json
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation_language import language_of
from actions.domain_responses import written_per_audience
from actions.hand_suggestion import hand_offer


def offer_hand(dispatcher: CollectingDispatcher, tracker: Tracker, topic: Text) -> List[Dict[Text, Any]]:
    """The hand and prøvehandlinger of `topic` (if it has a hand); the events that remember them."""
    language = language_of(tracker)
    offer = hand_offer(topic, language) if topic else None
    if offer is None:
        return [SlotSet("offered_actions", None)]
    dispatcher.utter_message(text=offer.message(language), buttons=offer.buttons(language))
    offered = [{"topic": offer.topic, "hand": s.hand if offer.hand != "both" else "both", "text": s.text}
               for s in offer.suggestions]
    return [SlotSet("offered_actions", json.dumps(offered, ensure_ascii=False))]


def should_ask_audience(tracker: Tracker, topic: Text) -> bool:
    """Unknown audience, not asked yet, and this topic's answer is written per audience."""
    if tracker.get_slot("audience") is not None or tracker.get_slot("audience_asked"):
        return False
    return f"utter_{topic}" in written_per_audience()


class ActionOfferHand(Action):
    def name(self) -> Text:
        return "action_offer_hand"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        topic = (tracker.latest_message.get("intent") or {}).get("name")
        if topic and should_ask_audience(tracker, topic):
            dispatcher.utter_message(response="utter_ask_audience")
            return [SlotSet("audience_asked", True), SlotSet("audience_topic", topic),
                    SlotSet("offered_actions", None)]
        return offer_hand(dispatcher, tracker, topic)
