"""Is a message told in distress – the writer's own strain («jeg er så sliten», «vi er helt
udmattede», «det er så tungt for tida», «jeg orker ikke mer»)? Then the answer's first line
acknowledges it (utter_acknowledge_distress). Fact questions and calm situations, and feelings of
the child («barnet er redd for mørket»), are not. The words are in content/distress.yml. Pure."""
from __future__ import annotations

from functools import lru_cache
from typing import Dict, List, Tuple

from trygg.content import load
from trygg.text import fold_words, keyword, matches_keyword

_ANY = "…"
_MAX_FILLER = 2   # «…» in a phrase: up to this many words of any kind
_WINDOW = 8       # a strain word counts with a person word at most this many words before it





def _phrase(text: str) -> Tuple[str, ...]:
    return tuple(_ANY if part == _ANY else keyword(part) for part in text.split())


@lru_cache(maxsize=1)
def _content() -> Dict[str, object]:
    data = load("distress.yml")
    return {
        "own": tuple(_phrase(p) for p in data["own"]),
        "strain": tuple(keyword(w) for w in data["strain"]),
        "hard": tuple(keyword(w) for w in data["hard"]),
        "person": tuple(keyword(w) for w in data["self"]["person"]),
        "other": tuple(keyword(w) for w in data["self"]["other"]),
        "negation": tuple(keyword(w) for w in data["self"]["negation"]),
    }


def _any(word: str, patterns) -> bool:
    return any(matches_keyword(word, p) for p in patterns)


def _phrase_at(words: List[str], at: int, phrase: Tuple[str, ...], others) -> bool:
    """Does `phrase` match the words from `at` on («…» = up to _MAX_FILLER words, none of them
    someone else: «orker jeg ikke», not «magter barnet ikke»)?"""
    if not phrase:
        return True
    head, rest = phrase[0], phrase[1:]
    if head == _ANY:
        return any(_phrase_at(words, at + skip, rest, others) for skip in range(_MAX_FILLER + 1)
                   if not any(_any(w, others) for w in words[at:at + skip]))
    return at < len(words) and matches_keyword(words[at], head) and _phrase_at(words, at + 1, rest, others)


def _nearest_speaker(words: List[str], at: int, content) -> str:
    """Within _WINDOW words before `at`, the nearer of a word of `other` ("other") and a word of
    `person` ("person"); "" when neither is there."""
    for before in reversed(words[max(0, at - _WINDOW):at]):
        if _any(before, content["other"]):
            return "other"
        if _any(before, content["person"]):
            return "person"
    return ""


def _said_of_themselves(words: List[str], at: int, content) -> bool:
    """A person word within _WINDOW words before `at`, nobody else between, no negation just before."""
    if at > 0 and _any(words[at - 1], content["negation"]):
        return False
    return _nearest_speaker(words, at, content) == "person"


def _nearest_is_someone_else(words: List[str], at: int, content) -> bool:
    """Within _WINDOW words before `at`, is a word of `other` nearer than a word of `person`?"""
    return _nearest_speaker(words, at, content) == "other"


def _hard_after_det_er(words: List[str], at: int, content) -> bool:
    """«det er (så) tungt»: «det er» within two words before `at`, no negation between, and not
    what someone else finds hard («foreldrene som synes det er vanskelig»)."""
    for start in range(max(0, at - 2 - _MAX_FILLER), at - 1):
        if words[start] == "det" and words[start + 1] == "er":
            between = words[start + 2:at]
            return (len(between) <= _MAX_FILLER and not any(_any(w, content["negation"]) for w in between)
                    and not _nearest_is_someone_else(words, start, content))
    return False


def is_distressed(text: str) -> bool:
    """True when the writer tells of their own strain (see the module's docstring)."""
    if not isinstance(text, str):
        return False
    words = fold_words(text).split()
    content = _content()
    for at, word in enumerate(words):
        if any(_phrase_at(words, at, phrase, content["other"]) for phrase in content["own"]):
            return True
        if _any(word, content["strain"]) and _said_of_themselves(words, at, content):
            return True
        if _any(word, content["hard"]) and _hard_after_det_er(words, at, content):
            return True
    return False
