"""The catalogue is the contract: every topic is an intent with a rule and an nb + da answer
that names its source; every conversation intent exists; help lines each name their source."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

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
        merged["intents"] += data.get("intents", [])
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
