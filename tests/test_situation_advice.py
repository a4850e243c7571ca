"""A described situation: conflict and "comfort did not help" are recognised, the advice for a
chosen hand is grounded in the sourced suggestions, and outcome words are understood."""
from __future__ import annotations

from actions.hand_choice import choose_hand
from actions.situation_advice import advice_text, comfort_tried_without_effect, mentions_conflict, offer_for
from actions.trial_action_texts import parse_outcome


def test_conflict_is_recognised_in_both_languages():
    assert mentions_conflict("to barn krangler om en bil")
    assert mentions_conflict("der er konflikt om legetøjet")
    assert not mentions_conflict("han gråter når jeg går")


def test_comfort_without_effect_is_recognised():
    assert comfort_tried_without_effect("vi trøster ham hele tiden, men det hjelper ikke")
    assert comfort_tried_without_effect("vi har trøstet hende, men det hjælper ikke")
    assert not comfort_tried_without_effect("hun vil gjerne trøstes")


def test_comfort_without_effect_gives_small_hand_from_the_nursery_example():
    choice = choose_hand("unsure", None, comfort_tried_without_effect=True)
    assert choice.hands == ("small",)
    offer = offer_for(choice, "da")
    text = advice_text(choice, "da", offer)
    assert "vuggestuen" in text and "den lille hånd" in text


def test_dysregulated_child_gets_big_hand_first():
    choice = choose_hand("angry", None)
    assert choice.hands[0] == "big"
    assert "den store hånden" in advice_text(choice, "nb", offer_for(choice, "nb"))


def test_outcome_words():
    assert parse_outcome("det hjalp ikke") == "not_helped"
    assert parse_outcome("det hjalp delvis") == "partly"
    assert parse_outcome("det hjalp!") == "helped"
    assert parse_outcome("bananer") is None
