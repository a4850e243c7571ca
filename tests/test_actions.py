"""Every custom action of the domain (domain/*.yml `actions:`), run as the action server would –
a Tracker built in the test and Rasa's CollectingDispatcher (tests/action_harness.py) – with the
store on SQLite in a temporary folder. No model, no server. The crisis actions are tested in
tests/test_crisis_actions.py; `test_every_domain_action_is_tested` keeps this list complete."""
from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions import user_store
from actions.fallback import ActionSuggestTopics
from actions.followup import ActionAskFollowup, due_followup_number
from actions.hand_offer import ActionOfferHand
from actions.out_of_scope import ActionOutOfScope
from actions.privacy import ActionDeleteMyData, ActionPrivacy
from actions.reflection import (ANSWER_ACTIONS, ActionAnswerInsideForm, ActionAskReflHand, ActionReflectionReferat,
                                ValidateReflectionForm, answered_intents, asks_a_question, hand_by_source_words,
                                is_question)
from actions.session_start import ActionSessionStart
from actions.situation import ActionSituationHand
from trygg.store import queries
from trygg.store.db import MigratedEngine, session_scope
from actions.themes import ActionShowTheme
from actions.trial_actions import (ActionDeleteTrialAction, ActionEvaluateTrialAction, ActionListTrialActions,
                                   ActionMarkTried, ActionSaveTrialAction)
from tests.action_harness import run_action, slots_set, tracker, user_event

REPO_ROOT = Path(__file__).resolve().parent.parent
TESTED_HERE = {
    "action_session_start", "action_suggest_topics", "action_show_theme", "action_out_of_scope", "action_offer_hand",
    "action_save_trial_action", "action_list_trial_actions", "action_evaluate_trial_action",
    "action_delete_trial_action", "action_ask_followup", "action_mark_tried", "action_situation_hand",
    "action_privacy", "action_delete_my_data", "validate_reflection_form", "action_reflection_referat",
    "action_answer_inside_form", "action_ask_refl_hand",
}
TESTED_IN_AUDIENCE = {"action_set_audience", "action_answer_for_audience"}
TESTED_IN_CRISIS_ACTIONS = {"action_crisis", "action_crisis_check", "action_answer_after_all"}
TESTED_IN_LEADER_ACTIONS = {  # tests/test_leader_actions.py
    "action_offer_referat_mail", "action_choose_institution", "action_send_referat", "action_referat_not_sent",
    "action_ask_referat_correction", "action_referat_corrected",
}


@pytest.fixture
def store(tmp_path, monkeypatch):
    """The action server's store on a fresh SQLite file; yields a function giving the user key."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("SENDER_HASH_SECRET", "test-secret")
    monkeypatch.setenv("TRYGG_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setattr(user_store, "engine", MigratedEngine(f"sqlite:///{tmp_path / 'store.db'}"))
    yield lambda sender="test-user": user_store.user_key(tracker([], sender=sender))
    user_store.engine.dispose()


def _texts(messages):
    return "\n".join(m.get("text") or "" for m in messages)


def _payloads(messages):
    return [b["payload"] for m in messages for b in m.get("buttons") or []]


def _save(key, text="Sitte sammen i fem minutter", hand="big", **kwargs):
    """Saves a prøvehandling; returns the number the user knows it by (its user_number)."""
    with session_scope(user_store.engine()) as session:
        return queries.save_trial_action(session, key, hand=hand, action_text=text, **kwargs).user_number


def _actions(key):
    """{the user's number: (status, outcome)} of the user's prøvehandlinger."""
    with session_scope(user_store.engine()) as session:
        return {a.user_number: (a.status, a.outcome) for a in queries.list_trial_actions(session, key)}


def _internal_id(key, number):
    with session_scope(user_store.engine()) as session:
        return queries.get_trial_action_by_number(session, key, number).id


def test_every_domain_action_is_tested():
    declared = set()
    for path in (REPO_ROOT / "domain").rglob("*.yml"):
        declared |= set((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("actions") or [])
    assert declared == TESTED_HERE | TESTED_IN_CRISIS_ACTIONS | TESTED_IN_AUDIENCE | TESTED_IN_LEADER_ACTIONS


# ---- conversation -------------------------------------------------------------------------------

def test_session_start_seeds_language_from_metadata_and_notes_no_followup(store):
    messages, events = run_action(ActionSessionStart(), [], {"session_started_metadata": {"language": "da"}})
    assert messages == []
    assert [e["event"] for e in events] == ["session_started", "slot", "slot", "slot", "slot", "action"]
    assert slots_set(events) == {"language": "da", "audience": None, "audience_asked": False, "followup_due": None}


def test_session_start_keeps_the_language_and_notes_a_due_followup(store, monkeypatch):
    action_id = _save(store(), followup_delay_days=0)
    _, events = run_action(ActionSessionStart(), [], {"language": "nb", "session_started_metadata": {"language": "da"}})
    assert slots_set(events) == {"language": "nb", "audience": None, "audience_asked": False, "followup_due": str(action_id)}


def test_session_start_falls_back_to_the_default_language(store, monkeypatch):
    monkeypatch.setenv("DEFAULT_LANGUAGE", "da")
    _, events = run_action(ActionSessionStart(), [], {})
    assert slots_set(events)["language"] == "da"


def test_suggest_topics_offers_likely_topics_and_none_of_these():
    event = user_event("klem", "nlu_fallback", intent_ranking=[
        {"name": "nlu_fallback", "confidence": 0.4}, {"name": "hug_why", "confidence": 0.15},
        {"name": "greet", "confidence": 0.1}, {"name": "help", "confidence": 0.08}])
    messages, events = run_action(ActionSuggestTopics(), [event], {"language": "nb"})
    assert events == []
    assert messages[0]["response"] == "utter_fallback_intro"
    assert _payloads(messages) == ["/hug_why", "/help", "/deny"]


def test_suggest_topics_without_candidates_says_none_of_these():
    messages, _ = run_action(ActionSuggestTopics(), [user_event("???", "nlu_fallback", intent_ranking=[])])
    assert [m["response"] for m in messages] == ["utter_none_of_these"]


def test_show_theme_lists_the_topics_of_the_theme_in_danish():
    messages, events = run_action(ActionShowTheme(), [user_event("/help_theme", "help_theme")],
                                  {"language": "da", "theme": "kram"})
    assert events == []
    assert messages[0]["text"] == "Kram – Vælg et emne:"
    assert _payloads(messages)[:2] == ["/hug_why", "/hug_child_refuses"]


def test_show_theme_without_a_known_theme_shows_help():
    messages, _ = run_action(ActionShowTheme(), [user_event("tema", "help_theme")], {"language": "nb"})
    assert [m["response"] for m in messages] == ["utter_help"]


def test_out_of_scope_names_where_to_ask_in_the_language(monkeypatch):
    monkeypatch.setenv("WHERE_TO_ASK_DA", "lederen")
    messages, _ = run_action(ActionOutOfScope(), [user_event("skat?", "out_of_scope")], {"language": "da"})
    assert messages[0]["response"] == "utter_out_of_scope" and messages[0]["where_to_ask"] == "lederen"


def test_offer_hand_after_a_topic_offers_suggestions_to_save():
    messages, events = run_action(ActionOfferHand(), [user_event("hvorfor klem", "hug_why")], {"language": "nb"})
    offered = json.loads(slots_set(events)["offered_actions"])
    assert offered and all(o["topic"] == "hug_why" and o["hand"] == "big" for o in offered)
    assert _payloads(messages)[0] == '/trial_action_save{"suggestion_index":"1"}'


def test_offer_hand_after_a_topic_without_a_hand_clears_the_offer():
    messages, events = run_action(ActionOfferHand(), [user_event("hva er tilknytning", "attachment_what")])
    assert messages == [] and slots_set(events) == {"offered_actions": None}


def test_situation_hand_asks_what_the_child_shows_first():
    messages, events = run_action(ActionSituationHand(), [user_event("barnet i hagen", "describe_situation")],
                                  {"language": "nb"})
    assert '/describe_situation{"emotion":"sad"}' in _payloads(messages)
    assert slots_set(events)["situation_questions"] == 1


def test_situation_hand_asks_what_a_calm_child_seeks():
    messages, _ = run_action(ActionSituationHand(), [user_event("hun er rolig", "describe_situation")],
                             {"language": "da"})
    assert '/describe_situation{"seeks":"closeness"}' in _payloads(messages)


def test_situation_hand_gives_the_big_hand_to_an_upset_child_and_offers_actions():
    messages, events = run_action(ActionSituationHand(), [user_event("han er lei seg og gråter", "describe_situation")],
                                  {"language": "nb"})
    slots = slots_set(events)
    assert json.loads(slots["offered_actions"])[0]["situation"] == "han er lei seg og gråter"
    assert slots["situation_text"] is None and slots["emotion"] is None
    assert "store hånden" in _texts(messages)


# ---- prøvehandlinger ----------------------------------------------------------------------------

def test_save_trial_action_stores_the_chosen_suggestion_once(store):
    offered = json.dumps([{"topic": "hug_why", "hand": "big", "text": "Gi en klem"},
                          {"topic": "hug_why", "hand": "big", "text": "Sitt nær"}])
    slots = {"language": "nb", "offered_actions": offered, "suggestion_index": "2"}
    messages, events = run_action(ActionSaveTrialAction(), [user_event("/trial_action_save", "trial_action_save")], slots)
    run_action(ActionSaveTrialAction(), [user_event("/trial_action_save", "trial_action_save")], slots)  # double tap
    assert "Lagret som prøvehandling nr." in _texts(messages) and "«Sitt nær»" in _texts(messages)
    assert list(_actions(store()).values()) == [("planned", None)]
    assert slots_set(events) == {"trial_action_number": None, "trial_action_id": None, "outcome": None,
                                 "suggestion_index": None}


def test_save_trial_action_with_nothing_offered_says_so(store):
    messages, _ = run_action(ActionSaveTrialAction(), [user_event("lagre", "trial_action_save")], {"language": "da"})
    assert "ingen prøvehandling at gemme" in _texts(messages) and _actions(store()) == {}


def test_list_trial_actions_shows_buttons_per_status(store):
    key = store()
    planned, tried = _save(key, "Første"), _save(key, "Andre")
    with session_scope(user_store.engine()) as session:
        queries.mark_tried(session, key, _internal_id(key, tried))
    messages, _ = run_action(ActionListTrialActions(), [user_event("mine", "trial_action_list")], {"language": "nb"})
    assert "Dine prøvehandlinger:" in _texts(messages)
    assert set(_payloads(messages)) == {
        f'/trial_action_tried{{"trial_action_number":"{planned}"}}', f'/trial_action_delete{{"trial_action_number":"{planned}"}}',
        f'/trial_action_evaluate{{"trial_action_number":"{tried}"}}', f'/trial_action_delete{{"trial_action_number":"{tried}"}}'}


def test_list_trial_actions_when_empty(store):
    messages, _ = run_action(ActionListTrialActions(), [user_event("mine", "trial_action_list")], {"language": "da"})
    assert _texts(messages) == "Du har ingen gemte prøvehandlinger."


def test_mark_tried_then_evaluate_from_free_text(store):
    action_id = _save(store())
    messages, _ = run_action(ActionMarkTried(), [user_event("jeg har prøvd", "trial_action_tried")], {"language": "nb"})
    assert f'/trial_action_evaluate{{"trial_action_number":"{action_id}","outcome":"helped"}}' in _payloads(messages)
    messages, _ = run_action(ActionEvaluateTrialAction(), [user_event("det hjalp delvis", "trial_action_evaluate")],
                             {"language": "nb"})
    assert _texts(messages) == "Takk! Jeg har notert at det hjalp delvis."
    assert _actions(store()) == {action_id: ("evaluated", "partly")}


def test_evaluate_without_an_outcome_asks_how_it_went(store):
    action_id = _save(store())
    messages, _ = run_action(ActionEvaluateTrialAction(), [user_event("vurder", "trial_action_evaluate")],
                             {"language": "nb", "trial_action_number": str(action_id)})
    assert "Hvordan gikk prøvehandlingen" in _texts(messages) and len(_payloads(messages)) == 3


def test_mark_tried_and_evaluate_without_an_action_say_not_found(store):
    for action in (ActionMarkTried(), ActionEvaluateTrialAction()):
        messages, _ = run_action(action, [user_event("det hjalp", "trial_action_evaluate")], {"language": "nb"})
        assert _texts(messages) == "Jeg finner ikke den prøvehandlingen."


def test_delete_trial_action_only_deletes_the_users_own(store):
    mine = _save(store())
    theirs = [_save(store("someone-else")), _save(store("someone-else"), "Deres andre")]
    assert (mine, theirs) == (1, [1, 2])
    messages, _ = run_action(ActionDeleteTrialAction(), [user_event("slett", "trial_action_delete")],
                             {"language": "nb", "trial_action_number": "2"})  # only the other user has a nr. 2
    assert _texts(messages) == "Jeg finner ikke den prøvehandlingen."
    messages, _ = run_action(ActionDeleteTrialAction(), [user_event("slett", "trial_action_delete")],
                             {"language": "nb", "trial_action_number": str(mine)})
    assert _texts(messages) == "Prøvehandlingen er slettet."
    assert _actions(store()) == {} and sorted(_actions(store("someone-else"))) == theirs


# ---- the user's own numbers ----------------------------------------------------------------------

OFFERED = json.dumps([{"topic": "hug_why", "hand": "big", "text": "Gi en klem"},
                      {"topic": "hug_why", "hand": "big", "text": "Sitt nær"},
                      {"topic": "hug_why", "hand": "small", "text": "La ham velge bok"}])


def _save_offered(sender, index):
    slots = {"language": "nb", "offered_actions": OFFERED, "suggestion_index": str(index)}
    messages, _ = run_action(ActionSaveTrialAction(), [user_event("/trial_action_save", "trial_action_save")], slots,
                             sender=sender)
    return _texts(messages)


def test_two_new_users_are_each_told_nr_1(store):
    assert _save_offered("new-user-a", 1).startswith("Lagret som prøvehandling nr. 1: «Gi en klem»")
    assert _save_offered("new-user-b", 1).startswith("Lagret som prøvehandling nr. 1: «Gi en klem»")
    assert _save_offered("new-user-b", 2).startswith("Lagret som prøvehandling nr. 2: «Sitt nær»")
    assert _internal_id(store("new-user-b"), 1) == 2, "the database id (here 2) is never what the user is told"


def test_numbers_stay_after_deleting_and_are_never_given_again(store):
    key = store()
    _save_offered("test-user", 1), _save_offered("test-user", 2)
    messages, _ = run_action(ActionDeleteTrialAction(), [user_event("slett", "trial_action_delete")],
                             {"language": "nb", "trial_action_number": "1"})
    assert _texts(messages) == "Prøvehandlingen er slettet."
    assert "nr. 3:" in _save_offered("test-user", 3)
    listing, _ = run_action(ActionListTrialActions(), [user_event("mine", "trial_action_list")], {"language": "nb"})
    assert _texts(listing).splitlines()[1:] == ["3. La ham velge bok (planlagt)", "2. Sitt nær (planlagt)"]
    assert "Prøvd nr. 2" in [b["title"] for m in listing for b in m.get("buttons") or []]
    run_action(ActionDeleteTrialAction(), [user_event("slett", "trial_action_delete")],
               {"language": "nb", "trial_action_number": "3"})  # the newest: its number is not freed either
    assert "nr. 4:" in _save_offered("test-user", 1)
    assert sorted(_actions(key)) == [2, 4]


def test_list_and_buttons_show_the_users_numbers_not_database_ids(store):
    for text in ("a", "b", "c"):
        _save(store("someone-else"), text)
    key = store()
    first, second = _save(key, "Første"), _save(key, "Andre")
    assert (first, second) == (1, 2) and _internal_id(key, 2) == 5
    with session_scope(user_store.engine()) as session:
        queries.mark_tried(session, key, _internal_id(key, 2))
    messages, _ = run_action(ActionListTrialActions(), [user_event("mine", "trial_action_list")], {"language": "nb"})
    assert _texts(messages) == "Dine prøvehandlinger:\n2. Andre (prøvd)\n1. Første (planlagt)"
    assert [b["title"] for m in messages for b in m["buttons"]] == [
        "Hvordan gikk nr. 2?", "Slett nr. 2", "Prøvd nr. 1", "Slett nr. 1"]
    assert set(_payloads(messages)) == {
        '/trial_action_evaluate{"trial_action_number":"2"}', '/trial_action_delete{"trial_action_number":"2"}',
        '/trial_action_tried{"trial_action_number":"1"}', '/trial_action_delete{"trial_action_number":"1"}'}
    messages, _ = run_action(ActionMarkTried(), [user_event("prøvd", "trial_action_tried")],
                             {"language": "nb", "trial_action_number": "1"})
    assert '/trial_action_evaluate{"trial_action_number":"1","outcome":"helped"}' in _payloads(messages)
    assert _actions(key) == {1: ("tried", None), 2: ("tried", None)}


def test_another_user_cannot_reach_a_users_numbers(store):
    alice, bob = store("alice"), store("bob")
    _save(alice, "Alices første"), _save(alice, "Alices andre")
    _save(bob, "Bobs første")
    for action, slots in ((ActionEvaluateTrialAction(), {"trial_action_number": "2", "outcome": "helped"}),
                          (ActionEvaluateTrialAction(), {"trial_action_number": "2"}),
                          (ActionMarkTried(), {"trial_action_number": "2"}),
                          (ActionDeleteTrialAction(), {"trial_action_number": "2"})):
        messages, _ = run_action(action, [user_event("nr 2", "trial_action_evaluate")], {"language": "nb", **slots},
                                 sender="bob")
        assert _texts(messages) == "Jeg finner ikke den prøvehandlingen."
    messages, _ = run_action(ActionEvaluateTrialAction(), [user_event("det hjalp", "trial_action_evaluate")],
                             {"language": "nb", "trial_action_number": "1", "outcome": "helped"}, sender="bob")
    assert _texts(messages) == "Takk! Jeg har notert at det hjalp."
    assert _actions(bob) == {1: ("evaluated", "helped")}
    assert _actions(alice) == {1: ("planned", None), 2: ("planned", None)}, "Bob's nr. 1 is not Alice's nr. 1"


def test_buttons_sent_before_the_numbers_still_name_the_users_own_row(store):
    """A button sent by the previous release (still in a Telegram chat) carries the database id in
    `trial_action_id`: it names that row of this user only – never another row with that number."""
    alice, bob = store("alice"), store("bob")
    _save(bob, "Bobs første")  # id 1
    _save(alice, "Alices første"), _save(alice, "Alices andre")  # ids 2 and 3, Alice's nr. 1 and nr. 2
    messages, _ = run_action(ActionEvaluateTrialAction(), [user_event("det hjalp", "trial_action_evaluate")],
                             {"language": "nb", "trial_action_id": "2", "outcome": "helped"}, sender="alice")
    assert _texts(messages) == "Takk! Jeg har notert at det hjalp."
    assert _actions(alice) == {1: ("evaluated", "helped"), 2: ("planned", None)}
    for legacy_id in ("1", "3"):  # Bob's row, and Alice's row by Bob
        messages, _ = run_action(ActionDeleteTrialAction(), [user_event("slett", "trial_action_delete")],
                                 {"language": "nb", "trial_action_id": legacy_id}, sender="bob" if legacy_id == "3" else "alice")
        assert _texts(messages) == "Jeg finner ikke den prøvehandlingen."
    messages, _ = run_action(ActionDeleteTrialAction(), [user_event("slett", "trial_action_delete")],
                             {"language": "nb", "trial_action_number": "99999999999"}, sender="alice")
    assert _texts(messages) == "Jeg finner ikke den prøvehandlingen."
    assert len(_actions(alice)) == 2 and len(_actions(bob)) == 1


# ---- follow-up ----------------------------------------------------------------------------------

def test_ask_followup_on_return_asks_once_then_replays_the_message(store):
    created = datetime.now(timezone.utc) - timedelta(days=3)
    action_id = _save(store(), "Gi en klem", followup_delay_days=2, now=created)
    assert asyncio.run(due_followup_number(tracker([]))) == action_id
    latest = user_event("hva er tilknytning", "attachment_what")
    messages, events = run_action(ActionAskFollowup(), [latest], {"language": "nb", "followup_due": str(action_id)})
    assert "For 3 dager siden" in _texts(messages) and "her er svaret" in _texts(messages)
    assert [e["event"] for e in events] == ["slot", "action", "user"] and events[2]["text"] == "hva er tilknytning"
    messages, _ = run_action(ActionAskFollowup(), [latest], {"language": "nb", "followup_due": str(action_id)})
    assert messages == [] and asyncio.run(due_followup_number(tracker([]))) is None


def test_ask_followup_pushed_by_the_channel_does_not_replay(store):
    _save(store(), followup_delay_days=0)
    messages, events = run_action(ActionAskFollowup(), [user_event("/followup", "followup")], {"language": "da"})
    assert "Velkommen tilbage!" in _texts(messages) and "her er svaret" not in _texts(messages)
    assert slots_set(events) == {"followup_due": None} and len(events) == 1


def test_followup_names_and_answers_the_users_number(store):
    for text in ("a", "b"):
        _save(store("someone-else"), text, followup_delay_days=0)
    number = _save(store(), "Gi en klem", followup_delay_days=0)
    assert number == 1 and asyncio.run(due_followup_number(tracker([]))) == 1
    messages, _ = run_action(ActionAskFollowup(), [user_event("/followup", "followup")],
                             {"language": "nb", "followup_due": "1"})
    assert "«Gi en klem»" in _texts(messages)
    assert set(_payloads(messages)) == {f'/trial_action_evaluate{{"trial_action_number":"1","outcome":"{o}"}}'
                                        for o in ("helped", "partly", "not_helped")}


# ---- privacy ------------------------------------------------------------------------------------

def test_privacy_tells_retention_and_idle_minutes(monkeypatch):
    monkeypatch.setenv("RETENTION_DAYS", "30")
    monkeypatch.setenv("WIDGET_IDLE_MINUTES", "15")
    messages, events = run_action(ActionPrivacy(), [user_event("personvern", "privacy")])
    assert events == [] and messages[0]["response"] == "utter_privacy"
    assert messages[0]["retention_days"] == 30 and messages[0]["idle_minutes"] == "15"


def test_delete_my_data_deletes_every_row_of_the_user_only(store):
    _save(store()), _save(store("someone-else"))
    messages, events = run_action(ActionDeleteMyData(), [user_event("slett alt", "delete_my_data")], {"language": "da"})
    assert [m["response"] for m in messages] == ["utter_data_deleted"]
    assert [e["event"] for e in events] == ["reset_slots", "slot"] and slots_set(events) == {"language": "da"}
    assert _actions(store()) == {} and len(_actions(store("someone-else"))) == 1


# ---- reflection ---------------------------------------------------------------------------------

def test_reflection_form_validates_free_text_and_the_hand():
    form, dispatcher, empty = ValidateReflectionForm(), CollectingDispatcher(), tracker([])
    assert form.validate_refl_situation("Barnet gråt ved henting", dispatcher, empty, {}) == {
        "refl_situation": "Barnet gråt ved henting"}
    assert form.validate_refl_adult("🙂", dispatcher, empty, {}) == {"refl_adult": None}
    assert form.validate_refl_child("x" * 1001, dispatcher, empty, {}) == {"refl_child": None}
    assert form.validate_refl_action("Sitte nær", dispatcher, empty, {}) == {"refl_action": "Sitte nær"}
    assert form.validate_refl_hand("først store så lille", dispatcher, empty, {}) == {"refl_hand": "both"}
    assert form.validate_refl_hand("vet ikke", dispatcher, empty, {}) == {"refl_hand": None}
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_reflection_answer_invalid", "utter_reflection_answer_invalid", "utter_reflection_hand_invalid"]


def test_reflection_referat_saves_reflection_and_action_and_clears_the_form(store):
    slots = {"language": "nb", "refl_situation": "Ring 912 34 567 om henting", "refl_adult": "Jeg ble stresset",
             "refl_child": "Hun var redd", "refl_hand": "big", "refl_action": "Ta henne på fanget"}
    messages, events = run_action(ActionReflectionReferat(), [user_event("ferdig", "affirm")], slots)
    referat = messages[0]["custom"]
    assert referat["type"] == "referat" and referat["filename"].startswith("referat-sma-barns-stemmer-")
    assert "[telefon]" in referat["text"] and "912 34 567" not in referat["text"]
    assert slots_set(events) == {slot: None for slot in slots if slot != "language"}
    with session_scope(user_store.engine()) as session:
        reflections = queries.list_reflections(session, store())
    assert len(reflections) == 1 and reflections[0].trial_action_id == _internal_id(store(), 1)


def test_store_calls_run_off_the_event_loop(store, monkeypatch):
    import threading

    threads = []
    real = queries.list_trial_actions
    monkeypatch.setattr(queries, "list_trial_actions",
                        lambda *args, **kwargs: threads.append(threading.current_thread()) or real(*args, **kwargs))
    run_action(ActionListTrialActions(), [user_event("mine", "trial_action_list")], {"language": "nb"})
    assert threads and threading.main_thread() not in threads


# ---- questions inside the reflection ------------------------------------------------------------

NOT_THE_ANSWER = {"crisis", "crisis_possible", "crisis_confirmed", "crisis_ruled_out", "stop", "input_unreadable"}


def _yaml(path: str):
    return yaml.safe_load((REPO_ROOT / path).read_text(encoding="utf-8"))


def test_the_answerable_intents_agree_in_content_domain_and_rule():
    answered = answered_intents()
    topics = {t["id"] for t in _yaml("content/topics.yml")["content"]}
    assert topics <= answered and {"help", "privacy", "bot_challenge"} <= answered
    slots = _yaml("domain/reflection.yml")["slots"]
    for slot, spec in slots.items():
        from_text = [m for m in spec["mappings"] if m["type"] == "from_text"]
        assert [set(m["not_intent"]) for m in from_text] == [NOT_THE_ANSWER | answered], slot
        assert any(m["type"] == "custom" for m in spec["mappings"]), f"{slot}: statements taken for a topic"
    [rule] = [r for r in _yaml("data/rules/reflection.yml")["rules"] if "question inside" in r["rule"]]
    assert rule["condition"] == [{"active_loop": "reflection_form"}]
    assert {step["intent"] for step in rule["steps"][0]["or"]} == answered
    assert rule["steps"][1:] == [{"action": "action_answer_inside_form"}, {"action": "reflection_form"},
                                 {"active_loop": "reflection_form"}]
    responses = set()
    for path in (REPO_ROOT / "domain").rglob("*.yml"):
        responses |= set((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {})
    assert {i for i in answered if f"utter_{i}" not in responses} <= set(ANSWER_ACTIONS)  # the rest: a custom action


@pytest.mark.parametrize("text", [
    "hvad er den lille hånd", "hvad er den lille hånd?", "Hva er tilknytning", "hvorfor klemmer vi", "Kva er den vesle handa",
    "korleis kan eg trøyste han", "Hvordan taler jeg med barnet om kram", "Kan jeg spørre før jeg klemmer?",
    "er du en robot", "hvad gemmer I om mig", "den lille hånd?", "/small_hand", "hvornår skal man bruge den store hånd",
    "HVAD ER OMSORGSGREBET", "hvad betyder mentalisering"])
def test_questions_are_questions(text):
    assert is_question(text)


@pytest.mark.parametrize("text", [
    "Han gråter ved levering i barnehagen hver morgen", "Når jeg henter ham, gråter han", "Jeg vet ikke hvem som henter meg",
    "den lille hånden", "Vi blir usikre og prøver å trøste ham", "Hun vil ikke klemme meg", "Jeg tager ham på skødet",
    "Vil ikke spise", "Har ikke sovet i natt", "Kan ikke sove etter samvær", "Er ikke sikker på hva han trenger",
    "kunne ikke trøste ham", ""])
def test_statements_are_not_questions(text):
    assert not is_question(text)


def _parse(text: str, intent: str, confidence: float) -> dict:
    return {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": []}


def test_a_question_is_answered_only_when_the_classifier_is_sure_of_an_answerable_intent():
    assert asks_a_question(_parse("hvad er den lille hånd?", "small_hand", 0.9))
    assert asks_a_question(_parse("hva lagrer dere om meg", "privacy", 0.8))
    assert not asks_a_question(_parse("hvad er den lille hånd?", "small_hand", 0.2)), "unsure: it is the answer"
    assert not asks_a_question(_parse("Hun vil ikke klemme meg", "hug_child_refuses", 0.95)), "a statement"
    assert not asks_a_question(_parse("hvorfor gråter han?", "describe_situation", 0.9)), "not answerable"
    assert not asks_a_question(_parse("hva om han skader seg?", "crisis_possible", 1.0))
    child = _parse("Er du glad i meg?", "bot_challenge", 0.69)
    assert asks_a_question(child) and not asks_a_question(child, "refl_child"), "the child's voice at step 3"
    assert asks_a_question(_parse("hva er tilknytning?", "attachment_what", 0.9), "refl_child")


def _in_form(text: str, intent: str, confidence: float, requested: str):
    event = {"event": "user", "text": text, "parse_data": _parse(text, intent, confidence)}
    return tracker([event], {"requested_slot": requested, "language": "da"})


def test_statements_taken_for_a_topic_are_still_the_answer_and_questions_fill_nothing():
    form, dispatcher = ValidateReflectionForm(), CollectingDispatcher()
    statement = _in_form("Hun vil ikke krammes når jeg henter hende", "hug_child_refuses", 0.9, "refl_situation")
    assert form.extract_refl_situation(dispatcher, statement, {}) == {
        "refl_situation": "Hun vil ikke krammes når jeg henter hende"}
    assert form.extract_refl_adult(dispatcher, statement, {}) == {}, "only the requested slot"
    question = _in_form("hvad er den lille hånd?", "small_hand", 0.93, "refl_hand")
    assert form.extract_refl_hand(dispatcher, question, {}) == {}
    unsure = _in_form("hvad med den lille hånd?", "small_hand", 0.3, "refl_hand")
    assert form.extract_refl_hand(dispatcher, unsure, {}) == {"refl_hand": "hvad med den lille hånd?"}
    for intent in NOT_THE_ANSWER | {"describe_situation", "nlu_fallback"}:
        assert form.extract_refl_action(dispatcher, _in_form("noget", intent, 1.0, "refl_action"), {}) == {}, intent
    assert dispatcher.messages == []


def test_a_free_text_hand_is_understood_by_the_words_of_the_source():
    assert hand_by_source_words("Jeg tager ham på skødet og trøster ham") == "big"
    assert hand_by_source_words("Hun trenger nærhet og beskyttelse nå") == "big"
    assert hand_by_source_words("han har brug for tryghed") == "big"
    assert hand_by_source_words("Hun skal få lov at mestre det selv og deltage i legen") == "small"
    assert hand_by_source_words("støtte til selvstændighed og nye færdigheder") == "small"
    assert hand_by_source_words("trost og mestring") is None, "both hands: ask again"
    for unclear in ("asdf qwer", "vet ikke", "hmm", "utrygg", ""):
        assert hand_by_source_words(unclear) is None, unclear


def test_the_hand_step_understands_free_text_or_asks_again_kindly_with_two_buttons():
    form, dispatcher, empty = ValidateReflectionForm(), CollectingDispatcher(), tracker([])
    assert form.validate_refl_hand("Jeg tager ham på skødet og trøster ham", dispatcher, empty, {}) == {"refl_hand": "big"}
    assert form.validate_refl_hand("den lille hånden", dispatcher, empty, {}) == {"refl_hand": "small"}
    assert dispatcher.messages == []
    assert form.validate_refl_hand("xkcd blorp", dispatcher, empty, {}) == {"refl_hand": None}
    assert [m["response"] for m in dispatcher.messages] == ["utter_reflection_hand_invalid"]
    kind = _yaml("domain/responses/reflection.yml")["responses"]["utter_reflection_hand_invalid"]
    for variation in kind:
        assert [b["payload"] for b in variation["buttons"]] in (["den store hånden", "den lille hånden"],
                                                                ["den store hånd", "den lille hånd"])
        # the small hand in the source's words («udvikling af færdigheder og deltagelse»), not «mestre»
        assert "nærhe" in variation["text"] and "trøst" in variation["text"] and "delta" in variation["text"]
        assert ("ferdigheter" in variation["text"] or "færdigheder" in variation["text"]) and "mestr" not in variation["text"]


def test_step_four_is_asked_unless_the_kind_re_ask_just_stood_in_for_it():
    answer = user_event("xkcd blorp", "nlu_fallback")
    messages, events = run_action(ActionAskReflHand(), [user_event("Jeg er bange", "describe_situation"),
                                                        {"event": "slot", "name": "refl_child", "value": "Jeg er bange"}])
    assert [m["response"] for m in messages] == ["utter_ask_refl_hand"] and events == []
    messages, _ = run_action(ActionAskReflHand(), [answer, {"event": "slot", "name": "refl_hand", "value": None}])
    assert messages == []
    messages, _ = run_action(ActionAskReflHand(), [{"event": "slot", "name": "refl_hand", "value": None},
                                                   user_event("hvad er den lille hånd?", "small_hand"),
                                                   {"event": "action", "name": "action_answer_inside_form"}])
    assert [m["response"] for m in messages] == ["utter_ask_refl_hand"], "after an answered question: step 4 again"


def test_a_question_inside_the_reflection_gets_the_topic_answer_without_a_hand_offer():
    messages, events = run_action(ActionAnswerInsideForm(), [user_event("hvad er den lille hånd?", "small_hand")],
                                  {"language": "da", "requested_slot": "refl_hand"})
    assert [m["response"] for m in messages] == ["utter_small_hand"] and events == []
    messages, _ = run_action(ActionAnswerInsideForm(), [user_event("hvad gemmer I om mig?", "privacy")], {"language": "da"})
    assert [m["response"] for m in messages] == ["utter_privacy"] and messages[0]["retention_days"]
    messages, _ = run_action(ActionAnswerInsideForm(), [user_event('/help_theme{"theme":"klem"}', "help_theme")],
                             {"language": "nb", "theme": "klem"})
    assert _payloads(messages) and all(p.startswith("/") for p in _payloads(messages))
    messages, _ = run_action(ActionAnswerInsideForm(), [user_event("noget", "describe_situation")], {"language": "da"})
    assert messages == []
