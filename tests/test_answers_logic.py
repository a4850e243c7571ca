"""Pure logic behind the answers: the crisis message, "Mente du …?" and the hand offer."""
from __future__ import annotations

from actions.crisis_message import crisis_message
from actions.hand_suggestion import hand_offer
from actions.topic_suggestions import likely_topics, topic_buttons


def test_norwegian_crisis_message_gives_emergency_numbers_first():
    text = crisis_message("nb", "physical_abuse")
    assert text.index("112") < text.index("116 111")
    for number in ("112", "113", "110", "116 117", "116 111", "116 123", "22 40 00 40"):
        assert number in text
    assert "bekymringsmelding" in text and "barnevernstjenesten" in text


def test_danish_crisis_message_uses_danish_numbers_and_underretning():
    text = crisis_message("da", "sexual_abuse")
    for number in ("112", "1813", "116 111", "70 201 201"):
        assert number in text
    assert "underretning" in text
    assert "22 40 00 40" not in text


def test_suicide_crisis_message_has_no_reporting_route_but_help_lines():
    text = crisis_message("nb", "suicide_self")
    assert "116 123" in text and "bekymringsmelding" not in text


def test_likely_topics_skips_fallback_and_offers_a_way_out():
    ranking = [{"name": "nlu_fallback", "confidence": 0.4}, {"name": "hug_why", "confidence": 0.3},
               {"name": "greet", "confidence": 0.2}, {"name": "big_hand", "confidence": 0.2},
               {"name": "small_hand", "confidence": 0.1}, {"name": "choose_hand", "confidence": 0.1}]
    topics = likely_topics(ranking)
    assert topics == ["hug_why", "big_hand", "small_hand"]
    buttons = topic_buttons(topics, "da")
    assert buttons[0] == {"title": "Hvorfor et kram hjælper", "payload": "/hug_why"}
    assert buttons[-1]["title"] == "Ingen af dem"


def test_hand_offer_for_topic_without_hand_is_none():
    assert hand_offer("attachment_what", "nb") is None
    assert hand_offer("leader_role", "da") is None


def test_hand_offer_for_both_puts_big_hand_first():
    offer = hand_offer("conflict_example", "nb")
    assert offer is not None and offer.hand == "both"
    hands = [s.hand for s in offer.suggestions]
    assert hands[0] == "big" and "small" in hands
    assert offer.message("nb").startswith("Først den store hånden")
    assert len(offer.buttons("nb")) == len(offer.suggestions)
