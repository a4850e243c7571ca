"""The crisis actions as a user meets them (CollectingDispatcher, trackers built here): the
possible tier asks with the numbers, «ja» gives the full answer for the kind of danger, «nei»
answers the original message."""
from __future__ import annotations

from actions.crisis import ActionAnswerAfterAll, ActionCrisis, ActionCrisisCheck
from tests.action_harness import run_action, user_event

POSSIBLE = user_event(
    "jeg orker ikke mer, han vil ikke klemme meg", "crisis_possible",
    crisis={"tier": "possible", "kind": "fear_of_harming", "score": 0.4, "by": "detector"},
    intent_ranking=[{"name": "crisis_possible", "confidence": 1.0}, {"name": "hug_child_refuses", "confidence": 0.6},
                    {"name": "hug_why", "confidence": 0.2}])


def test_possible_tier_gives_the_numbers_and_asks_with_two_buttons_in_norwegian():
    messages, events = run_action(ActionCrisisCheck(), [POSSIBLE], {"language": "nb"})
    [message] = messages
    assert "113" in message["text"] and "112" in message["text"] and "116 111" in message["text"]
    assert message["text"].rstrip().endswith("Er noen i fare akkurat nå?")
    assert [b["payload"] for b in message["buttons"]] == ["/crisis_confirmed", "/crisis_ruled_out"]
    assert events == [], "the safety question pauses a running reflection; it does not end it"


def test_possible_tier_in_danish_gives_danish_numbers():
    [message], _ = run_action(ActionCrisisCheck(), [POSSIBLE], {"language": "da"})
    assert "112" in message["text"] and "70 201 201" in message["text"] and "113" not in message["text"]
    assert message["text"].rstrip().endswith("Er nogen i fare lige nu?")
    assert [b["title"] for b in message["buttons"]] == ["Ja, nogen er i fare", "Nej, ingen er i fare"]


def test_yes_gives_the_full_answer_for_the_kind_seen_in_the_message():
    medical = user_event("han har drukket oppvaskmiddel", "crisis_possible",
                         crisis={"tier": "possible", "kind": "medical", "score": 0.5, "by": "detector"})
    events = [medical, {"event": "action", "name": "action_crisis_check"}, user_event("/crisis_confirmed", "crisis_confirmed")]
    [message], _ = run_action(ActionCrisis(), events, {"language": "nb"})
    first_line = message["text"].splitlines()[0]
    assert "113" in first_line
    assert "22 59 13 00" in message["text"]  # Giftinformasjonen, for poisoning
    assert "bekymringsmelding" not in message["text"]


def test_danish_medical_emergency_starts_with_112_and_gives_giftlinjen():
    medical = user_event("hun har slugt et knapcellebatteri", "crisis",
                         crisis={"tier": "sure", "kind": "medical", "score": 0.9, "by": "pattern"})
    [message], _ = run_action(ActionCrisis(), [medical], {"language": "da"})
    assert "112" in message["text"].splitlines()[0] and "82 12 12 12" in message["text"]


def test_abuse_gives_the_reporting_route_and_no_poison_line():
    abuse = user_event("han har blåmerker og er redd for å dra hjem", "crisis",
                       crisis={"tier": "sure", "kind": "physical_abuse", "score": 0.9, "by": "detector"})
    [message], _ = run_action(ActionCrisis(), [abuse], {"language": "nb"})
    assert "bekymringsmelding" in message["text"] and "22 59 13 00" not in message["text"]


def test_no_answers_the_original_message_with_its_topic():
    events = [POSSIBLE, {"event": "action", "name": "action_crisis_check"}, user_event("/crisis_ruled_out", "crisis_ruled_out")]
    messages, returned = run_action(ActionAnswerAfterAll(), events, {"language": "nb"})
    assert messages == []
    listen, replayed = returned
    assert listen["event"] == "action" and listen["name"] == "action_listen"
    assert replayed["event"] == "user" and replayed["text"] == POSSIBLE["text"]
    assert replayed["parse_data"]["intent"]["name"] == "hug_child_refuses"
    assert all(r["name"] != "crisis_possible" for r in replayed["parse_data"]["intent_ranking"])


def test_no_without_a_topic_says_so_kindly():
    bare = user_event("hmm", "crisis_possible", crisis={"tier": "possible", "kind": None, "score": 0.3, "by": "detector"},
                      intent_ranking=[{"name": "crisis_possible", "confidence": 1.0}])
    messages, returned = run_action(ActionAnswerAfterAll(), [bare, user_event("/crisis_ruled_out", "crisis_ruled_out")])
    assert [m["response"] for m in messages] == ["utter_crisis_ruled_out"] and returned == []


def _keys(tree, prefix=""):
    return {prefix + k for k, v in tree.items()} | {k for key, v in tree.items() if isinstance(v, dict)
                                                    for k in _keys(v, prefix + key + ".")}


def test_crisis_texts_have_every_key_in_both_languages_and_name_only_known_help_lines():
    import string

    from actions.crisis_message import crisis_texts, numbers
    texts = crisis_texts()
    assert _keys(texts["nb"]) == _keys(texts["da"])
    for language in ("nb", "da"):
        known = set(numbers(language))
        for section in texts[language].values():
            for text in section.values():
                used = {name for _, name, _, _ in string.Formatter().parse(text) if name}
                assert used <= known, f"{language}: {used - known} is not a help line of that country"


def test_every_help_line_has_an_official_source():
    from actions.crisis_message import helplines
    for language in ("nb", "da"):
        for entry in helplines()[language]:
            assert entry["source"].startswith("https://"), entry["id"]


def test_no_inside_the_reflection_makes_the_message_the_answer_to_its_question():
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher
    import asyncio
    events = [POSSIBLE, {"event": "action", "name": "action_crisis_check"}, user_event("/crisis_ruled_out", "crisis_ruled_out")]
    tracker = Tracker("u", {"requested_slot": "refl_child", "language": "nb"}, events[-1]["parse_data"], events, False,
                      None, {"name": "reflection_form"}, "action_listen")
    returned = asyncio.run(ActionAnswerAfterAll().run(CollectingDispatcher(), tracker, {}))
    assert returned == [{"event": "slot", "timestamp": None, "name": "refl_child", "value": POSSIBLE["text"]}]


def _no_inside_the_reflection(original: dict, requested: str):
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher
    import asyncio
    events = [original, {"event": "action", "name": "action_crisis_check"}, user_event("/crisis_ruled_out", "crisis_ruled_out")]
    tracker = Tracker("u", {"requested_slot": requested, "language": "nb"}, events[-1]["parse_data"], events, False,
                      None, {"name": "reflection_form"}, "action_listen")
    dispatcher = CollectingDispatcher()
    returned = asyncio.run(ActionAnswerAfterAll().run(dispatcher, tracker, {}))
    return dispatcher.messages, returned


def test_no_inside_the_reflection_answers_a_question_and_the_step_is_asked_again():
    question = user_event(
        "hva gjør jeg når han ikke vil klemme meg og jeg holder på å knekke?", "crisis_possible",
        crisis={"tier": "possible", "kind": "carer_breaking_point", "score": 0.4, "by": "detector"},
        intent_ranking=[{"name": "crisis_possible", "confidence": 1.0}, {"name": "hug_child_refuses", "confidence": 0.8}])
    messages, returned = _no_inside_the_reflection(question, "refl_adult")
    assert [m["response"] for m in messages] == ["utter_hug_child_refuses"] and returned == []


def test_no_at_the_hand_step_takes_only_a_hand():
    for text, hand in (("den store hånden, han er redd for å dø", "big"), ("han skal mestre selv", "small")):
        original = user_event(text, "crisis_possible", crisis={"tier": "possible", "kind": "x", "score": 0.4},
                              intent_ranking=[{"name": "crisis_possible", "confidence": 1.0},
                                              {"name": "big_hand", "confidence": 0.3}])
        messages, returned = _no_inside_the_reflection(original, "refl_hand")
        assert messages == [] and returned == [{"event": "slot", "timestamp": None, "name": "refl_hand", "value": hand}]
    unclear = user_event("han er helt ute av seg", "crisis_possible", crisis={"tier": "possible", "kind": "x", "score": 0.4},
                         intent_ranking=[{"name": "crisis_possible", "confidence": 1.0}])
    messages, returned = _no_inside_the_reflection(unclear, "refl_hand")
    assert [m["response"] for m in messages] == ["utter_reflection_hand_invalid"]
    assert returned == [{"event": "slot", "timestamp": None, "name": "refl_hand", "value": None}]


def _check_at(original: dict, requested: str, form: str = "reflection_form"):
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher
    import asyncio
    tracker = Tracker("u", {"requested_slot": requested, "language": "da"}, original["parse_data"], [original], False,
                      None, {"name": form}, "action_listen")
    dispatcher = CollectingDispatcher()
    returned = asyncio.run(ActionCrisisCheck().run(dispatcher, tracker, {}))
    return dispatcher.messages, returned


CARE_ACTION = user_event(
    "Jeg tager Emil på skødet ved afleveringen", "crisis_possible",
    crisis={"tier": "possible", "kind": "sexual_abuse", "score": 0.2, "by": "detector", "everyday_care": True},
    intent_ranking=[{"name": "crisis_possible", "confidence": 1.0}, {"name": "describe_situation", "confidence": 0.4}])


def test_a_planned_care_action_at_step_5_is_the_answer_without_the_safety_question():
    messages, returned = _check_at(CARE_ACTION, "refl_action")
    assert messages == []
    assert returned == [{"event": "slot", "timestamp": None, "name": "refl_action", "value": CARE_ACTION["text"]},
                        {"event": "followup", "timestamp": None, "name": "reflection_form"}]


def test_everyday_care_is_asked_about_everywhere_but_at_the_action_step():
    for requested, form in (("refl_child", "reflection_form"), ("refl_situation", "reflection_form"), (None, None)):
        [message], returned = _check_at(CARE_ACTION, requested, form)
        assert message["text"].rstrip().endswith("Er nogen i fare lige nu?") and returned == []


def test_at_the_action_step_a_pattern_the_classifiers_guess_or_no_care_verdict_still_asks():
    for crisis in ({"tier": "possible", "kind": "x", "score": 0.2, "by": "pattern", "everyday_care": True},
                   {"tier": "possible", "kind": "x", "score": 0.0, "by": "classifier"},
                   {"tier": "possible", "kind": "x", "score": 0.2, "by": "detector"}):
        original = user_event("far tager Emil på skødet og rører ham under tøjet", "crisis_possible", crisis=crisis)
        [message], returned = _check_at(original, "refl_action")
        assert message["text"].rstrip().endswith("Er nogen i fare lige nu?") and returned == []
