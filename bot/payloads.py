"""Which `/intent{entities}` messages may reach Rasa as intents – the one allow-list both channels use.

Rasa reads a message that starts with "/" as an intent name (plus entities as JSON) and skips the
NLU. Only two kinds of such messages are legitimate:

* `BUTTON_INTENTS` – exactly what the bot's own buttons send (domain/responses/*.yml and the
  custom actions in actions/), with the entity names each may carry, plus every content topic of
  content/topics.yml (the theme menus and "Mente du …?" send `/<topic id>`). tests/test_payloads.py
  checks this list against every button payload in the domain and the actions.
* `CHANNEL_INTENTS` – what the channels themselves send, never taken from a user's text: the
  Telegram commands (/start → greet …), the widget's "delete" endpoint and the Telegram follow-up job.

Everything else a user types is text. Pure: reads content/topics.yml once, no other I/O.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Dict, FrozenSet

from trygg.audiences import AUDIENCES
from trygg.content import load

# intent → the entity names its buttons carry (an empty tuple: the button sends no entities)
BUTTON_INTENTS: Dict[str, tuple] = {
    "affirm": (),
    "deny": (),
    "help": (),
    "privacy": (),
    "reflection_start": (),
    "trial_action_list": (),
    "help_theme": ("theme",),
    "describe_situation": ("emotion", "seeks"),
    "trial_action_save": ("suggestion_index",),
    # trial_action_number: the user's own number; trial_action_id: the database id on buttons sent
    # before the per-user numbers (still in chat histories; looked up among the user's own rows)
    "trial_action_tried": ("trial_action_number", "trial_action_id"),
    "trial_action_evaluate": ("trial_action_number", "trial_action_id", "outcome"),
    "trial_action_delete": ("trial_action_number", "trial_action_id"),
    # the referat to the leader (actions/leader_mail.py)
    "institution_choose": ("institution",),
    "referat_send": (),
    "referat_edit": (),
    "referat_dont_send": (),
    # the crisis follow-up question's buttons (crisis detector)
    "crisis_confirmed": (),
    "crisis_ruled_out": (),
    # «Er du fosterforelder, pedagog eller leder?» (domain/audience.yml)
    "audience_inform": ("audience",),
}

# Entities whose buttons send one of a few values: anything else is not a button of the bot's.
ENTITY_VALUES: Dict[str, FrozenSet[str]] = {"audience": frozenset(AUDIENCES)}

# Sent by the channels themselves (commands, delete endpoint, follow-up job), never from user text.
CHANNEL_INTENTS: FrozenSet[str] = frozenset({
    "greet", "help", "trial_action_list", "reflection_start", "privacy", "delete_my_data", "followup",
})


@lru_cache(maxsize=1)
def topic_intents() -> FrozenSet[str]:
    return frozenset(t["id"] for t in load("topics.yml")["content"])


@lru_cache(maxsize=1)
def payload_intents() -> Dict[str, FrozenSet[str]]:
    """Every intent a button may send → the entity names it may carry."""
    allowed = {intent: frozenset(entities) for intent, entities in BUTTON_INTENTS.items()}
    for topic in topic_intents():
        allowed.setdefault(topic, frozenset())
    return allowed
