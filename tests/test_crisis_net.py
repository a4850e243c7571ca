"""Crisis must never be missed, and ordinary worries must not be mistaken for it.

Checked twice: the pattern net alone (pure, fast) and the whole trained NLU pipeline.
"""
from __future__ import annotations

import pytest
import yaml

from bot.nlu.crisis_patterns import find_crisis
from tests.nlu_data import REPO_ROOT

CRISIS = yaml.safe_load((REPO_ROOT / "tests/crisis/crisis_messages.yml").read_text(encoding="utf-8"))["messages"]
ORDINARY = yaml.safe_load((REPO_ROOT / "tests/crisis/ordinary_worries.yml").read_text(encoding="utf-8"))["messages"]


def test_enough_messages_in_both_languages():
    for messages in (CRISIS, ORDINARY):
        assert len(messages) >= 40
        assert {m["lang"] for m in messages} == {"nb", "da"}


@pytest.mark.parametrize("message", CRISIS, ids=lambda m: m["text"][:40])
def test_pattern_net_catches_crisis(message):
    assert find_crisis(message["text"]) is not None


@pytest.mark.parametrize("message", ORDINARY, ids=lambda m: m["text"][:40])
def test_pattern_net_ignores_ordinary_worry(message):
    assert find_crisis(message["text"]) is None


def test_pipeline_gives_crisis_for_every_crisis_message(nlu_agent):
    missed = [m["text"] for m in CRISIS if nlu_agent(m["text"])["intent"]["name"] != "crisis"]
    assert not missed, f"crisis messages not recognised: {missed}"


def test_pipeline_does_not_give_crisis_for_ordinary_worries(nlu_agent):
    wrong = [m["text"] for m in ORDINARY if nlu_agent(m["text"])["intent"]["name"] == "crisis"]
    assert not wrong, f"ordinary worries taken for crisis: {wrong}"
