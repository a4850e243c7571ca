"""The follow-up "how did it go?" for a prøvehandling whose follow-up delay has passed.

* `due_followup_number(tracker)` – at session start: the user's number (nr. N, never the database
  id) of this user's oldest due, not yet asked prøvehandling, or None. `action_session_start`
  puts it in the slot `followup_due`.
* `action_ask_followup` – asks about it once (the store's `mark_followup_asked` is true only the
  first time, even when two instances race), with the three outcome buttons. Two ways in:
  - predicted by bot.policies.followup_first before the answer to the user's first message of a
    returning session: it then re-plays that message, so the answer follows;
  - the intent `followup`, which the Telegram follow-up job sends for users who do not come back.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.conversation_language import language_of
from actions.replay import replay_message
from trygg.store import queries
from actions.trial_action_texts import outcome_buttons, say
from actions.user_store import in_store, user_key

log = logging.getLogger(__name__)
DUE_SLOT = "followup_due"
FOLLOWUP_INTENT = "followup"


async def due_followup_number(tracker: Tracker) -> Optional[int]:
    """The user's number of their oldest due follow-up, or None (also when the store is down)."""
    key = user_key(tracker)

    def oldest_due(session) -> Optional[int]:
        due = queries.due_followups(session, key)
        return due[0].user_number if due else None

    try:
        return await in_store(oldest_due)
    except SQLAlchemyError as error:
        log.warning("could not look up due follow-ups: %s", type(error).__name__)
        return None


def _replay_latest_message(tracker: Tracker) -> List[Dict[Text, Any]]:
    """Put the user's message back after our question, so the rules answer it as usual."""
    latest = tracker.latest_message or {}
    parse_data = {key: latest.get(key) for key in ("intent", "entities", "intent_ranking", "text")
                  if latest.get(key) is not None}
    return replay_message(parse_data, tracker.get_latest_input_channel())


class ActionAskFollowup(Action):
    def name(self) -> Text:
        return "action_ask_followup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        language = language_of(tracker)
        pushed = (tracker.latest_message.get("intent") or {}).get("name") == FOLLOWUP_INTENT
        events: List[Dict[Text, Any]] = [SlotSet(DUE_SLOT, None)]
        key, wanted = user_key(tracker), str(tracker.get_slot(DUE_SLOT) or "")

        def claim(session):
            """The follow-up to ask now (the one in the slot, else the oldest due), if still unasked."""
            due = queries.due_followups(session, key)
            action = next((a for a in due if str(a.user_number) == wanted), due[0] if due else None)
            return action if action is not None and queries.mark_followup_asked(session, action.id) else None

        try:
            action = await in_store(claim)
        except SQLAlchemyError as error:  # the question can wait for the next visit
            log.warning("could not ask a follow-up: %s", type(error).__name__)
            action = None
        if action is not None:
            days = max(1, (datetime.now(timezone.utc) - action.created_at).days)
            dispatcher.utter_message(text=say(language, "followup", days=days, text=action.action_text),
                                     buttons=outcome_buttons(language, action.user_number))
            if not pushed:
                dispatcher.utter_message(text=say(language, "followup_then"))
        return events if pushed else events + _replay_latest_message(tracker)
