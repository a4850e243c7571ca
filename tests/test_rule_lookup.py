"""RulePolicy's rule lookup with the early stop (bot.rule_lookup) finds exactly the rules Rasa's own
walk through the whole conversation finds – for short and long conversations, with and without
conversation-start rules, slots, loops and rules that must not be set."""
from __future__ import annotations

import json
import random

import pytest
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import SHOULD_NOT_BE_SET

from bot.rule_lookup import _get_possible_keys, original_get_possible_keys

INTENTS = ["greet", "tilknytning", "lille_haand", "crisis", "affirm", "deny"]
ACTIONS = ["action_listen", "utter_tilknytning", "action_offer_hand", "utter_greet", "reflection_form"]


def random_state(rng: random.Random, start: bool = False) -> dict:
    state: dict = {}
    if not start:
        state["prev_action"] = ({"action_name": rng.choice(ACTIONS)} if rng.random() < 0.85
                                else {"action_text": rng.choice(["hei", "hva vil du?"])})
    if rng.random() < 0.7:
        state["user"] = {"intent": rng.choice(INTENTS)}
    if rng.random() < 0.3:
        state["slots"] = {"language": (1.0,) if rng.random() < 0.5 else SHOULD_NOT_BE_SET}
    if rng.random() < 0.2:
        state["active_loop"] = {"name": rng.choice(["reflection_form", SHOULD_NOT_BE_SET])}
    return state


def rule_key(states: list) -> str:
    return json.dumps(states, sort_keys=True)


@pytest.mark.parametrize("seed", range(40))
def test_same_rules_as_rasas_full_walk(seed):
    rng = random.Random(seed)
    policy = RulePolicy.__new__(RulePolicy)  # the lookup needs no trained state
    rules = []
    for _ in range(60):
        length = rng.randint(1, 5)
        rules.append([random_state(rng, start=(i == 0 and rng.random() < 0.3)) for i in range(length)])
    lookup = {rule_key(r): f"action_{n}" for n, r in enumerate(rules)}
    for length in (1, 2, 5, 30, 120):
        conversation = [random_state(rng, start=(i == 0)) for i in range(length)]
        # end some conversations with a rule's own states, so that rules do match
        if rng.random() < 0.7:
            tail = rng.choice(rules)
            conversation = (conversation + [dict(s) for s in tail])[-max(length, len(tail)):]
        expected = original_get_possible_keys(policy, lookup, conversation)
        assert _get_possible_keys(policy, lookup, conversation) == expected


def test_rasa_uses_the_early_stop():
    import bot.rule_lookup  # noqa: F401
    assert RulePolicy._get_possible_keys is _get_possible_keys


def test_a_long_conversation_still_matches_its_last_turns():
    policy = RulePolicy.__new__(RulePolicy)
    rule = [{"prev_action": {"action_name": "action_listen"}, "user": {"intent": "tilknytning"}}]
    other = [{"prev_action": {"action_name": "action_listen"}, "user": {"intent": "greet"}}]
    lookup = {rule_key(rule): "utter_tilknytning", rule_key(other): "utter_greet"}
    conversation = [{}] + [{"prev_action": {"action_name": "action_listen"}, "user": {"intent": "greet"}}] * 200 + rule
    assert _get_possible_keys(policy, lookup, conversation) == {rule_key(rule)}


def test_same_rules_as_rasa_on_the_trained_model():
    """The model's own 438 rules, on conversations stitched from their states."""
    import tarfile

    from tests.stack import MODEL_PATH

    if not MODEL_PATH.exists():
        pytest.skip("no trained model (make train)")
    with tarfile.open(MODEL_PATH) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith("train_RulePolicy2/rule_policy.json"))
        lookup = json.load(archive.extractfile(member))["lookup"]
    policy = RulePolicy.__new__(RulePolicy)
    rules = [json.loads(key) for key in lookup["rules"]]
    rng = random.Random(7)
    found = 0
    for _ in range(300):
        conversation = [s for _ in range(rng.randint(1, 12)) for s in rng.choice(rules)]
        for table in ("rules", "rules_for_loop_unhappy_path"):
            expected = original_get_possible_keys(policy, lookup[table], conversation)
            found += bool(expected)
            assert _get_possible_keys(policy, lookup[table], conversation) == expected
    assert found > 100  # the conversations do match rules


@pytest.mark.parametrize("rule", [
    [{"prev_action": {"action_text": "hei"}, "user": {"intent": "greet"}}],   # no action name, an intent
    [{"user": {"intent": "greet"}}],                                          # a conversation's start
    [{"prev_action": {"action_name": "action_listen"}}],                      # an action, any intent
    [],                                                                       # no states at all
])
def test_rules_without_an_action_name_or_intent_are_found(rule):
    policy = RulePolicy.__new__(RulePolicy)
    lookup = {rule_key(rule): "utter_x", rule_key([{"prev_action": {"action_name": "utter_y"}}]): "utter_y"}
    found = 0
    for last in ({"prev_action": {"action_text": "hei"}, "user": {"intent": "greet"}}, {"user": {"intent": "greet"}},
                 {"prev_action": {"action_name": "action_listen"}, "user": {"intent": "deny"}}):
        conversation = [{}, {"prev_action": {"action_name": "utter_y"}}, last]
        expected = original_get_possible_keys(policy, lookup, conversation)
        assert _get_possible_keys(policy, lookup, conversation) == expected
        found += rule_key(rule) in expected
    assert found  # each rule applies to one of the conversations
