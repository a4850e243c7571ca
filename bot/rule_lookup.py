"""Faster rule lookup inside Rasa 3.6's RulePolicy – same rules, same answer.

RulePolicy finds the applicable rules (`_get_possible_keys`) by walking back through every state
of the conversation; at each step it checks every remaining rule key (438 in our model) against
the conversation's state, parsing the key again each time. What a check decides depends only on
the rule's state at that step (or on the rule being shorter than the walk). So here:

* each rule key is parsed once, into its states last-first (`_reversed_states`);
* at each step a rule state shared by several rules (most are) is checked once;
* the walk stops once it is further back than the longest remaining rule (every rule left passes
  every further check) or when no rule is left (none can come back).

The set found is the one Rasa's own walk finds (`tests/test_rule_lookup.py` compares both on
random rules and conversations). Without this the lookup was ~12 % of a Rasa instance's CPU
(py-spy, docs/measurements.md).

Imported for its effect by the modules Rasa loads at start (bot.tracker_store, the policy), like
bot.action_response_validation.
"""
from __future__ import annotations

import json
from typing import Dict, List, Set, Text, Tuple

from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import PREVIOUS_ACTION
from rasa.shared.core.domain import State

original_get_possible_keys = RulePolicy._get_possible_keys

_parsed: Dict[Text, Tuple[Text, ...]] = {}   # rule key → its states, last first, as canonical JSON
_states: Dict[Text, State] = {}              # canonical JSON of a rule state → the state


def _reversed_states(rule_key: Text) -> Tuple[Text, ...]:
    states = _parsed.get(rule_key)
    if states is None:
        states = tuple(json.dumps(state, sort_keys=True) for state in reversed(json.loads(rule_key)))
        for text in states:
            _states.setdefault(text, json.loads(text))
        _parsed[rule_key] = states
    return states


def _state_applies(policy: RulePolicy, rule_state: State, conversation_state: State) -> bool:
    """RulePolicy._is_rule_applicable for a rule at least as long as the walk (same checks)."""
    current_previous_action = conversation_state.get(PREVIOUS_ACTION)
    rule_previous_action = rule_state.get(PREVIOUS_ACTION)
    if not rule_previous_action and not current_previous_action:
        return True
    if not rule_previous_action or not current_previous_action:
        return False
    return policy._does_rule_match_state(rule_state, conversation_state)


def _get_possible_keys(self: RulePolicy, lookup: Dict[Text, Text], states: List[State]) -> Set[Text]:
    possible_keys = set(lookup.keys())
    longest = max((len(_reversed_states(key)) for key in possible_keys), default=0)
    for i, state in enumerate(reversed(states)):
        if not possible_keys or i >= longest:
            break  # nothing left, or every rule left is shorter than the walk: the set stays as it is
        verdicts: Dict[Text, bool] = {}
        kept: Set[Text] = set()
        longest = 0
        for key in possible_keys:
            rule_states = _reversed_states(key)
            if i < len(rule_states):
                text = rule_states[i]
                verdict = verdicts.get(text)
                if verdict is None:
                    verdict = verdicts[text] = _state_applies(self, _states[text], state)
                if not verdict:
                    continue
            kept.add(key)
            longest = max(longest, len(rule_states))
        possible_keys = kept
    return possible_keys


RulePolicy._get_possible_keys = _get_possible_keys
