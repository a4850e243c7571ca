"""Warmth where it is due (issue 12, point 5): the detector of a message told in distress
(trygg/distress.py, words in content/distress.yml), the NLU component that turns it into the
`distress` entity, the rules that put the acknowledgement first, and the acknowledgements
themselves (domain/distress.yml). No model, no server. The figures on held-out messages are in
tests/test_distress_heldout.py."""
from __future__ import annotations

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.distress_detector import DistressDetector
from tests.nlu_data import REPO_ROOT
from trygg.distress import is_distressed

# The writer's own strain, in many shapes (none of these is in tests/distress/heldout.yml).
DISTRESSED = [
    "jeg er så utrolig sliten av alt dette",
    "Jeg er helt fortvilet. Hva gjør jeg når hun ikke vil ha klem?",
    "vi er utslitte etter tre uker med lite søvn",
    "jeg orker ikke flere kvelder som dette",
    "orker jeg egentlig ikke mer nå",
    "det er så tungt når han skyver meg unna",
    "jeg er lei meg fordi hun ikke vil se på meg",
    "Jeg er så træt af at blive afvist hver dag",
    "det er virkelig hårdt at være ny i en plejefamilie",
    "jeg føler mig helt magtesløs",
    "jeg ved ikke hvad jeg skal gøre mere med ham",
    "jeg er fortvivlet over at hun ikke vil krammes",
    "JEG ER SA SLITEN",          # no æøå, capitals
    "eg er så sliten, ho vil ikkje ha klem",  # nynorsk
]
# Fact questions, calm situations, and feelings of the child or of someone else.
CALM = [
    "hva er trygg base",
    "hvorfor er det viktig med klem",
    "hvad er den lille hånd",
    "barnet er redd for hunder, hva gjør vi",
    "han er frustrert når leken stopper",
    "gutten blir lei seg når moren går",
    "drengen er ked af det ved afhentning",
    "jeg er ikke sliten, bare nysgjerrig på tilknytning",
    "det er ikke vanskelig, men jeg lurer på hvordan vi spør før en klem",
    "er det vanskelig for barn å knytte seg til nye voksne?",
    "hvordan hjelper vi et barn som er sint",
    "jeg jobber som pedagog og vil vite mer om Omsorgsgrebet",
]


@pytest.mark.parametrize("text", DISTRESSED)
def test_the_writers_own_strain_is_recognised(text):
    assert is_distressed(text), text


@pytest.mark.parametrize("text", CALM)
def test_fact_questions_calm_situations_and_the_childs_feelings_are_not(text):
    assert not is_distressed(text), text


@pytest.mark.parametrize("bad", [None, "", "   ", "😢😢😢", "/hug_why", 42, "…" * 5000, "jeg " * 3000])
def test_bad_input_never_crashes(bad):
    assert is_distressed(bad) in (True, False)


def _entities(text):
    message = Message(data={TEXT: text})
    DistressDetector().process([message])
    return [e for e in message.get(ENTITIES) or [] if e["entity"] == "distress"]


def test_the_component_sets_the_entity_only_for_a_message_told_in_distress():
    assert [e["value"] for e in _entities("jeg er helt utslitt og vet ikke hva jeg skal gjøre")] == ["true"]
    assert _entities("hva er tilknytning") == []
    # a button payload is a choice, not a story
    assert _entities('/hug_why{"x": "jeg er så sliten"}') == []


def test_the_component_keeps_the_other_entities():
    message = Message(data={TEXT: "jeg er fostermor og helt utslitt",
                            ENTITIES: [{"entity": "audience", "value": "fosterforelder"}]})
    DistressDetector().process([message])
    assert {e["entity"] for e in message.get(ENTITIES)} == {"audience", "distress"}


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(REPO_ROOT / "domain")).as_dict()


@pytest.mark.parametrize("language", ["nb", "da"])
def test_there_are_a_few_short_acknowledgements_in_each_language(domain, language):
    texts = [v["text"] for v in domain["responses"]["utter_acknowledge_distress"]
             if {"name": "language", "type": "slot", "value": language} in v["condition"]]
    assert len(texts) >= 3, "a few variants, so it does not read like a form"
    for text in texts:
        assert len(text.split()) <= 10, f"a few words, not a paragraph: {text!r}"


def _rules(name):
    return yaml.safe_load((REPO_ROOT / "data" / "rules" / name).read_text(encoding="utf-8"))["rules"]


def test_every_content_topic_acknowledges_distress_first_and_only_outside_a_form():
    topics = [t["id"] for t in yaml.safe_load((REPO_ROOT / "content" / "topics.yml").read_text(encoding="utf-8"))["content"]]
    warm = {}
    for rule in _rules("topics.yml") + _rules("practice.yml"):
        first = rule["steps"][0]
        if first.get("entities"):
            warm[first["intent"]] = rule
    assert set(topics) | {"describe_situation"} == set(warm)
    for intent, rule in warm.items():
        assert rule["steps"][0]["entities"] == [{"distress": "true"}]
        assert rule["steps"][1] == {"action": "utter_acknowledge_distress"}, intent
        assert rule["condition"] == [{"active_loop": None}], "the reflection answers questions its own way"


def test_the_crisis_rules_never_acknowledge_first():
    for name in ("crisis.yml", "reflection.yml"):
        for rule in _rules(name):
            assert {"action": "utter_acknowledge_distress"} not in rule["steps"], rule["rule"]
