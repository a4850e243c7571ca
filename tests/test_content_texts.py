"""Every text a user reads has one home: content/*.yml (or a Rasa response in domain/), in nb AND da.

* (a) every text of content/ – wherever a mapping holds `nb` or `da` – exists in both languages, with
  the same keys below it and the same {placeholders} (the help-line ids of content/crisis_answers.yml
  name each country's own numbers, so they may differ; each must name a help line of its country);
* (b) no string in the Python sources of bot/, actions/ and trygg/ looks like an nb/da sentence a user
  reads: it holds æ, ø or å, or a run of common nb/da words. The few strings that are words the bot
  *recognises* in what users type (never shown) are named in `ALLOWED`, with the reason.
"""
from __future__ import annotations

import ast
import re
import string
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
CONTENT_FILES = sorted((REPO_ROOT / "content").rglob("*.yml"))
LANGUAGES = ("nb", "da")
HELPLINES = yaml.safe_load((REPO_ROOT / "content/helplines.yml").read_text(encoding="utf-8"))
HELPLINE_IDS = {country: {entry["id"] for entry in HELPLINES[country]} for country in LANGUAGES}

# ---- (a) nb and da side by side ----------------------------------------------------------------


def _pairs(node: Any, path: Tuple = ()) -> Iterator[Tuple[Tuple, dict]]:
    """Every mapping that holds an `nb` or a `da` key, with its path."""
    if isinstance(node, dict):
        if any(language in node for language in LANGUAGES):
            yield path, node
        for key, value in node.items():
            yield from _pairs(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _pairs(value, path + (index,))


def _leaves(node: Any, path: Tuple = ()) -> Dict[Tuple, Any]:
    """{sub-path: text} below one language; a list (of words, of help lines) counts as one leaf."""
    if isinstance(node, dict):
        out: Dict[Tuple, Any] = {}
        for key, value in node.items():
            out.update(_leaves(value, path + (key,)))
        return out
    return {path: node}


def _placeholders(text: str) -> set:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _at(where: str, sub: Tuple) -> str:
    return ".".join([where] + [str(key) for key in sub])


def _problems(relative: str, data: Any) -> List[str]:
    problems = []
    for path, pair in _pairs(data):
        where = f"{relative}: {'.'.join(map(str, path)) or '(top)'}"
        missing = [language for language in LANGUAGES if language not in pair]
        if missing:
            problems.append(f"{where} has no {' and no '.join(missing)}")
            continue
        nb, da = _leaves(pair["nb"]), _leaves(pair["da"])
        for sub in sorted(set(nb) ^ set(da), key=str):
            problems.append(f"{_at(where, sub)} is only in {'nb' if sub in nb else 'da'}")
        for sub in set(nb) & set(da):
            if not (isinstance(nb[sub], str) and isinstance(da[sub], str)):
                if not nb[sub] or not da[sub]:
                    problems.append(f"{_at(where, sub)} is empty in one language")
                continue
            if not nb[sub].strip() or not da[sub].strip():
                problems.append(f"{_at(where, sub)} is empty in one language")
            found = {language: _placeholders(text) for language, text in (("nb", nb[sub]), ("da", da[sub]))}
            numbers = {language: found[language] & (HELPLINE_IDS["nb"] | HELPLINE_IDS["da"]) for language in LANGUAGES}
            for language in LANGUAGES:
                if not numbers[language] <= HELPLINE_IDS[language]:
                    problems.append(f"{_at(where, sub)} [{language}] names help lines of the other "
                                    f"country: {sorted(numbers[language] - HELPLINE_IDS[language])}")
            if found["nb"] - numbers["nb"] != found["da"] - numbers["da"]:
                problems.append(f"{_at(where, sub)}: placeholders differ – nb {sorted(found['nb'])}, "
                                f"da {sorted(found['da'])}")
    return problems


@pytest.mark.parametrize("path", CONTENT_FILES, ids=lambda p: str(p.relative_to(REPO_ROOT / "content")))
def test_every_content_text_is_in_nb_and_da_with_the_same_placeholders(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert _problems(str(path.relative_to(REPO_ROOT)), data) == []


def test_the_check_finds_a_missing_language_a_missing_key_and_a_lost_placeholder():
    broken = {"texts": {"saved": {"nb": "Lagret nr. {number}.", "da": "Gemt."}, "empty": {"nb": "Ingen."}},
              "web": {"nb": {"a": "A", "b": "B"}, "da": {"a": "A"}}}
    problems = _problems("x.yml", broken)
    assert any("texts.empty has no da" in p for p in problems)
    assert any("web.b is only in nb" in p for p in problems)
    assert any("texts.saved: placeholders differ" in p for p in problems)


def test_every_content_file_says_what_it_is_for():
    silent = [str(p.relative_to(REPO_ROOT)) for p in CONTENT_FILES
              if not p.read_text(encoding="utf-8").lstrip().startswith("#")]
    assert silent == [], "a content file starts with a comment saying what it is for and its placeholders"


# ---- (b) no nb/da sentence in Python ------------------------------------------------------------

SOURCE_PACKAGES = ("bot", "actions", "trygg")
# A run of two of these in a row, or three anywhere in one string, reads as nb/da text.
COMMON_WORDS = frozenset("""
og eller men i er var det den de en et du jeg vi dere ikke ikkje som på til med for av af har kan vil
skal hva hvad hvordan hvorfor barnet barn at så noe noget om meg mig deg dig din dine ditt dit seg sig
her nå nu igjen igen lige akkurat gjerne gerne takk tak hei hej nr ingen velg vælg slett slet lagre gem tema emne
bare kun også mer mere eller hvis dersom
""".split())
_WORD = re.compile(r"[a-zæøå]+")
_SCANDINAVIAN = re.compile(r"[æøåÆØÅ]")

# (file, top-level name): strings that are words recognised in what a user types – never shown.
ALLOWED = {
    ("actions/hand_choice.py", "EMOTION_KEYWORDS"): "words that tell what the child shows",
    ("actions/hand_choice.py", "SEEKS_KEYWORDS"): "words that tell what the child seeks",
    ("actions/hand_choice.py", "_NEGATION_FILLERS"): "words between a negation and a keyword",
    ("actions/situation_advice.py", "_COMFORT_TRIED"): "«comfort did not help», as a pattern",
    ("bot/nlu/language_decision.py", "_SWITCH"): "«skriv på dansk»: a request to switch language",
    ("bot/nlu/language_decision.py", "_RAW_WORD"): "the letters of a word, æ ø å among them",
    ("trygg/text.py", "fold"): "the letters it folds (å → a)",
    ("trygg/redaction.py", "FODSELSNUMMER"): "the placeholder put in place of a number, as in the store",
}


def _docstrings(tree: ast.AST) -> set:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _top_level_name(statement: ast.stmt) -> str:
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return statement.name
    targets = getattr(statement, "targets", None) or [getattr(statement, "target", None)]
    names = [t.id for t in targets if isinstance(t, ast.Name)]
    return names[0] if names else ""


def reads_as_nb_or_da(text: str) -> bool:
    if _SCANDINAVIAN.search(text):
        return True
    words = _WORD.findall(text.lower())
    common = [word in COMMON_WORDS for word in words]
    return sum(common) >= 3 or any(a and b for a, b in zip(common, common[1:]))


def nb_da_strings(source: str, relative: str) -> List[str]:
    """'file:line: text' for every string literal (not a docstring) that reads as nb/da, outside ALLOWED."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    found = []
    for statement in tree.body:
        if (relative, _top_level_name(statement)) in ALLOWED:
            continue
        for node in ast.walk(statement):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
                    and reads_as_nb_or_da(node.value)):
                found.append(f"{relative}:{node.lineno}: {node.value[:80]!r}")
    return found


def test_no_nb_or_da_sentence_is_written_in_python():
    found = []
    for package in SOURCE_PACKAGES:
        for path in sorted((REPO_ROOT / package).rglob("*.py")):
            relative = str(path.relative_to(REPO_ROOT))
            found += nb_da_strings(path.read_text(encoding="utf-8"), relative)
    assert found == [], ("nb/da text in Python – move it to content/*.yml (nb and da side by side) or to a Rasa "
                         "response in domain/:\n" + "\n".join(found))


def test_every_allowed_name_still_exists():
    for relative, name in ALLOWED:
        tree = ast.parse((REPO_ROOT / relative).read_text(encoding="utf-8"))
        assert name in {_top_level_name(s) for s in tree.body}, (relative, name)


@pytest.mark.parametrize("code", [
    'TEXT = {"nb": "Du har ingen lagrede prøvehandlinger."}',
    'def f():\n    return f"Takk! Jeg har notert at {x}."',
    'BUTTON = "Slett nr. 1"',
    'HEADING = "Velg et tema"',
    'ASK = "Hvordan gik det med barnet i dag"',
])
def test_the_scan_finds_a_user_sentence(code):
    assert nb_da_strings(code, "actions/example.py"), code


@pytest.mark.parametrize("code", [
    '"""Docstrings may quote «Er noen i fare akkurat nå?»."""',
    'log.warning("could not look up due follow-ups: %s", name)',
    'X = {"type": "referat", "filename": name}',
    'INTENT = "trial_action_save"',
])
def test_the_scan_leaves_code_and_english_alone(code):
    assert nb_da_strings(code, "actions/example.py") == [], code
