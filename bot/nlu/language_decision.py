"""Decide whether a message is Norwegian bokmål (nb) or Danish (da). Pure: no Rasa imports.

Three layers, cheapest first:
1. an explicit request ("skriv på dansk", "på norsk takk") – the user's word wins;
2. marker words that exist in only one of the two languages (hva/hvad, meg/mig, hjelp/hjælp …);
3. lingua restricted to Bokmål and Danish, trusted only when it is confident.
`decide()` returns the best guess and whether it is *clear* enough to set or change the
conversation's language; unclear messages keep the language the conversation already has.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from trygg.text import fold

# Folded forms (see trygg.text.fold). Only words that belong to one language, in everyday use –
# not names that both use ("Børns Vilkår", «Få en god klem», "dagtilbud" in the Danish manual).
NB_MARKERS = frozenset("""
hva meg deg seg hjelp hjelpe av  etter mye noe noen litt ute opp alltid aldri
gjore gjor spor sporre tenke tenker tenkte leke lek blir gir tar sier si hei takk
barnehage barnehagen barnehagelaerer fosterbarn fosterforeldre fosterforelder fosterhjem fosterhjemmet
fostermor fosterfar grater grate  klemme klemmer klemmen gutt gutten jente jenta jenten sint
veldig sann sant hennes dere ikkje eg ka kva kven korleis ho meir mer kjempe nokon nokre heilt berre
barna skjer lei redd syns kanskje
""".split())
DA_MARKERS = frozenset("""
hvad mig dig sig hjaelp hjaelpe af nu efter meget noget nogen nogle lidt ude op altid aldrig
gore gor sporge sporg taenke taenker leg bliver giver tager siger sige sagde hej tak
    bornehave bornehaven paedagog paedagoger
paedagogen plejebarn plejebarnet plejeforaeldre plejeforaelder plejefamilie plejemor plejefar plejeson plejedatter
graeder graede kram krammer kramme krammet dreng drengen pige pigen vred ked sadan bange maske sker hendes
jeres vores lige mere hvornar bornene  kolleger medarbejdere stue stuen skubber
""".split())
_SWITCH = re.compile(
    r"\b(?:skriv|skrive|svar|svare|snakk|snak|tal|tale|paa|pa|on|in|bruk|brug)\b[^.!?]{0,20}?\b(dansk|danish|norsk|norwegian|bokmal)\b"
    r"|^\s*(dansk|norsk)(?:\s+(?:tak|takk|please|tack))?\s*[.!]?\s*$"
)
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class LanguageDecision:
    language: str  # "nb" or "da": the best guess
    clear: bool  # strong enough to set or change the conversation's language
    method: str  # "request", "markers", "lingua" or "default"
    confidence: float


def requested_language(text: str) -> Optional[str]:
    """'skriv på dansk' → 'da'; 'kan du svare på norsk' → 'nb'; otherwise None."""
    match = _SWITCH.search(fold(text))
    if not match:
        return None
    word = next(g for g in match.groups() if g)
    return "da" if word in ("dansk", "danish") else "nb"


def marker_score(text: str) -> int:
    """Positive: more Norwegian-only words; negative: more Danish-only words."""
    words = _WORD.findall(fold(text))
    return sum(w in NB_MARKERS for w in words) - sum(w in DA_MARKERS for w in words)


@lru_cache(maxsize=1)
def _lingua():
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(Language.BOKMAL, Language.DANISH).build()


def lingua_guess(text: str) -> tuple[str, float]:
    """lingua alone, restricted to Bokmål and Danish: (language, confidence of that language)."""
    from lingua import Language

    values = _lingua().compute_language_confidence_values(text)
    best = values[0]
    return ("da" if best.language == Language.DANISH else "nb", float(best.value))


def decide(text: str, default: str = "nb", lingua_threshold: float = 0.9, min_words: int = 3) -> LanguageDecision:
    requested = requested_language(text)
    if requested:
        return LanguageDecision(requested, True, "request", 1.0)
    score = marker_score(text)
    if score:
        return LanguageDecision("nb" if score > 0 else "da", True, "markers", min(1.0, 0.7 + 0.1 * abs(score)))
    words = _WORD.findall(fold(text))
    if not words:
        return LanguageDecision(default, False, "default", 0.0)
    language, confidence = lingua_guess(text)
    clear = confidence >= lingua_threshold and len(words) >= min_words
    return LanguageDecision(language, clear, "lingua", confidence)
