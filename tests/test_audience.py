"""Who is asking (domain/audience.yml, actions/audience.py): seeded by the channel, asked once
when an answer is written per audience, changeable – and the answer fits the audience.
No model, no server: the actions run with Rasa's CollectingDispatcher and the real domain."""
from __future__ import annotations

import re

import pytest
from rasa.shared.core.domain import Domain

from actions.audience import ActionAnswerForAudience, ActionSetAudience
from actions.domain_responses import has_audience_variations, responses, written_per_audience
from actions.hand_offer import ActionOfferHand
from actions.session_start import ActionSessionStart
from tests.action_harness import run_action, slots_set, user_event
from trygg.audiences import AUDIENCES, audience_named_in, pick_audience

LANGUAGES = ("nb", "da")


@pytest.fixture(scope="module")
def domain():
    return Domain.load("domain").as_dict()


def _variation_for(domain, response, language, audience):
    """The variation Rasa's NLG would pick: every condition of it matches the slots."""
    slots = {"language": language, "audience": audience}
    matching = [v for v in domain["responses"][response]
                if all(slots.get(c["name"]) == c["value"] for c in v.get("condition") or [])]
    assert len(matching) == 1, f"{response} has {len(matching)} variations for {language}/{audience}"
    return matching[0]


def _audience_responses(domain):
    return sorted(name for name, variations in domain["responses"].items() if has_audience_variations(variations))


def test_some_answers_are_written_per_audience(domain):
    assert "utter_leader_role" in _audience_responses(domain)


def test_the_action_server_reads_the_responses_rasa_has(domain):
    """Rasa no longer sends its domain with every action (enable_selective_domain): the action
    server's own reading of domain/ must know the same answers, and the same ones per audience."""
    assert responses() == domain["responses"]
    assert written_per_audience() == frozenset(_audience_responses(domain))


def test_every_response_written_per_audience_has_exactly_one_text_for_every_language_and_audience(domain):
    """Rasa picks among the variations whose conditions all match, and says nothing when none does:
    so an answer written per audience needs one variation for each language × audience and for an
    audience not known yet (value null) – no gap (silence) and no overlap (a random pick)."""
    for response in _audience_responses(domain) + ["utter_audience_set"]:
        for language in LANGUAGES:
            for audience in AUDIENCES + ((None,) if response != "utter_audience_set" else ()):
                variation = _variation_for(domain, response, language, audience)
                assert variation["text"].strip(), (response, language, audience)
        for variation in domain["responses"][response]:
            names = sorted(c["name"] for c in variation["condition"])
            assert names == ["audience", "language"], f"{response}: every variation names language and audience"


def test_a_pedagogue_asking_a_leader_topic_is_told_it_is_the_leaders_job(domain):
    for language, job in (("nb", "lederens oppgave"), ("da", "lederens opgave")):
        for_pedagogue = _variation_for(domain, "utter_leader_role", language, "pedagog")["text"]
        for_leader = _variation_for(domain, "utter_leader_role", language, "leder")["text"]
        assert job in for_pedagogue and "Som leder har du" not in for_pedagogue
        assert for_leader.startswith("Som leder har du")
        assert "Kilde:" in for_pedagogue


@pytest.mark.parametrize("text, audience", [
    ("jeg er fostermor", "fosterforelder"), ("Vi er plejeforældre til en dreng på 3", "fosterforelder"),
    ("jeg er pædagog i en vuggestue", "pedagog"), ("jeg er paedagog", "pedagog"),
    ("jeg er pedagogisk leder på småbarnsavdelingen", "pedagog"), ("jeg er styrer", "leder"),
    ("Jeg er leder af en daginstitution", "leder"), ("jeg jobber som barnehagelærer", "pedagog"),
    ("svar meg som leder", "leder"), ("beskriv tilknytning for meg, jeg er ny fostermor", "fosterforelder"),
    ("eg e fostermor", "fosterforelder"),
    # not said of themselves
    ("hva er lederens rolle", None), ("jeg snakket med lederen i går", None), ("min leder sier nei", None),
    ("jeg er ikke fosterforelder", None), ("fosterforeldrene hans er skilt", None),
    ("bytt rolle", None), ("hei", None), ("", None),
])
def test_the_audience_a_writer_says_they_are(text, audience):
    assert audience_named_in(text) == audience


@pytest.mark.parametrize("text, audience", [("fostermor her", "fosterforelder"), ("pædagog", "pedagog"),
                                            ("ikke leder", None), ("bytt rolle", None)])
def test_a_message_only_about_the_role_may_just_name_it(text, audience):
    assert audience_named_in(text, strict=False) == audience


def test_only_known_audiences_are_taken_from_a_channel():
    assert pick_audience("Pedagog") == "pedagog"
    assert pick_audience("admin") is None and pick_audience(None) is None and pick_audience(["leder"]) is None


def test_session_start_takes_the_audience_from_the_channel_and_keeps_it_over_sessions():
    _, events = run_action(ActionSessionStart(), [], {"session_started_metadata": {"language": "da", "audience": "pedagog"}})
    assert slots_set(events)["audience"] == "pedagog"
    _, events = run_action(ActionSessionStart(), [], {"audience": "leder", "audience_asked": True,
                                                      "session_started_metadata": {"audience": "pedagog"}})
    assert slots_set(events)["audience"] == "leder" and slots_set(events)["audience_asked"] is True
    _, events = run_action(ActionSessionStart(), [], {"session_started_metadata": {"audience": "<script>"}})
    assert slots_set(events)["audience"] is None


def test_an_unknown_user_is_asked_once_after_an_answer_written_per_audience():
    question = [user_event("hva gjør lederen", "leader_role")]
    messages, events = run_action(ActionOfferHand(), question, {"language": "nb"})
    assert messages == [{"response": "utter_ask_audience", **_empty_message_fields(messages[0])}]
    assert slots_set(events) == {"audience_asked": True, "audience_topic": "leader_role", "offered_actions": None}
    # asked already: not again
    messages, _ = run_action(ActionOfferHand(), question, {"language": "nb", "audience_asked": True})
    assert all(m.get("response") != "utter_ask_audience" for m in messages)


def test_a_known_user_or_an_answer_for_everyone_gets_the_hand_offer_without_the_question():
    hug = [user_event("hvorfor klem", "hug_why")]
    messages, events = run_action(ActionOfferHand(), hug, {"language": "nb"})
    assert all(m.get("response") != "utter_ask_audience" for m in messages) and messages, "hug_why is one text for all"
    assert slots_set(events)["offered_actions"]
    messages, _ = run_action(ActionOfferHand(), [user_event("hva gjør lederen", "leader_role")],
                             {"language": "nb", "audience": "pedagog"})
    assert all(m.get("response") != "utter_ask_audience" for m in messages)


def _empty_message_fields(message):
    return {k: v for k, v in message.items() if k != "response"}


@pytest.mark.parametrize("entities, text, expected", [
    ([{"entity": "audience", "value": "pedagog"}], '/audience_inform{"audience": "pedagog"}', "pedagog"),
    ([], "jeg er plejemor", "fosterforelder"),
    ([{"entity": "audience", "value": "superuser"}], "jeg er leder", "leder"),
])
def test_the_user_sets_the_audience_by_button_or_in_words(entities, text, expected):
    _, events = run_action(ActionSetAudience(), [user_event(text, "audience_inform", entities=entities)])
    assert slots_set(events) == {"audience": expected, "audience_asked": True}


def test_a_change_without_a_role_is_asked_with_the_buttons():
    messages, events = run_action(ActionSetAudience(), [user_event("bytt rolle", "audience_inform")], {"audience": "leder"})
    assert [m["response"] for m in messages] == ["utter_ask_audience"]
    assert "audience" not in slots_set(events), "the old audience stays until the user picks one"


def test_after_the_choice_the_answer_comes_again_for_the_user_with_its_hand_offer():
    events = [user_event('/audience_inform{"audience": "pedagog"}', "audience_inform")]
    messages, returned = run_action(ActionAnswerForAudience(), events,
                                    {"language": "da", "audience": "pedagog", "audience_topic": "choose_hand"})
    assert [m.get("response") for m in messages][:2] == ["utter_audience_set", "utter_choose_hand"]
    assert len(messages) == 3 and messages[2]["buttons"], "then the hand offer of choose_hand, with its buttons"
    assert slots_set(returned)["audience_topic"] is None and slots_set(returned)["offered_actions"]


def test_a_choice_out_of_the_blue_is_only_confirmed():
    messages, returned = run_action(ActionAnswerForAudience(), [user_event("jeg er leder", "audience_inform")],
                                    {"language": "nb", "audience": "leder"})
    assert [m.get("response") for m in messages] == ["utter_audience_set"]


# ---- the answers written per audience (domain/responses/*.yml; docs/audience.md) ----------------------

WRITTEN_PER_AUDIENCE = ["utter_anchoring", "utter_attachment_can_change", "utter_birth_parents_feelings",
                        "utter_care_challenges", "utter_curriculum", "utter_foster_child_attachment",
                        "utter_leader_role", "utter_mentalization", "utter_smaa_boerns_stemmer",
                        "utter_trial_actions_what"]
# how a text speaks to foster parents about their own home
TO_FOSTER_PARENTS = {"nb": ("hos dere", "dere som fosterforeldre", "relasjonen til dere"),
                     "da": ("hos jer", "jer som plejeforældre", "relationen til jer")}
# the leader's own tasks, said to the leader
TO_THE_LEADER = ("Som leder ", "Heng opp plakater", "Hæng plakater")
# leader topics: a pedagogue is told what they mean for them, and that they are the leader's job
LEADER_TOPICS = ["utter_anchoring", "utter_care_challenges", "utter_curriculum", "utter_leader_role",
                 "utter_mentalization"]
# each language's own words for the home and the daycare (a link's address is not a word)
OTHER_LANGUAGES_WORDS = {"nb": ("plejebarn", "plejeforæld", "plejefamilie", "dagtilbud", "vuggestue"),
                         "da": ("fosterbarn", "fosterforeld", "fosterhjem", "barnehage", "avdeling")}


def _answers(domain):
    """The answers written per audience (utter_audience_set, said only once an audience is known, is not one)."""
    return [r for r in _audience_responses(domain) if r != "utter_audience_set"]


def _words(text):
    return re.sub(r"\S*www\.\S*", "", text)


def test_the_answers_whose_framing_differs_are_written_per_audience(domain):
    assert set(WRITTEN_PER_AUDIENCE) <= set(_answers(domain))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("audience", ("pedagog", "leder", None))
def test_only_a_foster_parent_is_spoken_to_about_their_own_home(domain, language, audience):
    """A Danish pædagog asking about attachment is not told «Et plejebarn får netop den mulighed hos jer»."""
    for response in _answers(domain):
        text = _variation_for(domain, response, language, audience)["text"]
        said = [p for p in TO_FOSTER_PARENTS[language] if p in text]
        assert not said, f"{response} [{language}/{audience}] says {said}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_foster_parent_is_spoken_to_about_their_home_where_the_source_is_about_it(domain, language):
    for response in ("utter_attachment_can_change", "utter_foster_child_attachment", "utter_birth_parents_feelings"):
        text = _variation_for(domain, response, language, "fosterforelder")["text"]
        assert any(p in text for p in TO_FOSTER_PARENTS[language]), f"{response} [{language}]"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("audience", ("fosterforelder", "pedagog"))
def test_only_a_leader_is_given_the_leaders_tasks_as_their_own(domain, language, audience):
    """A Norwegian foster parent asking how to anchor Omsorgsgrebet is not told «Heng opp plakater … på
    avdelingene», nor «Som leder har du …»."""
    for response in WRITTEN_PER_AUDIENCE:
        text = _variation_for(domain, response, language, audience)["text"]
        said = [p for p in TO_THE_LEADER if p in text]
        assert not said, f"{response} [{language}/{audience}] says {said}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_leader_asking_about_the_method_gets_the_leaders_part(domain, language):
    for response in ("utter_smaa_boerns_stemmer", "utter_trial_actions_what", "utter_mentalization", "utter_leader_role"):
        for_leader = _variation_for(domain, response, language, "leder")["text"]
        assert "Som leder " in for_leader, f"{response} [{language}]"
        assert for_leader != _variation_for(domain, response, language, "pedagog")["text"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("response", LEADER_TOPICS)
def test_a_pedagogue_asking_a_leader_topic_is_told_what_it_means_for_them(domain, language, response):
    text = _variation_for(domain, response, language, "pedagog")["text"]
    assert re.search(r"\blederens? op?pgave\b|\blederen\b|\bdin leder\b", text), f"{response} [{language}] names the leader"
    assert re.search(r"\b(deg|dig) som (pedagog|pædagog)\b|\bspørre deg\b|\bspørge\b", text), \
        f"{response} [{language}] speaks to the pedagogue"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("audience", AUDIENCES + (None,))
def test_every_text_written_per_audience_fits_a_phone_names_its_source_and_speaks_the_language(domain, language, audience):
    for response in _answers(domain):
        text = _variation_for(domain, response, language, audience)["text"]
        neutral = _variation_for(domain, response, language, None)["text"]
        words = len(re.findall(r"\w+", text))
        assert 30 <= words <= 140, f"{response} [{language}/{audience}] has {words} words"
        source = neutral.strip().splitlines()[-1]
        assert source.startswith("Kilde: «") and text.rstrip().endswith(source), f"{response} [{language}/{audience}]"
        other = [w for w in OTHER_LANGUAGES_WORDS[language] if w in _words(text).lower()]
        assert not other, f"{response} [{language}/{audience}] uses {other}"
