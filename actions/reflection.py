"""The guided reflection "Små børns stemmer": validation of each answer (reflection_form), questions
asked inside it (answered, then the same step again), and the referat at the end, saved with its
prøvehandling.

Inside the form a message is either the answer to the step or – when it is a question the topic
classifier is sure of (`asks_a_question`, words and threshold in content/reflection.yml) – a
question to answer: the domain keeps the answerable intents out of the free-text mapping, so such a
message fills nothing, the form rejects it and the rule «a question inside the reflection»
(data/rules/reflection.yml) runs `action_answer_inside_form` and the form again. A message of
those intents that is not such a question (a statement taken for a topic) is taken back as the
answer by the `extract_refl_*` methods below."""
from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Dict, FrozenSet, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.catalogue import topics
from actions.conversation_language import language_of
from actions.privacy import ActionPrivacy
from actions.referat import format_referat, referat_filename
from actions.themes import ActionShowTheme
from trygg.store import queries
from actions.user_store import in_store, user_key
from trygg.content import load
from trygg.text import fold, fold_words, has_words
from trygg.settings import get_settings

MAX_ANSWER_CHARS = 1000
SLOTS = ("refl_situation", "refl_adult", "refl_child", "refl_hand", "refl_action")
# Answers that are a custom action rather than a response `utter_<intent>`.
ANSWER_ACTIONS = {"privacy": ActionPrivacy, "help_theme": ActionShowTheme}


def _settings() -> Dict[str, Any]:
    return load("reflection.yml")


def answered_intents() -> FrozenSet[str]:
    """The intents a question inside the reflection is answered for: the content topics and
    `questions.also_answered` (content/reflection.yml)."""
    return frozenset(topics()) | frozenset(_settings()["questions"]["also_answered"])


@lru_cache(maxsize=None)
def _folded_words(key: str) -> FrozenSet[str]:
    lists = _settings()["questions"][key]
    words = [w for ws in lists.values() for w in ws] if isinstance(lists, dict) else lists
    return frozenset(fold_words(word) for word in words)


def is_question(text: str) -> bool:
    """Ends with «?», starts with a question word or with a verb not followed by a negation
    (content/reflection.yml), or is a button's payload."""
    text = (text or "").strip()
    if text.startswith("/") or text.rstrip(" .!)»\"'").endswith("?"):
        return True
    words = fold_words(text).split()
    if not words:
        return False
    if words[0] in _folded_words("words"):
        return True
    return (words[0] in _folded_words("verbs")
            and not (len(words) > 1 and words[1] in _folded_words("not_after_verb")))


def min_confidence(slot: Optional[str] = None) -> float:
    questions = _settings()["questions"]
    return float((questions.get("min_confidence_at") or {}).get(slot, questions["min_confidence"]))


def asks_a_question(parse_data: Dict[Text, Any], slot: Optional[str] = None) -> bool:
    """True when a message inside the reflection (at the step asking for `slot`) is a question to
    answer, not the step's answer: a question (`is_question`) whose intent is answerable and the
    classifier is sure of."""
    intent = parse_data.get("intent") or {}
    return (intent.get("name") in answered_intents()
            and float(intent.get("confidence") or 0.0) >= min_confidence(slot)
            and is_question(parse_data.get("text") or ""))


@lru_cache(maxsize=1)
def _hand_words() -> Dict[str, tuple]:
    return {hand: tuple(fold_words(w) for w in words) for hand, words in _settings()["hand_words"].items()}


def hand_by_source_words(text: str) -> Optional[str]:
    """'Jeg tager ham på skødet og trøster ham' → big; 'han skal mestre det selv' → small; words
    of both hands or of neither → None (content/reflection.yml, `hand_words`)."""
    words = fold_words(text).split()
    found = {hand for hand, stems in _hand_words().items()
             if any(word.startswith(stem) for word in words for stem in stems)}
    return found.pop() if len(found) == 1 else None


def parse_hand(text: str) -> Optional[str]:
    """'den store hånden' → big, 'lille' → small, 'begge'/'først store så lille' → both; an answer
    that names no hand: by the source's words for each hand (`hand_by_source_words`)."""
    folded = fold(text)
    big, small = "store" in folded or "stor " in folded, "lille" in folded or "lile" in folded
    if "begge" in folded or (big and small):
        return "both"
    if big:
        return "big"
    if small:
        return "small"
    return hand_by_source_words(text)


def valid_answer(value: Any) -> Optional[str]:
    text = str(value or "").strip()
    return text if has_words(text) and len(text) <= MAX_ANSWER_CHARS else None


def taken_as_answer(slot: str, tracker: Tracker) -> Dict[Text, Any]:
    """A message of an answerable intent (kept out of the free-text mapping) that is not a question
    to answer is the answer to the step after all: {slot: text}; else {}."""
    if tracker.get_slot("requested_slot") != slot:
        return {}
    latest = tracker.latest_message or {}
    if (latest.get("intent") or {}).get("name") not in answered_intents() or asks_a_question(latest, slot):
        return {}
    return {slot: latest.get("text")}


class ValidateReflectionForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_reflection_form"

    # ---- extraction: statements taken for a topic are the answer (see the module docstring) ----
    def extract_refl_situation(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        return taken_as_answer("refl_situation", tracker)

    def extract_refl_adult(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        return taken_as_answer("refl_adult", tracker)

    def extract_refl_child(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        return taken_as_answer("refl_child", tracker)

    def extract_refl_hand(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        return taken_as_answer("refl_hand", tracker)

    def extract_refl_action(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        return taken_as_answer("refl_action", tracker)

    # ---- validation ----

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


def hand_not_understood(tracker: Tracker) -> bool:
    """The user's latest message was an answer to step 4 that named no hand (validation set
    refl_hand to None after it, and already asked again kindly)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "slot" and event.get("name") == "refl_hand" and event.get("value") is None:
            return True
    return False


class ActionAskReflHand(Action):
    """Step 4/5. After an answer that named no hand, the kind re-ask with the two hands
    (utter_reflection_hand_invalid, from the validation) stands in for the question."""

    def name(self) -> Text:
        return "action_ask_refl_hand"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        if not hand_not_understood(tracker):
            dispatcher.utter_message(response="utter_ask_refl_hand")
        return []


async def answer_question(parse_data: Dict[Text, Any], dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: Dict[Text, Any]) -> None:
    """The answer to a question asked inside the reflection – the topic's answer, without the hand
    offer (the reflection asks for the hand itself)."""
    intent = (parse_data.get("intent") or {}).get("name")
    if intent in ANSWER_ACTIONS:
        await ANSWER_ACTIONS[intent]().run(dispatcher, tracker, domain)
    elif intent in answered_intents():
        dispatcher.utter_message(response=f"utter_{intent}")


async def answer_after_all(slot: str, parse_data: Dict[Text, Any], dispatcher: CollectingDispatcher,
                           tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
    """«Nei» to the safety question inside the reflection (`parse_data`: the message with the topic
    the classifier saw in it): a question gets its answer and the step is asked again; anything
    else answers the step – at step 4 only when it names a hand (else the kind re-ask)."""
    if asks_a_question(parse_data, slot):
        await answer_question(parse_data, dispatcher, tracker, domain)
        return []
    text = parse_data.get("text")
    if slot == "refl_hand":
        text = ValidateReflectionForm().validate_refl_hand(text, dispatcher, tracker, domain)["refl_hand"]
    return [SlotSet(slot, text)]


class ActionAnswerInsideForm(Action):
    """A question inside the reflection: its answer; the rule then runs the form, which asks the
    same step again."""

    def name(self) -> Text:
        return "action_answer_inside_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        await answer_question(tracker.latest_message or {}, dispatcher, tracker, domain)
        return []


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
