"""Faster rule lookup inside Rasa 3.6's RulePolicy – same rules, same answer.

RulePolicy finds the applicable rules (`_get_possible_keys`) by walking back through every state
of the conversation; at the first step it checks every rule key (438 in our model) against the
conversation's latest state, and then walks on through the whole conversation. Here:

* the first step checks only the rules that can match: a rule whose last state requires the
  previous action A (or the intent I) cannot match a state with another previous action (intent)
  – RulePolicy._does_rule_match_state compares them for equality – and a rule for a
  conversation's start (no previous action) matches exactly the states without one
  (RulePolicy._is_rule_applicable); so the rules are indexed by those values once per rule
  table, and only the index's candidates are checked, with Rasa's own check;
* the walk stops once it is further back than the longest remaining rule (every rule left passes
  every further check) or when no rule is left (none can come back).

The set found is the one Rasa's own walk finds (`tests/test_rule_lookup.py` compares both on
random rules and on the model's own rules). Without this the lookup was ~12 % of a Rasa
instance's CPU, growing with the conversation (py-spy, docs/measurements.md).

Imported for its effect by the modules Rasa loads at start (bot.tracker_store, the policy), like
bot.action_response_validation.
"""
from __future__ import annotations

from typing import Any, Dict, FrozenSet, List, Optional, Set, Text, Tuple

from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET, USER
from rasa.shared.core.domain import State
from rasa.shared.nlu.constants import ACTION_NAME, INTENT

original_get_possible_keys = RulePolicy._get_possible_keys

ANY = None  # the rule does not require a value
Signature = Tuple[Optional[Text], Optional[Text]]
START: Signature = ("", "start")  # the rule's last state has no previous action (a conversation's start)
EMPTY: Signature = ("", "empty")  # a rule without states (applies always)


def _required(state: State, sub_state: Text, key: Text) -> Optional[Any]:
    """The value a rule state requires for state[sub_state][key] (equality), or ANY."""
    value = (state.get(sub_state) or {}).get(key)
    if not isinstance(value, str) or not value or value == SHOULD_NOT_BE_SET:
        return ANY  # (a list is compared as a tuple: left to Rasa's check)
    return value


def _present(state: State, sub_state: Text, key: Text) -> Optional[Any]:
    value = (state.get(sub_state) or {}).get(key)
    return value if isinstance(value, str) else None


class _Index:
    """The keys of one rule table, by what their last state requires (previous action, intent)."""

    def __init__(self, policy: RulePolicy, lookup: Dict[Text, Text]):
        self.lookup = lookup  # kept, so that its id is not reused while we remember it
        self.keys: FrozenSet[Text] = frozenset(lookup.keys())
        self.buckets: Dict[Signature, List[Text]] = {}
        self.longest = 0
        for key in self.keys:
            states = policy._rule_key_to_state(key)
            self.longest = max(self.longest, len(states))
            last = states[-1] if states else {}
            if not states:
                signature = EMPTY
            elif not last.get(PREVIOUS_ACTION):
                signature = START
            else:
                signature = (_required(last, PREVIOUS_ACTION, ACTION_NAME), _required(last, USER, INTENT))
            self.buckets.setdefault(signature, []).append(key)

    def candidates(self, state: State) -> List[Text]:
        if not state.get(PREVIOUS_ACTION):  # a conversation's start matches only rules for a start
            return self.buckets.get(START, []) + self.buckets.get(EMPTY, [])
        action, intent = _present(state, PREVIOUS_ACTION, ACTION_NAME), _present(state, USER, INTENT)
        found: List[Text] = []
        for signature in {(action, intent), (action, ANY), (ANY, intent), (ANY, ANY)}:
            found += self.buckets.get(signature, [])
        return found + self.buckets.get(EMPTY, [])


_indexes: Dict[int, _Index] = {}


def _index(policy: RulePolicy, lookup: Dict[Text, Text]) -> _Index:
    index = _indexes.get(id(lookup))
    if index is None or index.lookup is not lookup or lookup.keys() != index.keys:  # new or changed table
        index = _indexes[id(lookup)] = _Index(policy, lookup)
        while len(_indexes) > 16:  # tables of earlier trainings or models
            _indexes.pop(next(iter(_indexes)))
    return index


def _get_possible_keys(self: RulePolicy, lookup: Dict[Text, Text], states: List[State]) -> Set[Text]:
    if not states:
        return set(lookup.keys())
    index = _index(self, lookup)
    latest = states[-1]
    possible_keys = {key for key in index.candidates(latest) if self._is_rule_applicable(key, 0, latest)}
    for i, state in enumerate(reversed(states)):
        if i == 0:
            continue
        if not possible_keys or i >= max(len(self._rule_key_to_state(key)) for key in possible_keys):
            break  # nothing left, or every rule left is shorter than the walk: the set stays as it is
        possible_keys = {key for key in possible_keys if self._is_rule_applicable(key, i, state)}
    return possible_keys


RulePolicy._get_possible_keys = _get_possible_keys
