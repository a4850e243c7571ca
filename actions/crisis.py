"""The crisis actions. Danger comes first: the full answer stops whatever is going on (a reflection, the
situation questions, a follow-up); the safety question only pauses a reflection.

* `action_crisis` – the *sure* tier, and «ja» to the safety question: the full help-line answer,
  first and alone.
* `action_crisis_check` – the *possible* tier: a short safety line with the numbers and
  «Er noen i fare akkurat nå?» [Ja] [Nei]. Not where the reflection has just asked for a planned
  prøvehandling and the crisis decision says `everyday_care` (only the detector saw danger, and the
  care-aware detector sees none; bot/nlu/crisis_decision.py): there the message is the answer and the
  reflection goes on (issue 10).
* `action_answer_after_all` – «nei»: the user's original message is played again with the topic
  the classifier saw in it, so the rules give the normal answer to it.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation_language import language_of
from actions.crisis_message import crisis_check, crisis_message
from actions.reflection import answer_after_all
from actions.replay import replay_message

POSSIBLE_INTENT = "crisis_possible"
# The steps where the bot asks the user to type a planned action (a prøvehandling): (form, slot).
ACTION_STEPS = frozenset({("reflection_form", "refl_action")})
STOP_FORMS = [ActiveLoop(None), SlotSet("requested_slot", None)]


def latest_crisis_message(tracker: Tracker) -> Optional[Dict[Text, Any]]:
    """The parse data of the user's latest message in which danger was seen (sure or possible)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user" and (event.get("parse_data") or {}).get("crisis"):
            return event["parse_data"]
    return None


class ActionCrisis(Action):
    def name(self) -> Text:
        return "action_crisis"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        seen = latest_crisis_message(tracker) or {}
        kind = (seen.get("crisis") or {}).get("kind")
        dispatcher.utter_message(text=crisis_message(language_of(tracker), kind))
        return list(STOP_FORMS)


def spared_at_action_step(parse_data: Optional[Dict[Text, Any]], form: Optional[str], slot: Optional[str]) -> bool:
    """The safety question is not asked: the bot has just asked for a planned action, and only the
    detector saw (possible) danger, which the care-aware detector takes for everyday care. A pattern,
    the sure tier and the topic classifier's crisis guess never get here (no `everyday_care`)."""
    crisis = (parse_data or {}).get("crisis") or {}
    return ((form, slot) in ACTION_STEPS and crisis.get("tier") == "possible" and crisis.get("by") == "detector"
            and crisis.get("everyday_care") is True)


class ActionCrisisCheck(Action):
    def name(self) -> Text:
        return "action_crisis_check"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        latest, form, slot = tracker.latest_message, tracker.active_loop.get("name"), tracker.get_slot("requested_slot")
        if spared_at_action_step(latest, form, slot):
            # The planned action answers its step, and the form goes on (to the referat at step 5).
            events = await answer_after_all(slot, as_topic(latest, topic_of(latest)), dispatcher, tracker, domain)
            return events + [FollowupAction(form)]
        text, buttons = crisis_check(language_of(tracker))
        dispatcher.utter_message(text=text, buttons=buttons)
        return []  # a running reflection waits: «nei» lets the message answer its question


def topic_of(parse_data: Dict[Text, Any]) -> Optional[Dict[Text, Any]]:
    """The classifier's best guess behind the crisis_possible intent (None if it had none)."""
    ranking = [r for r in parse_data.get("intent_ranking") or [] if r.get("name") != POSSIBLE_INTENT]
    return ranking[0] if ranking else None


def as_topic(original: Dict[Text, Any], topic: Optional[Dict[Text, Any]]) -> Dict[Text, Any]:
    """The message's parse data with the classifier's topic as its intent (instead of crisis_possible)."""
    ranking = [r for r in original.get("intent_ranking") or [] if r.get("name") != POSSIBLE_INTENT]
    return {"text": original.get("text"), "intent": topic or {}, "entities": original.get("entities") or [],
            "intent_ranking": ranking}


class ActionAnswerAfterAll(Action):
    def name(self) -> Text:
        return "action_answer_after_all"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        original = latest_crisis_message(tracker)
        asked = tracker.get_slot("requested_slot")
        topic = topic_of(original) if original else None
        if tracker.active_loop.get("name") and asked and original is not None:
            # Inside the reflection the message answers its question – or, when it was a question
            # the classifier is sure of, gets its answer; the form goes on at the same step
            # (data/rules/reflection.yml runs it next).
            return await answer_after_all(asked, as_topic(original, topic), dispatcher, tracker, domain)
        if original is None or topic is None:
            dispatcher.utter_message(response="utter_crisis_ruled_out")
            return []
        return replay_message(as_topic(original, topic), tracker.get_latest_input_channel())
