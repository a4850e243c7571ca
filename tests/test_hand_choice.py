"""The hand choice follows the rules of the "Små børns stemmer" leader manual (source 002)."""
from __future__ import annotations

import itertools

import pytest

from actions.hand_choice import (
    EMOTIONS,
    RULES,
    SEEKS,
    HandChoice,
    Rule,
    choose_hand,
    fold_words as normalize,
    parse_emotion,
    parse_seeks,
)

BIG, SMALL, BOTH = ("big",), ("small",), ("big", "small")


# ---- the examples in the source --------------------------------------------------------------


def test_zarah_and_nora_conflict_big_then_small():
    # Zarah takes Nora's car and Nora cries: comfort Nora first, then help both find a solution.
    choice = choose_hand("sad", None, conflict=True)
    assert choice == HandChoice(hands=BOTH, reason_key="conflict_big_then_small")


def test_nursery_boy_comfort_without_effect_gets_small_hand():
    # The boy is sad and constantly seeks physical closeness; comfort does not change anything.
    choice = choose_hand("sad", "closeness", comfort_tried_without_effect=True)
    assert choice.hands == SMALL
    assert choice.reason_key == "comfort_tried_without_effect"


def test_nursery_boy_before_comfort_was_tried_gets_big_hand():
    assert choose_hand("sad", "closeness").hands == BIG


# ---- the table ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "emotion, seeks, conflict, tried, hands, reason",
    [
        ("sad", None, False, False, BIG, "dysregulated_big_first"),
        ("angry", None, False, False, BIG, "dysregulated_big_first"),
        ("scared", None, False, False, BIG, "dysregulated_big_first"),
        ("overwhelmed", None, False, False, BIG, "dysregulated_big_first"),
        ("scared", "closeness", False, False, BIG, "dysregulated_big_first"),
        ("angry", "manage", False, False, BOTH, "dysregulated_then_support"),
        ("sad", "join_in", False, False, BOTH, "dysregulated_then_support"),
        ("calm", "closeness", False, False, BIG, "seeks_closeness"),
        (None, "closeness", False, False, BIG, "seeks_closeness"),
        ("happy", "closeness", False, False, BIG, "seeks_closeness"),
        ("calm", "join_in", False, False, SMALL, "ready_to_explore"),
        ("eager", "manage", False, False, SMALL, "ready_to_explore"),
        ("happy", "join_in", False, False, SMALL, "ready_to_explore"),
        (None, "manage", False, False, SMALL, "ready_to_explore"),
        ("eager", None, False, False, SMALL, "regulated_explore"),
        ("unsure", "join_in", False, False, SMALL, "unsure_support_participation"),
        ("unsure", None, False, False, BOTH, "unsure_safety_then_support"),
        (None, None, False, False, BOTH, "unknown_care_first"),
        ("calm", None, True, False, BOTH, "conflict_big_then_small"),
        ("angry", "manage", True, False, BOTH, "conflict_big_then_small"),
        ("angry", None, True, True, SMALL, "comfort_tried_without_effect"),
        ("overwhelmed", "closeness", False, True, SMALL, "comfort_tried_without_effect"),
    ],
)
def test_table(emotion, seeks, conflict, tried, hands, reason):
    assert choose_hand(emotion, seeks, conflict=conflict, comfort_tried_without_effect=tried) == HandChoice(
        hands, reason
    )


def test_every_input_gets_a_valid_choice():
    valid = {BIG, SMALL, BOTH}
    reasons = {rule.reason_key for rule in RULES}
    for emotion, seeks, conflict, tried in itertools.product(
        [None, *sorted(EMOTIONS)], [None, *sorted(SEEKS)], [False, True], [False, True]
    ):
        choice = choose_hand(emotion, seeks, conflict, tried)
        assert choice.hands in valid
        assert choice.reason_key in reasons
        if emotion in {"sad", "angry", "scared", "overwhelmed"} and not tried:
            assert choice.hands[0] == "big"  # an upset child always gets the big hand first


def test_every_rule_is_reachable():
    reached = {
        choose_hand(e, s, c, t).reason_key
        for e, s, c, t in itertools.product(
            [None, *sorted(EMOTIONS)], [None, *sorted(SEEKS)], [False, True], [False, True]
        )
    }
    assert reached == {rule.reason_key for rule in RULES}


def test_first_matching_row_wins():
    rules = [Rule(SMALL, "first", emotions=frozenset({"sad"})), Rule(BIG, "second", emotions=frozenset({"sad"})),
             Rule(BOTH, "rest")]
    assert choose_hand("sad", None, rules=rules).reason_key == "first"
    assert choose_hand("calm", None, rules=rules).reason_key == "rest"


def test_table_without_catch_all_raises():
    with pytest.raises(LookupError):
        choose_hand("calm", None, rules=[Rule(BIG, "only_sad", emotions=frozenset({"sad"}))])


def test_hand_choice_is_frozen():
    choice = choose_hand("sad", None)
    with pytest.raises(AttributeError):
        choice.hands = ("small",)  # type: ignore[misc]


@pytest.mark.parametrize("emotion, seeks", [("furious", None), (None, "hug"), ("Sad", None)])
def test_unknown_values_are_rejected(emotion, seeks):
    with pytest.raises(ValueError):
        choose_hand(emotion, seeks)


# ---- free text ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, language, expected",
    [
        ("Han er lei seg", "nb", "sad"),
        ("hun virker trist i dag", "nb", "sad"),
        ("Hun er ked af det", "da", "sad"),
        ("ked af det", "nb", "sad"),  # the neighbour language is understood too
        ("Han blir sint", "nb", "angry"),
        ("Hun er vred", "da", "angry"),
        ("redd", "nb", "scared"),
        ("Han er bange", "da", "scared"),
        ("usikker", "nb", "unsure"),
        ("Han er usikker på de andre børn", "da", "unsure"),
        ("føler seg ikke trygg", "nb", "unsure"),
        ("veldig ivrig", "nb", "eager"),
        ("IVRIG!", "da", "eager"),
        ("overveldet", "nb", "overwhelmed"),
        ("Hun er overvældet", "da", "overwhelmed"),
        ("hun er overvaeldet", "da", "overwhelmed"),
        ("rolig", "nb", "calm"),
        ("glad og fornøyd", "nb", "happy"),
        ("fornojet", "da", "happy"),
        ("han er ikke redd, men trist", "nb", "sad"),
        ("rolig men lei seg", "nb", "sad"),  # the more upset feeling wins
    ],
)
def test_parse_emotion(text, language, expected):
    assert parse_emotion(text, language) == expected


@pytest.mark.parametrize(
    "text, language",
    [("", "nb"), ("   ", "da"), (None, "nb"), ("vet ikke", "nb"), ("det regner", "nb"), ("ikke redd", "nb"),
     ("hun er ikke ked af det", "da"), ("bilen er rød", "nb"), ("argumenterer", "nb")],
)
def test_parse_emotion_unknown_is_none(text, language):
    assert parse_emotion(text, language) is None


@pytest.mark.parametrize(
    "text, language, expected",
    [
        ("Han søker nærhet", "nb", "closeness"),
        ("soker naerhet", "nb", "closeness"),
        ("vil sitte på fanget", "nb", "closeness"),
        ("vil sitte pa fanget", "nb", "closeness"),
        ("vil være tæt på", "da", "closeness"),
        ("vil vaere taet paa", "da", "closeness"),
        ("han søger nærhed hele tiden", "da", "closeness"),
        ("vil klare selv", "nb", "manage"),
        ("SELV!", "da", "manage"),
        ("vil gøre det selv", "da", "manage"),
        ("vil være med", "nb", "join_in"),
        ("vil gerne deltage i legen", "da", "join_in"),
        ("vil vaere med de andre", "nb", "join_in"),
        ("hun vil delta i leken", "nb", "join_in"),
    ],
)
def test_parse_seeks(text, language, expected):
    assert parse_seeks(text, language) == expected


@pytest.mark.parametrize("text", ["", "hmm", "vet ikke", "det var fint vær", None])
def test_parse_seeks_unknown_is_none(text):
    assert parse_seeks(text, "nb") is None


def test_parsed_answers_feed_the_choice():
    emotion = parse_emotion("Hun græder og er ked af det", "da")
    seeks = parse_seeks("hun vil sidde på skødet", "da")
    assert choose_hand(emotion, seeks).hands == BIG
    emotion = parse_emotion("Han er glad og ivrig", "nb")
    seeks = parse_seeks("han vil klare det selv", "nb")
    assert choose_hand(emotion, seeks).hands == SMALL


def test_normalize_folds_aeoeaa():
    assert normalize("Nærhed på skødet") == normalize("naerhed paa skoedet") == normalize("narhed pa skodet")
