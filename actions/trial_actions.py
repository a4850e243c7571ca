"""Save, list, evaluate and delete prøvehandlinger – Rasa glue around trygg.store.queries.

The user knows a prøvehandling by its own number («nr. 2», the row's `user_number`: 1, 2, 3 … per
user). That number is what the texts show and what the buttons send (slot `trial_action_number`);
it is looked up among this user's rows only. The database id stays inside the action server – it
comes in only from buttons sent before the per-user numbers (slot `trial_action_id`), and is then
looked up among this user's own rows too."""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import DBAPIError

from actions.conversation_language import language_of
from trygg.store import queries
from actions.trial_action_texts import OUTCOME, listing, outcome_buttons, parse_outcome, say
from actions.user_store import in_store, user_key
from trygg.buttons import button
from trygg.settings import get_settings

CLEAR = [SlotSet("trial_action_number", None), SlotSet("trial_action_id", None), SlotSet("outcome", None),
         SlotSet("suggestion_index", None)]
SAME_SAVE_WITHIN_SECONDS = 600  # a second "save" of the same action this soon is the same save
MAX_INT = 2_147_483_647  # larger typed numbers name no row (and would not fit the column)


def _int(value: Any) -> Optional[int]:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _named_action(session, key: str, tracker: Tracker):
    """(named, the user's prøvehandling the message names or None): by the user's number, or by
    the database id of a button sent before the per-user numbers – both among this user's rows only."""
    number = _int(tracker.get_slot("trial_action_number"))
    if number is not None:
        return True, queries.get_trial_action_by_number(session, key, number)
    legacy_id = _int(tracker.get_slot("trial_action_id"))
    if legacy_id is not None:
        return True, queries.get_trial_action(session, key, legacy_id) if 0 < legacy_id <= MAX_INT else None
    return False, None


def _chosen_action(session, key: str, tracker: Tracker, status: Optional[str] = None):
    """The user's prøvehandling the message names (see `_named_action`), else this user's latest
    open one (with `status`: the latest with that status); None when there is none."""
    named, action = _named_action(session, key, tracker)
    if named:
        return action
    candidates = [a for a in queries.list_trial_actions(session, key, status=status) if a.status != "evaluated"]
    return candidates[0] if candidates else None


class ActionSaveTrialAction(Action):
    def name(self) -> Text:
        return "action_save_trial_action"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        language = language_of(tracker)
        offered = json.loads(tracker.get_slot("offered_actions") or "[]")
        index = _int(tracker.get_slot("suggestion_index")) or 1
        if not offered or not 1 <= index <= len(offered):
            dispatcher.utter_message(text=say(language, "nothing_offered"))
            return CLEAR
        chosen = offered[index - 1]
        days = get_settings().followup_delay_days
        key = user_key(tracker)

        def save(session) -> int:
            return queries.save_trial_action(session, key, hand=chosen["hand"], action_text=chosen["text"],
                                             topic=chosen.get("topic"), situation=chosen.get("situation"),
                                             followup_delay_days=days,
                                             same_within_seconds=SAME_SAVE_WITHIN_SECONDS).user_number

        try:
            number = await in_store(save, retry=True)
        except DBAPIError:  # the database stayed unreachable: say so, keep the offer to try again
            dispatcher.utter_message(text=say(language, "save_failed"), buttons=[
                button(say(language, "try_again"), "trial_action_save", suggestion_index=index)])
            return [SlotSet("suggestion_index", None)]
        dispatcher.utter_message(text=say(language, "saved", number=number, text=chosen["text"], days=f"{days:g}"))
        return CLEAR


class ActionListTrialActions(Action):
    def name(self) -> Text:
        return "action_list_trial_actions"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        language = language_of(tracker)
        key = user_key(tracker)
        actions = await in_store(lambda session: queries.list_trial_actions(session, key))
        if not actions:
            dispatcher.utter_message(text=say(language, "empty"))
            return []
        buttons = []
        for action in actions[:5]:  # planned → tried → evaluated
            number = action.user_number
            if action.status == "planned":
                buttons.append(button(say(language, "mark_tried", number=number), "trial_action_tried",
                                      trial_action_number=number))
            elif action.status == "tried":
                buttons.append(button(say(language, "evaluate", number=number), "trial_action_evaluate",
                                      trial_action_number=number))
            buttons.append(button(say(language, "delete", number=number), "trial_action_delete",
                                  trial_action_number=number))
        dispatcher.utter_message(text=listing(language, actions), buttons=buttons)
        return []


class ActionEvaluateTrialAction(Action):
    def name(self) -> Text:
        return "action_evaluate_trial_action"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        language = language_of(tracker)
        outcome = tracker.get_slot("outcome") or parse_outcome(tracker.latest_message.get("text") or "")
        key = user_key(tracker)

        def evaluate(session):
            action = _chosen_action(session, key, tracker)  # "det hjalp" without a number: the latest open one
            if action is not None and outcome in ("helped", "partly", "not_helped"):
                queries.evaluate(session, key, action.id, outcome)
            return action

        action = await in_store(evaluate)
        if action is None:
            dispatcher.utter_message(text=say(language, "not_found"))
            return CLEAR
        if outcome not in ("helped", "partly", "not_helped"):
            dispatcher.utter_message(text=say(language, "how_did_it_go", text=action.action_text),
                                     buttons=outcome_buttons(language, action.user_number))
            return CLEAR
        dispatcher.utter_message(text=say(language, "evaluated", outcome=OUTCOME[language][outcome]))
        return CLEAR


class ActionMarkTried(Action):
    """"Jeg har prøvd det": the given (or the latest planned) prøvehandling is now tried; how did it go?"""

    def name(self) -> Text:
        return "action_mark_tried"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        language = language_of(tracker)
        key = user_key(tracker)

        def mark_tried(session):
            action = _chosen_action(session, key, tracker, status="planned")
            if action is None or action.status == "evaluated":
                return None
            queries.mark_tried(session, key, action.id)
            return action

        action = await in_store(mark_tried)
        if action is None:
            dispatcher.utter_message(text=say(language, "not_found"))
            return CLEAR
        dispatcher.utter_message(text=say(language, "marked_tried", text=action.action_text),
                                 buttons=outcome_buttons(language, action.user_number))
        return CLEAR


class ActionDeleteTrialAction(Action):
    def name(self) -> Text:
        return "action_delete_trial_action"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        language = language_of(tracker)
        key = user_key(tracker)

        def delete(session) -> bool:
            _, action = _named_action(session, key, tracker)  # this user's rows only; no number: nothing
            return action is not None and queries.delete_trial_action(session, key, action.id)

        deleted = await in_store(delete)
        dispatcher.utter_message(text=say(language, "deleted" if deleted else "not_found"))
        return CLEAR
