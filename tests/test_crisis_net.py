"""The pattern floor and the whole crisis pipeline on the first crisis sets (tests/crisis/*.yml,
direct and indirect wordings, 2026-11): every crisis message reaches a tier, no ordinary worry
gets the sure tier. The held-out figures are in test_crisis_heldout.py."""
from __future__ import annotations

import pytest
import yaml

from bot.nlu.crisis_patterns import NearRule, find_all, find_crisis
from bot.nlu.typed_text import folded_plain, plain
from tests.nlu_data import REPO_ROOT

CRISIS = yaml.safe_load((REPO_ROOT / "tests/crisis/crisis_messages.yml").read_text(encoding="utf-8"))["messages"]
ORDINARY = yaml.safe_load((REPO_ROOT / "tests/crisis/ordinary_worries.yml").read_text(encoding="utf-8"))["messages"]
TIERS = {"crisis": "sure", "crisis_possible": "possible"}


def test_enough_messages_in_both_languages():
    for messages in (CRISIS, ORDINARY):
        assert len(messages) >= 40
        assert {m["lang"] for m in messages} == {"nb", "da"}


@pytest.mark.parametrize("message", CRISIS, ids=lambda m: m["text"][:40])
def test_pattern_floor_catches_crisis(message):
    assert find_crisis(message["text"]) is not None


@pytest.mark.parametrize("message", ORDINARY, ids=lambda m: m["text"][:40])
def test_pattern_floor_never_gives_the_sure_tier_for_an_ordinary_worry(message):
    assert all(m.tier != "sure" for m in find_all(message["text"]))


@pytest.mark.parametrize("text", ["jenta sier hun ikke vil leve lenger", "hun vil ikke leve lenger",
                                  "leve lenger vil hun ikke", "hun sier at leve, det vil hun ikke mer"])
def test_a_wish_not_to_live_is_caught_in_any_word_order(text):
    assert find_crisis(text) is not None


@pytest.mark.parametrize("typed, expected", [
    ("jeg vil’kke leve lenger", "jeg vil'kke leve lenger"),
    ("hun sa «jeg orker ikke» 😭🙏", 'hun sa "jeg orker ikke"'),
    ("han\u200bpuster\u00a0ikke", "hanpuster ikke"),
])
def test_what_phones_type_is_made_plain_before_matching(typed, expected):
    assert " ".join(plain(typed).split()) == expected


def test_typographic_apostrophe_and_emoji_do_not_hide_danger():
    assert find_crisis("han puster ikke 😭😭") is not None
    assert find_crisis("hun ikke’ vil leve lenger🙏") is not None
    assert folded_plain("Søster’s «BLÅ» lepper") == "soster's \"bla\" lepper"


def test_near_rule_spans_are_counted_in_words_in_either_order():
    import re
    rule = NearRule(kind="x", tier="possible", within=2, words=(re.compile("ikke"), re.compile("leve")))
    assert rule.matches("", ["vil", "ikke", "leve"]) and rule.matches("", ["leve", "vil", "ikke"])
    assert not rule.matches("", ["ikke", "a", "b", "c", "leve"])


def test_pipeline_gives_a_tier_for_every_crisis_message(nlu_agent):
    missed = [m["text"] for m in CRISIS if nlu_agent(m["text"])["intent"]["name"] not in TIERS]
    assert not missed, f"crisis messages not recognised: {missed}"


def test_pipeline_never_gives_the_sure_tier_for_an_ordinary_worry(nlu_agent):
    wrong = [m["text"] for m in ORDINARY if nlu_agent(m["text"])["intent"]["name"] == "crisis"]
    assert not wrong, f"ordinary worries answered as a crisis: {wrong}"


def test_the_topic_classifiers_crisis_guess_is_never_demoted():
    from bot.nlu.crisis_decision import decide
    assert decide("noe helt vanlig", classifier_crisis=True).tier == "possible"
    assert decide("noe helt vanlig", classifier_crisis=False).tier is None
    assert decide("han puster ikke", classifier_crisis=True).tier == "sure"  # a sure pattern stays sure


class _Stub:
    """A detector that gives every message the same score (tiers: possible ≥ 0.1, sure ≥ 0.99)."""

    def __init__(self, score: float):
        self._score = score

    def score(self, text):
        return self._score

    def tier(self, score, lang=None):
        return "sure" if score >= 0.99 else "possible" if score >= 0.1 else None

    def kind(self, text):
        return "neglect"


def test_everyday_care_is_only_said_when_the_detector_alone_sees_danger_and_the_care_aware_one_none():
    from bot.nlu.crisis_decision import decide
    care = decide("jeg tar ham på fanget i levering", detector=_Stub(0.3), care_detector=_Stub(0.05))
    assert care.tier == "possible" and care.everyday_care and care.as_dict()["everyday_care"] is True
    assert not decide("jeg tar ham på fanget", detector=_Stub(0.3), care_detector=_Stub(0.2)).everyday_care
    assert not decide("jeg tar ham på fanget", detector=_Stub(0.995), care_detector=_Stub(0.05)).everyday_care
    assert not decide("jeg tar ham på fanget", detector=_Stub(0.3), care_detector=_Stub(0.05),
                      classifier_crisis=True).everyday_care
    assert not decide("han puster ikke", detector=_Stub(0.3), care_detector=_Stub(0.05)).everyday_care  # a pattern
    assert "everyday_care" not in decide("jeg tar ham på fanget", detector=_Stub(0.3)).as_dict()
