"""Fast checks of the training data, read as YAML (what `rasa data validate` finds in ~1 minute,
the common mistakes in a second): every intent, action, response, slot and form the NLU data,
rules and stories use is in the domain, and no example is given twice. The full validation
stays in `make test`."""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Iterator

import yaml

from tests.nlu_data import examples

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ACTIONS = {"action_listen", "action_restart", "action_session_start", "action_default_fallback",
                   "action_deactivate_loop", "action_revert_fallback_events", "action_default_ask_affirmation",
                   "action_default_ask_rephrase", "action_back", "action_two_stage_fallback",
                   "action_unlikely_intent", "action_extract_slots"}
DEFAULT_INTENTS = {"nlu_fallback", "restart", "back", "out_of_scope", "session_start"}


def _domain() -> dict:
    merged: dict = {"intents": set(), "actions": set(), "responses": set(), "slots": set(), "forms": set()}
    for path in sorted((REPO_ROOT / "domain").rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for intent in data.get("intents") or []:
            merged["intents"].add(next(iter(intent)) if isinstance(intent, dict) else intent)
        for key in ("actions", "responses", "slots", "forms"):
            merged[key] |= set(data.get(key) or [])
    return merged


def _steps(folder: str) -> Iterator[dict]:
    for path in sorted((REPO_ROOT / "data" / folder).rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in (data.get("rules") or []) + (data.get("stories") or []):
            yield from block.get("condition") or []
            yield from block.get("steps") or []


def test_every_training_intent_is_in_the_domain():
    domain = _domain()
    assert {intent for _, intent, _ in examples(REPO_ROOT / "data" / "nlu")} - domain["intents"] == set()


def test_no_example_is_given_twice_in_one_language():
    counts = Counter((language, text.lower()) for language, _, text in examples(REPO_ROOT / "data" / "nlu"))
    assert [example for example, n in counts.items() if n > 1] == []


def test_rules_and_stories_use_only_what_the_domain_declares():
    domain = _domain()
    known_actions = domain["actions"] | domain["responses"] | domain["forms"] | DEFAULT_ACTIONS
    unknown = []
    for folder in ("rules", "stories"):
        for step in _steps(folder):
            if "intent" in step and step["intent"] not in domain["intents"] | DEFAULT_INTENTS:
                unknown.append(("intent", step["intent"]))
            if "action" in step and step["action"] not in known_actions:
                unknown.append(("action", step["action"]))
            if "active_loop" in step and step["active_loop"] not in domain["forms"] | {None}:
                unknown.append(("form", step["active_loop"]))
            for slot in step.get("slot_was_set") or []:
                name = next(iter(slot)) if isinstance(slot, dict) else slot
                if name not in domain["slots"] | {"requested_slot"}:
                    unknown.append(("slot", name))
    assert unknown == []


def test_long_heldout_messages_are_not_in_the_training_data_not_even_as_near_copies():
    """tests/nlu_long (issue 12 point 8) is never trained on: no training example shares half of a
    held-out message's word 3-grams (the crisis corpus's rule, tests/test_crisis_corpus.py)."""
    from tests.nlu_data import long_examples, training_examples
    from tests.test_crisis_corpus import _near_copies

    trained = [text for _, _, text in training_examples()]
    unseen = [text for _, _, text in long_examples()]
    assert len(unseen) >= 256
    assert not set(map(str.lower, unseen)) & set(map(str.lower, trained))
    near = _near_copies(unseen, trained)
    assert not near, f"long held-out messages that are near copies of training data: {near[:5]}"


def test_long_heldout_set_has_three_stories_and_a_chat_message_per_topic_and_language():
    import re

    from tests.nlu_data import long_examples
    topics = {t["id"] for t in yaml.safe_load((REPO_ROOT / "content" / "topics.yml").read_text(encoding="utf-8"))["content"]}
    stories, chats = Counter(), Counter()
    for language, intent, text in long_examples():
        if "\n" in text:
            chats[(language, intent)] += 1
        elif 30 <= len(re.findall(r"\w+", text)) <= 60:
            stories[(language, intent)] += 1
    thin = [(t, lang) for t in sorted(topics) for lang in ("nb", "da") if stories[(lang, t)] < 3 or chats[(lang, t)] < 1]
    assert thin == []
