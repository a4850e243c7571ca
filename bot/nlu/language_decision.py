"""Decide whether a message is Norwegian bokmål (nb) or Danish (da). Pure: no Rasa imports.

Three layers, cheapest first:
1. an explicit request ("skriv på dansk", "på norsk takk") – the user's word wins;
2. marker words that exist in only one of the two languages (hva/hvad, meg/mig, hjelp/hjælp …);
3. lingua restricted to Bokmål (+ Nynorsk) and Danish, trusted only when it is confident.
An English message (lingua, with English as a third choice) is never clear: its «af» is no Danish.
`decide()` returns the best guess and whether it is *clear* enough to set or change the
conversation's language; unclear messages keep the language the conversation already has.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from trygg.content import load
from trygg.text import fold

# Folded words (see trygg.text.fold) that exist in only one of the two languages, and word
# endings (-sjon/-tion, -het/-hed …): content/language_markers.yml, where the rules for adding one are.
_MARKERS = load("language_markers.yml")
NB_MARKERS = frozenset(_MARKERS["words"]["nb"])
DA_MARKERS = frozenset(_MARKERS["words"]["da"])
_ENDINGS = {lang: tuple(_MARKERS["endings"][lang]) for lang in ("nb", "da")}
_ENDING_MIN_LENGTH = int(_MARKERS["endings"]["min_length"])
_BEGINNINGS = {lang: tuple((start, frozenset(consonants)) for start, consonants in _MARKERS["beginnings"][lang])
               for lang in ("nb", "da")}
_BEGINNING_MIN_LENGTH = int(_MARKERS["beginnings"]["min_length"])
# Spellings that fold to a word of the other language («kør» → «kor», nynorsk «how»; «vår» → «var»):
# checked on the lower-cased, unfolded word.
_EXACT = {lang: frozenset(_MARKERS["exact"][lang]) for lang in ("nb", "da")}
# Two words that together exist in only one language («den andre» / «den anden»).
_PAIRS = {lang: frozenset(tuple(pair.split()) for pair in _MARKERS["pairs"][lang]) for lang in ("nb", "da")}
# Danish «at» + infinitive («om at beskytte»); Norwegian «at» is followed by a subject.
_DA_AFTER_AT = frozenset(_MARKERS["da_infinitives_after_at"])
# «nå» (nb now) is also Danish: the interjection «nå, men …» and the verb «nå» (reach).
_NA = _MARKERS["nb_na"]
_NA_NOT_AFTER = frozenset(_NA["not_after"])
_NA_NOT_BEFORE = frozenset(_NA["not_before"])
# Bokmål marks a noun definite twice («den store hånden»), Danish once («den store hånd»).
_DD = _MARKERS["double_definite"]
_DD_EXCEPT = frozenset(_DD["except"])
_DD_ADJECTIVES = frozenset(_DD["adjectives"])
_SHARED_NAMES = re.compile("|".join(r"\b" + re.escape(name) + r"\b" for name in _MARKERS["shared_names"]))
# A request names the language after a verb («skriv på dansk», «kan du svare paa norsk»); «på dansk»
# without a verb counts only in a short message («på norsk takk», «in danish please»): in a story
# («hun så en film på dansk i går …») it is no request.
_LANGUAGE = r"(dansk|danish|norsk|norwegian|bokmal)"
_SWITCH = re.compile(
    r"\b(?:skriv|skrive|svar|svare|snakk|snak|tal|tale|bruk|brug|write|answer|reply|speak)\b[^.!?]{0,20}?\b"
    + _LANGUAGE + r"\b"
    r"|^\s*(dansk|norsk)(?:\s+(?:tak|takk|please|tack))?\s*[.!]?\s*$"
)
_SHORT_SWITCH = re.compile(r"\b(?:paa|pa|on|in)\s+" + _LANGUAGE + r"\b")
_SHORT_SWITCH_MAX_WORDS = 6
_WORD = re.compile(r"[a-z0-9]+")
_RAW_WORD = re.compile(r"[a-z0-9æøåäö]+")  # the same words as _WORD finds in the folded text


@dataclass(frozen=True)
class LanguageDecision:
    language: str  # "nb" or "da": the best guess
    clear: bool  # strong enough to set or change the conversation's language
    method: str  # "request", "markers", "lingua" or "default"
    confidence: float


def requested_language(text: str) -> Optional[str]:
    """'skriv på dansk' → 'da'; 'kan du svare på norsk' → 'nb'; otherwise None."""
    folded = fold(text)
    match = _SWITCH.search(folded)
    if not match and len(_WORD.findall(folded)) <= _SHORT_SWITCH_MAX_WORDS:
        match = _SHORT_SWITCH.search(folded)
    if not match:
        return None
    word = next(g for g in match.groups() if g)
    return "da" if word in ("dansk", "danish") else "nb"


def _word_language(word: str) -> Optional[str]:
    if word in NB_MARKERS:
        return "nb"
    if word in DA_MARKERS:
        return "da"
    if len(word) >= _ENDING_MIN_LENGTH:
        for lang in ("nb", "da"):
            if word.endswith(_ENDINGS[lang]):
                return lang
    if len(word) >= _BEGINNING_MIN_LENGTH:
        for lang in ("nb", "da"):
            for start, consonants in _BEGINNINGS[lang]:
                if word.startswith(start) and word[len(start)] in consonants:
                    return lang
    return None


def _na_is_norwegian(words: list, i: int) -> bool:
    """«nå» inside a message, not after «kan», «at» … (the verb) nor before «men», «ja» (the interjection)."""
    return (0 < i and words[i - 1] not in _NA_NOT_AFTER
            and (i + 1 == len(words) or words[i + 1] not in _NA_NOT_BEFORE))


def _double_definite(words: list, i: int) -> bool:
    """«den store hånden»: «den», an attributive adjective, a noun with the definite ending -en."""
    return i >= 2 and words[i - 2] == "den" and words[i - 1] in _DD_ADJECTIVES and _dd_noun(words[i])


def _dd_noun(word: str) -> bool:
    return len(word) >= _DD["min_length"] and word.endswith("en") and word not in _DD_EXCEPT


def _language_at(words: list, raw: list, i: int) -> Optional[str]:
    """The language that word i (folded; `raw`: as typed, lower-cased) exists in alone, if any."""
    word, previous = words[i], (words[i - 1] if i else None)
    for lang in ("nb", "da"):
        if raw[i] in _EXACT[lang]:
            return lang
    for lang in ("nb", "da"):
        if (previous, word) in _PAIRS[lang]:
            return lang
    if previous == "at" and word in _DA_AFTER_AT:
        return "da"
    if _double_definite(words, i):
        return "nb"
    if word == "na":
        return "nb" if _na_is_norwegian(words, i) else None
    return _word_language(word)


def marker_languages(text: str) -> list:
    """The language of each word that exists in only one of the two languages (None for the others)."""
    words = _WORD.findall(fold(text))
    raw = _RAW_WORD.findall(unicodedata.normalize("NFKC", text).lower())
    if len(raw) != len(words):
        raw = [None] * len(words)
    return [_language_at(words, raw, i) for i in range(len(words))]


def marker_score(text: str) -> int:
    """Positive: more Norwegian-only words (or endings); negative: more Danish-only ones."""
    languages = marker_languages(text)
    return languages.count("nb") - languages.count("da")


@lru_cache(maxsize=1)
def _lingua():
    from lingua import Language, LanguageDetectorBuilder

    # Nynorsk counts as nb; English is there only to notice English messages (never clear).
    return LanguageDetectorBuilder.from_languages(Language.BOKMAL, Language.NYNORSK, Language.DANISH,
                                                  Language.ENGLISH).build()


def _lingua_values(text: str) -> dict:
    """lingua's confidence per language: {"nb": Bokmål + Nynorsk, "da": …, "en": …}."""
    from lingua import Language

    out = {"nb": 0.0, "da": 0.0, "en": 0.0}
    for value in _lingua().compute_language_confidence_values(text):
        key = {Language.DANISH: "da", Language.ENGLISH: "en"}.get(value.language, "nb")
        out[key] += float(value.value)
    return out


def lingua_guess(text: str) -> tuple[str, float]:
    """lingua, Bokmål (with Nynorsk) against Danish: (language, its share of the two)."""
    return _guess(_lingua_values(text))


def _guess(values: dict) -> tuple[str, float]:
    total = values["nb"] + values["da"]
    if total <= 0:
        return "nb", 0.5
    language = "da" if values["da"] > values["nb"] else "nb"
    return language, values[language] / total


def decide(text: str, default: str = "nb", lingua_threshold: float = 0.9, min_words: int = 3) -> LanguageDecision:
    requested = requested_language(text)
    if requested:
        return LanguageDecision(requested, True, "request", 1.0)
    folded = fold(text)
    if _SHARED_NAMES.search(folded):  # lingua reads æøå best, so it keeps the original text when it can
        text = folded = _SHARED_NAMES.sub(" ", folded)
    words = _WORD.findall(folded)
    if not words:
        return LanguageDecision(default, False, "default", 0.0)
    values = _lingua_values(text)
    if values["en"] > max(values["nb"], values["da"]) and len(words) >= min_words:
        # An English message («my foster son told me …»): its «af», «location» are no Danish.
        language, confidence = _guess(values)
        return LanguageDecision(language, False, "english", confidence)
    score = marker_score(text)
    if score:
        # One word alone («takk», «tak», «hei») is a greeting, not a choice of language: it keeps
        # the conversation's language.
        return LanguageDecision("nb" if score > 0 else "da", len(words) >= 2, "markers",
                                min(1.0, 0.7 + 0.1 * abs(score)))
    language, confidence = _guess(values)
    clear = confidence >= lingua_threshold and len(words) >= min_words
    return LanguageDecision(language, clear, "lingua", confidence)
