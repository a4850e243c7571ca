"""The guided reflection "Små børns stemmer": validation of each answer (reflection_form) and
the referat at the end, saved with its prøvehandling."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation_language import language_of
from actions.referat import format_referat, referat_filename
from trygg.store import queries
from actions.user_store import in_store, user_key
from trygg.text import fold, has_words
from trygg.settings import get_settings

MAX_ANSWER_CHARS = 1000
SLOTS = ("refl_situation", "refl_adult", "refl_child", "refl_hand", "refl_action")


def parse_hand(text: str) -> Optional[str]:
    """'den store hånden' → big, 'lille' → small, 'begge'/'først store så lille' → both."""
    folded = fold(text)
    big, small = "store" in folded or "stor " in folded, "lille" in folded or "lile" in folded
    if "begge" in folded or (big and small):
        return "both"
    if big:
        return "big"
    if small:
        return "small"
    return None


def valid_answer(value: Any) -> Optional[str]:
    text = str(value or "").strip()
    return text if has_words(text) and len(text) <= MAX_ANSWER_CHARS else None


class ValidateReflectionForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_reflection_form"

    def _free_text(self, slot: str, value: Any, dispatcher: CollectingDispatcher) -> Dict[Text, Any]:
        text = valid_answer(value)
        if text is None:
            dispatcher.utter_message(response="utter_reflection_answer_invalid", max_chars=MAX_ANSWER_CHARS)
        return {slot: text}

    def validate_refl_situation(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict):
        return self._free_text("refl_situation", value, dispatcher)

    def validate_refl_adult(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        return self._free_text("refl_adult", value, dispatcher)

    def validate_refl_child(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        return self._free_text("refl_child", value, dispatcher)

    def validate_refl_action(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        return self._free_text("refl_action", value, dispatcher)

    def validate_refl_hand(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        hand = parse_hand(str(value or ""))
        if hand is None:
            dispatcher.utter_message(response="utter_reflection_hand_invalid")
        return {"refl_hand": hand}


class ActionReflectionReferat(Action):
    def name(self) -> Text:
        return "action_reflection_referat"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        language = language_of(tracker)
        now = datetime.now(timezone.utc)
        values = {slot: tracker.get_slot(slot) for slot in SLOTS}
        key, delay_days = user_key(tracker), get_settings().followup_delay_days

        def save(session) -> Dict[str, Any]:
            action = queries.save_trial_action(
                session, key, hand=values["refl_hand"] or "both", action_text=values["refl_action"] or "-",
                situation=values["refl_situation"], followup_delay_days=delay_days, now=now)
            saved = queries.save_reflection(
                session, key, situation=values["refl_situation"], adult_perspective=values["refl_adult"],
                child_perspective=values["refl_child"], hand=values["refl_hand"], trial_action_id=action.id, now=now)
            return {"situation": saved.situation, "adult_perspective": saved.adult_perspective,
                    "child_perspective": saved.child_perspective, "hand": saved.hand,
                    "trial_action": action.action_text, "created_at": now}

        reflection = await in_store(save)
        text = format_referat(reflection, language)
        dispatcher.utter_message(text=text, json_message={
            "type": "referat", "filename": referat_filename(now, language), "text": text})
        return [SlotSet(slot, None) for slot in SLOTS]
