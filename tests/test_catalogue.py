"""The catalogue is the contract: every topic is an intent with a rule and an nb + da answer
that names its source; every conversation intent exists; help lines each name their source.
The catalogue is also the one place a topic is declared: what follows from it is written by
`make topics`, and a topic that lacks anything is named with what it lacks."""
from __future__ import annotations

import difflib
import importlib.util
import re
from collections import Counter
from pathlib import Path
from typing import List, Optional

import pytest
import yaml

from tests.nlu_data import heldout_examples, training_examples

REPO_ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = yaml.safe_load((REPO_ROOT / "content/topics.yml").read_text(encoding="utf-8"))
CONTENT = CATALOGUE["content"]
SOURCE_TITLES = {
    "000": "«Få en god klem»",
    "001": "«Tilknytning»",
    "002": "«Små børns stemmer og Omsorgsgrebet (ledermanual, Furesø Kommune)»",
}


def _domain() -> dict:
    merged: dict = {"intents": [], "responses": {}}
    for path in sorted((REPO_ROOT / "domain").rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        # an intent is a name, or {name: its properties} (e.g. use_entities)
        merged["intents"] += [next(iter(i)) if isinstance(i, dict) else i for i in data.get("intents", [])]
        merged["responses"].update(data.get("responses", {}))
    return merged


DOMAIN = _domain()


def _variation(response_id: str, language: str) -> str:
    for variation in DOMAIN["responses"].get(response_id, []):
        for condition in variation.get("condition", []):
            if condition.get("name") == "language" and condition.get("value") == language:
                return variation["text"]
    return ""


def test_every_catalogue_intent_is_in_the_domain():
    intents = set(DOMAIN["intents"])
    missing = [t["id"] for t in CONTENT if t["id"] not in intents]
    missing += [c["id"] for c in CATALOGUE["conversation"] if c["id"] not in intents]
    assert not missing


@pytest.mark.parametrize("topic", CONTENT, ids=lambda t: t["id"])
@pytest.mark.parametrize("language", ["nb", "da"])
def test_topic_answer_exists_fits_a_phone_and_names_its_source(topic, language):
    text = _variation(f"utter_{topic['id']}", language)
    assert text, f"no {language} answer for {topic['id']}"
    words = len(re.findall(r"\w+", text))
    assert 30 <= words <= 140, f"{topic['id']} [{language}] has {words} words"
    title = SOURCE_TITLES[topic["source"][:3]]
    assert text.rstrip().endswith(title), f"{topic['id']} [{language}] must end with Kilde: {title}"


def test_nb_and_da_answers_differ():
    same = [t["id"] for t in CONTENT if _variation(f"utter_{t['id']}", "nb") == _variation(f"utter_{t['id']}", "da")]
    assert not same


def test_every_response_has_nb_and_da():
    lacking = [r for r in DOMAIN["responses"] if not (_variation(r, "nb") and _variation(r, "da"))]
    assert not lacking, f"responses without an nb and a da variation: {lacking}"


def test_every_topic_has_a_rule():
    rules_text = "\n".join(p.read_text(encoding="utf-8") for p in (REPO_ROOT / "data/rules").glob("*.yml"))
    missing = [t["id"] for t in CONTENT if f"intent: {t['id']}\n" not in rules_text]
    assert not missing


def test_help_lines_each_name_an_official_source():
    helplines = yaml.safe_load((REPO_ROOT / "content/helplines.yml").read_text(encoding="utf-8"))
    for country in ("nb", "da"):
        for entry in helplines[country]:
            assert entry["source"].startswith("https://"), entry["id"]
    numbers = {e["number"] for e in helplines["nb"]}
    assert {"112", "113", "110", "116 117", "116 111", "116 123", "22 40 00 40"} <= numbers
    assert {"112", "1813", "116 111", "70 201 201"} <= {e["number"] for e in helplines["da"]}


def test_every_suggestion_names_its_source_passage():
    for path in (REPO_ROOT / "content/suggestions").glob("*.yml"):
        for topic, entry in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            for suggestion in entry["suggestions"]:
                assert suggestion["nb"] and suggestion["da"], topic
                assert suggestion["source"][:3] in SOURCE_TITLES, topic


def test_numbers_on_the_demo_pages_are_official_help_lines():
    """A number shown to a worried adult must be one we hold with its official source."""
    helplines = yaml.safe_load((REPO_ROOT / "content/helplines.yml").read_text(encoding="utf-8"))
    known = {e["number"] for country in ("nb", "da") for e in helplines[country]}
    for page in (REPO_ROOT / "bot/web/templates").glob("*.html"):
        html = re.sub(r"<(style|script)\b.*?</\1>", " ", page.read_text(encoding="utf-8"), flags=re.S)
        text = re.sub(r"<[^>]+>", " ", html)
        for number in re.findall(r"\b\d{2,3}(?: \d{2,3}){0,3}\b", text):
            if len(number.replace(" ", "")) >= 3 and not re.fullmatch(r"(19|20)\d\d", number):
                assert number in known, f"{page.name} shows {number}, which is not in content/helplines.yml"


# ---- the catalogue is the one place a topic is declared (docs/adding-a-topic.md) ----------------

def _topics_script():
    """scripts/topics.py (`make topics`), which writes what follows from the catalogue."""
    spec = importlib.util.spec_from_file_location("topics_script", REPO_ROOT / "scripts/topics.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_what_follows_from_the_catalogue_is_up_to_date():
    """Intents, one rule per topic and the reflection's lists are written by `make topics`."""
    script = _topics_script()
    report = []
    for relative in script.stale_files():
        now = (REPO_ROOT / relative).read_text(encoding="utf-8").splitlines() if (REPO_ROOT / relative).exists() else []
        changes = [line for line in difflib.unified_diff(now, script.expected_files()[relative].splitlines(), lineterm="")
                   if line[:1] in "+-" and line[:3] not in ("+++", "---")]
        report.append(f"{relative} is out of date with content/topics.yml – run `make topics`:\n  " + "\n  ".join(changes))
    assert not report, "\n".join(report)


def test_a_newly_declared_topic_gets_its_intent_rule_and_reflection_entries(monkeypatch):
    script = _topics_script()
    monkeypatch.setattr(script, "topic_ids", lambda: [t["id"] for t in CONTENT] + ["new_topic"])
    expected = script.expected_files()
    assert "  - new_topic:\n      use_entities: [distress]\n" in expected["domain/topics.yml"]
    assert ("- rule: answer new_topic\n  steps:\n  - intent: new_topic\n  - action: utter_new_topic\n"
            "  - action: action_offer_hand\n") in expected["data/rules/topics.yml"]
    assert ("  steps:\n  - intent: new_topic\n    entities:\n    - distress: \"true\"\n"
            "  - action: utter_acknowledge_distress\n  - action: utter_new_topic\n") in expected["data/rules/topics.yml"]
    assert "          - new_topic\n" in expected["domain/reflection.yml"]
    assert "    - intent: new_topic\n" in expected["data/rules/reflection.yml"]
    assert sorted(script.stale_files()) == sorted(expected)


def _suggestions() -> dict:
    merged: dict = {}
    for path in sorted((REPO_ROOT / "content/suggestions").glob("*.yml")):
        merged.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return merged


TRAINING = Counter((language, intent) for language, intent, _ in training_examples())
HELDOUT = Counter((language, intent) for language, intent, _ in heldout_examples())


def missing_pieces(topic: dict, catalogue: dict = CATALOGUE, suggestions: Optional[dict] = None) -> List[str]:
    """What a topic declared in the catalogue still lacks, each named with where it goes."""
    suggestions = _suggestions() if suggestions is None else suggestions
    topic_id, hand = topic["id"], topic.get("hand")
    missing = [f"`title: {{{language}: …}}` in content/topics.yml" for language in ("nb", "da")
               if not (topic.get("title") or {}).get(language)]
    missing += [f"`{key}` in content/topics.yml" for key in ("covers", "source") if not topic.get(key)]
    if hand not in ("big", "small", "both", "none"):
        missing.append("`hand` (big, small, both or none) in content/topics.yml")
    if not any(topic_id in theme["topics"] for theme in catalogue["themes"].values()):
        missing.append("a theme (`themes:` at the end of content/topics.yml)")
    missing += [f"the answer utter_{topic_id} with a {language} variation in domain/responses/"
                for language in ("nb", "da") if not _variation(f"utter_{topic_id}", language)]
    missing += [f"NLU examples in data/nlu/{language}/ ({TRAINING[(language, topic_id)]} of at least 25)"
                for language in ("nb", "da") if TRAINING[(language, topic_id)] < 25]
    missing += [f"held-out messages in tests/nlu/{language}/ ({HELDOUT[(language, topic_id)]} of at least 4)"
                for language in ("nb", "da") if HELDOUT[(language, topic_id)] < 4]
    if hand in ("big", "small", "both") and not (suggestions.get(topic_id) or {}).get("suggestions"):
        missing.append(f"prøvehandlinger in content/suggestions/ (its hand is {hand})")
    if hand == "none" and topic_id in suggestions:
        missing.append("a hand: it has prøvehandlinger in content/suggestions/, but `hand: none` never shows them")
    return missing


@pytest.mark.parametrize("topic", CONTENT, ids=lambda t: t["id"])
def test_every_topic_is_declared_completely(topic):
    missing = missing_pieces(topic)
    assert not missing, f"{topic['id']} is declared in content/topics.yml but lacks:\n  " + "\n  ".join(missing)


def test_an_incompletely_declared_topic_is_named_with_what_it_lacks():
    new = {"id": "new_topic", "title": {"nb": "Nytt tema"}, "covers": "…", "source": "000…", "hand": "big"}
    missing = missing_pieces(new, suggestions={})
    assert missing == [
        "`title: {da: …}` in content/topics.yml",
        "a theme (`themes:` at the end of content/topics.yml)",
        "the answer utter_new_topic with a nb variation in domain/responses/",
        "the answer utter_new_topic with a da variation in domain/responses/",
        "NLU examples in data/nlu/nb/ (0 of at least 25)",
        "NLU examples in data/nlu/da/ (0 of at least 25)",
        "held-out messages in tests/nlu/nb/ (0 of at least 4)",
        "held-out messages in tests/nlu/da/ (0 of at least 4)",
        "prøvehandlinger in content/suggestions/ (its hand is big)",
    ]


def test_every_theme_lists_only_declared_topics_and_has_both_names():
    ids = {t["id"] for t in CONTENT}
    for theme_id, theme in CATALOGUE["themes"].items():
        assert theme.get("nb") and theme.get("da"), theme_id
        assert set(theme["topics"]) <= ids, (theme_id, sorted(set(theme["topics"]) - ids))


@pytest.mark.parametrize("language", ["nb", "da"])
def test_the_help_menu_offers_every_theme_of_the_catalogue_by_its_name(language):
    """utter_help's buttons are the catalogue's themes, in its order, with the theme's name."""
    [variation] = [v for v in DOMAIN["responses"]["utter_help"]
                   if {"name": "language", "value": language} in [{k: c[k] for k in ("name", "value")}
                                                                   for c in v.get("condition", [])]]
    offered = [(b["title"], b["payload"]) for b in variation["buttons"]]
    declared = [(theme[language], '/help_theme{"theme":"%s"}' % theme_id)
                for theme_id, theme in CATALOGUE["themes"].items()]
    assert offered == declared
