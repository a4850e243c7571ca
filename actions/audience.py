"""Who is asking (domain/audience.yml): action_set_audience and action_answer_for_audience.

The slot `audience` is seeded by action_session_start from the channel; action_offer_hand asks
once («Er du fosterforelder, pedagog eller leder?») after the first answer written per audience
when it is still unknown, and remembers that topic in `audience_topic`; the user's choice then
gets that answer again, written for them, with the hand offer it would have had."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.domain_responses import responses
from actions.hand_offer import offer_hand
from trygg.audiences import audience_named_in, pick_audience


class ActionSetAudience(Action):
    """The slot is already filled from a button's or the writer's own words (domain/audience.yml);
    a message only about the role («fostermor her») is read here, «bytt rolle» asks."""

    def name(self) -> Text:
        return "action_set_audience"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        named = pick_audience(next(tracker.get_latest_entity_values("audience"), None))
        if named is None:
            named = audience_named_in(tracker.latest_message.get("text") or "", strict=False)
        if named is None:  # «bytt rolle», or a role the bot does not know: ask with the buttons
            dispatcher.utter_message(response="utter_ask_audience")
            return [SlotSet("audience_asked", True)]
        return [SlotSet("audience", named), SlotSet("audience_asked", True)]


class ActionAnswerForAudience(Action):
    """After the audience is set: confirm it and, if the bot asked right after an answer, give
    that answer again – now written for this user – and its hand offer."""

    def name(self) -> Text:
        return "action_answer_for_audience"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        if tracker.get_slot("audience") is None:
            return []
        dispatcher.utter_message(response="utter_audience_set")
        topic = tracker.get_slot("audience_topic")
        if not topic or f"utter_{topic}" not in responses():
            return [SlotSet("audience_topic", None)]
        dispatcher.utter_message(response=f"utter_{topic}")
        return [SlotSet("audience_topic", None)] + offer_hand(dispatcher, tracker, topic)
