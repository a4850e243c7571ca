"""action_situation_hand: a user describes a situation; at most two short questions (what the
child shows, what it seeks), then the hand that fits and prøvehandlinger to save."""
from __future__ import annotations

import json
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation_language import language_of
from actions.hand_choice import DYSREGULATED, EMOTIONS, SEEKS, choose_hand, parse_emotion, parse_seeks
from actions.situation_advice import (EMOTION_BUTTONS, QUESTIONS, SEEKS_BUTTONS, advice_text,
                                      comfort_tried_without_effect, mentions_conflict, offer_for)
from trygg.buttons import button


class ActionSituationHand(Action):
    def name(self) -> Text:
        return "action_situation_hand"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        language = language_of(tracker)
        text = tracker.latest_message.get("text") or ""
        story = tracker.get_slot("situation_text") or ""
        if not text.startswith("/"):
            story = (story + " " + text).strip()[-1000:]
        emotion = tracker.get_slot("emotion") or parse_emotion(story, language)
        seeks = tracker.get_slot("seeks") or parse_seeks(story, language)
        emotion = emotion if emotion in EMOTIONS else None
        seeks = seeks if seeks in SEEKS else None
        asked = int(tracker.get_slot("situation_questions") or 0)
        conflict, comfort_failed = mentions_conflict(story), comfort_tried_without_effect(story)
        keep = [SlotSet("situation_text", story), SlotSet("emotion", emotion), SlotSet("seeks", seeks)]

        if not (conflict or comfort_failed) and asked < 2:
            if emotion is None:
                dispatcher.utter_message(text=QUESTIONS[language]["emotion"], buttons=[
                    button(t, "describe_situation", emotion=v) for t, v in EMOTION_BUTTONS[language]])
                return keep + [SlotSet("situation_questions", asked + 1)]
            if seeks is None and emotion not in DYSREGULATED:
                dispatcher.utter_message(text=QUESTIONS[language]["seeks"], buttons=[
                    button(t, "describe_situation", seeks=v) for t, v in SEEKS_BUTTONS[language]])
                return keep + [SlotSet("situation_questions", asked + 1)]

        choice = choose_hand(emotion, seeks, conflict=conflict, comfort_tried_without_effect=comfort_failed)
        offer = offer_for(choice, language)
        buttons = offer.buttons(language) if offer else []
        dispatcher.utter_message(text=advice_text(choice, language, offer), buttons=buttons)
        offered = ([{"topic": None, "hand": s.hand, "text": s.text, "situation": story} for s in offer.suggestions]
                   if offer else [])
        return [SlotSet("offered_actions", json.dumps(offered, ensure_ascii=False) if offered else None),
                SlotSet("situation_text", None), SlotSet("emotion", None), SlotSet("seeks", None),
                SlotSet("situation_questions", None)]
