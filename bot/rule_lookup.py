"""Faster rule lookup inside Rasa 3.6's RulePolicy – same rules, same answer.

RulePolicy finds the applicable rules by walking back through *every* state of the conversation
and filtering all remaining rule keys at each one (`_get_possible_keys`). A rule only constrains
as many states as it has: once the walk is further back than the longest remaining rule, every
rule left passes every further filter (`_is_rule_applicable` returns True), and once no rule is
left none can come back. Stopping there gives the same set. Without it the lookup grew with the
conversation: ~12 % of a Rasa instance's CPU at turn 10–30 (py-spy, docs/measurements.md).

Imported for its effect by the modules Rasa loads at start (bot.tracker_store, the policy), like
bot.action_response_validation.
"""
from __future__ import annotations

from typing import Dict, List, Set, Text

from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.domain import State

original_get_possible_keys = RulePolicy._get_possible_keys


def _get_possible_keys(self: RulePolicy, lookup: Dict[Text, Text], states: List[State]) -> Set[Text]:
    possible_keys = set(lookup.keys())
    for i, state in enumerate(reversed(states)):
        if not possible_keys or i >= max(len(self._rule_key_to_state(key)) for key in possible_keys):
            break  # nothing left, or every rule left is shorter than the walk: the set stays as it is
        possible_keys = {key for key in possible_keys if self._is_rule_applicable(key, i, state)}
    return possible_keys


RulePolicy._get_possible_keys = _get_possible_keys
