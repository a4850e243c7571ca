"""Warmth where it is due, with the real bot (Rasa REST + action server): a foster parent or a
pedagogue who tells of their own strain gets a few words that acknowledge it first, then the sourced
answer; a fact question gets the answer first; a crisis message gets the crisis answer first and
no acknowledgement at all. Norwegian and Danish. None of these messages is trained on."""
from __future__ import annotations

import uuid

import pytest
import yaml
from rasa.shared.core.domain import Domain

from tests.nlu_data import REPO_ROOT
from tests.test_crisis_e2e import assert_numbers_first, say, texts

DISTRESSED = {
    "nb": "Jeg er fostermor og helt utslitt. Fostersønnen vår på fire vil aldri ha klem, han snur seg bort "
          "hver gang jeg prøver. Hva gjør jeg når barnet ikke vil klemme?",
    "da": "Jeg er pædagog og ærlig talt helt udmattet. En dreng på stuen vil aldrig have et kram af mig. "
          "Hvad gør jeg, når barnet ikke vil krammes?",
}
FACT = {"nb": "hva er tilknytning", "da": "hvad er tilknytning"}
CRISIS = {"nb": "jeg orker ikke mer, jeg har tenkt på å avslutte alt sammen",
          "da": "jeg kan ikke mere, jeg har tænkt på at afslutte det hele"}


@pytest.fixture(scope="module")
def responses():
    return Domain.load(str(REPO_ROOT / "domain")).as_dict()["responses"]


def _acknowledgements(responses, language):
    return {v["text"] for v in responses["utter_acknowledge_distress"]
            if {"type": "slot", "name": "language", "value": language} in v["condition"]}


def _answers(responses, language):
    """Every text of every content topic's answer in `language` (all audiences)."""
    topics = yaml.safe_load((REPO_ROOT / "content" / "topics.yml").read_text(encoding="utf-8"))["content"]
    return {v["text"] for t in topics for v in responses[f"utter_{t['id']}"]
            if {"type": "slot", "name": "language", "value": language} in (v.get("condition") or [])}


def _begins_an_answer(text, responses, language) -> bool:
    """The reply is the first part of a content topic's answer (a long answer comes in parts)."""
    return bool(text) and any(answer.startswith(text) for answer in _answers(responses, language))


@pytest.mark.parametrize("language", ["nb", "da"])
def test_a_story_told_in_distress_is_acknowledged_first_then_answered_from_the_source(bot_servers, responses,
                                                                                       language):
    replies = say(bot_servers, uuid.uuid4().hex, DISTRESSED[language], language)
    assert len(replies) >= 2, texts(replies)
    assert replies[0]["text"] in _acknowledgements(responses, language), texts(replies)
    assert _begins_an_answer(replies[1]["text"], responses, language), texts(replies)
    assert sum(r.get("text") in _acknowledgements(responses, language) for r in replies) == 1


@pytest.mark.parametrize("language", ["nb", "da"])
def test_a_fact_question_gets_the_answer_first_and_no_acknowledgement(bot_servers, responses, language):
    replies = say(bot_servers, uuid.uuid4().hex, FACT[language], language)
    assert replies and _begins_an_answer(replies[0]["text"], responses, language), texts(replies)
    assert not any(r.get("text") in _acknowledgements(responses, language) for r in replies)


@pytest.mark.parametrize("language", ["nb", "da"])
def test_a_crisis_told_in_distress_gets_the_crisis_answer_first_and_alone(bot_servers, responses, language):
    replies = say(bot_servers, uuid.uuid4().hex, CRISIS[language], language)
    assert_numbers_first(replies, language)
    acknowledgements = _acknowledgements(responses, "nb") | _acknowledgements(responses, "da")
    assert not any(r.get("text") in acknowledgements for r in replies), texts(replies)
    assert not any(_begins_an_answer(r.get("text"), responses, language) for r in replies), texts(replies)


def test_the_next_fact_question_of_the_same_user_is_not_acknowledged(bot_servers, responses):
    """The signal belongs to one message: nothing carries it over to the next."""
    sender = uuid.uuid4().hex
    first = say(bot_servers, sender, DISTRESSED["nb"], "nb")
    assert first[0]["text"] in _acknowledgements(responses, "nb"), texts(first)
    then = say(bot_servers, sender, FACT["nb"], "nb")
    assert then and _begins_an_answer(then[0]["text"], responses, "nb"), texts(then)
    assert not any(r.get("text") in _acknowledgements(responses, "nb") for r in then)
