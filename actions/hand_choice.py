"""Which hand of Omsorgsgrebet to suggest: a pure, table-driven choice.

Den store hånd (the big hand) meets the child's need for closeness, comfort and protection;
den lille hånd (the small hand) supports autonomy, mastery and taking part. The rules come from
Børns Vilkår's "Små børns stemmer" leader manual (source 002):

* A child who is upset (sad, angry, scared, overwhelmed) or seeks closeness gets the big hand
  first – "trøst og tryghed skal komme før planlagte aktiviteter".
* In a conflict (Zarah takes Nora's car, Nora cries): first the big hand, then the small hand
  ("Når et barn bliver ked af det, kan pædagogen først tilbyde Den store hånd og dernæst Den
  lille hånd").
* When comfort and physical contact have been tried without effect (the nursery boy who
  "bliver usikker" when other children come close): the small hand – support to take part.
* A calm, eager or happy child who wants to manage or join in gets the small hand.

`RULES` is read top to bottom and the first matching row wins. `parse_emotion` and
`parse_seeks` turn a free-text answer in Norwegian bokmål or Danish (also typed without æøå)
into the values `choose_hand` takes. No Rasa, HTTP or database imports here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, FrozenSet, List, Optional, Sequence, Tuple

from trygg.text import fold_words

EMOTIONS: FrozenSet[str] = frozenset(
    {"sad", "angry", "scared", "unsure", "overwhelmed", "eager", "calm", "happy"}
)
SEEKS: FrozenSet[str] = frozenset({"closeness", "manage", "join_in"})

DYSREGULATED: FrozenSet[str] = frozenset({"sad", "angry", "scared", "overwhelmed"})
REGULATED: FrozenSet[str] = frozenset({"calm", "eager", "happy"})
AUTONOMY: FrozenSet[str] = frozenset({"manage", "join_in"})

BIG: Tuple[str, ...] = ("big",)
SMALL: Tuple[str, ...] = ("small",)
BIG_THEN_SMALL: Tuple[str, ...] = ("big", "small")


@dataclass(frozen=True)
class HandChoice:
    """The suggested hand(s), in the order to offer them, and a key for the explanation text."""

    hands: Tuple[str, ...]
    reason_key: str


@dataclass(frozen=True)
class Rule:
    """One row of the table. A condition of None matches anything."""

    hands: Tuple[str, ...]
    reason_key: str
    comfort_tried_without_effect: Optional[bool] = None
    conflict: Optional[bool] = None
    emotions: Optional[FrozenSet[Optional[str]]] = None
    seeks: Optional[FrozenSet[Optional[str]]] = None

    def matches(self, emotion: Optional[str], seeks: Optional[str], conflict: bool, comfort_tried: bool) -> bool:
        """True when every condition of this row holds."""
        return (
            (self.comfort_tried_without_effect is None or self.comfort_tried_without_effect == comfort_tried)
            and (self.conflict is None or self.conflict == conflict)
            and (self.emotions is None or emotion in self.emotions)
            and (self.seeks is None or seeks in self.seeks)
        )


# Read top to bottom, first match wins. The last row matches everything.
RULES: List[Rule] = [
    # The nursery example: comfort and physical contact did not change the reaction -> small hand.
    Rule(SMALL, "comfort_tried_without_effect", comfort_tried_without_effect=True),
    # Zarah and Nora: comfort the upset child first, then help both find a solution.
    Rule(BIG_THEN_SMALL, "conflict_big_then_small", conflict=True),
    # Upset but wanting to manage or join in: calm down first, then support.
    Rule(BIG_THEN_SMALL, "dysregulated_then_support", emotions=DYSREGULATED, seeks=AUTONOMY),
    # Upset: closeness, comfort and protection first.
    Rule(BIG, "dysregulated_big_first", emotions=DYSREGULATED),
    # Whatever it shows, a child who seeks closeness is met with the big hand.
    Rule(BIG, "seeks_closeness", seeks=frozenset({"closeness"})),
    # Unsure about others but wanting to take part (the nursery boy): support to take part.
    Rule(SMALL, "unsure_support_participation", emotions=frozenset({"unsure"}), seeks=AUTONOMY),
    # Unsure, need unclear: a moment of safety, then support.
    Rule(BIG_THEN_SMALL, "unsure_safety_then_support", emotions=frozenset({"unsure"})),
    # Calm, eager or happy and wanting to do it themselves or join in: autonomy, skills, taking part.
    Rule(SMALL, "ready_to_explore", emotions=REGULATED | {None}, seeks=AUTONOMY),
    # Calm, eager or happy, nothing else known: the small hand to explore.
    Rule(SMALL, "regulated_explore", emotions=REGULATED),
    # Nothing known: read what the child needs now; a sad child is offered the big hand first,
    # then the small one (the source's «omsorg først» is care before planned activities, not this).
    Rule(BIG_THEN_SMALL, "unknown_care_first"),
]


def choose_hand(
    emotion: Optional[str],
    seeks: Optional[str],
    conflict: bool = False,
    comfort_tried_without_effect: bool = False,
    rules: Sequence[Rule] = RULES,
) -> HandChoice:
    """Return the hand(s) for what the child shows and seeks (first matching row of `rules`).

    Raises ValueError for an emotion or seeks value outside `EMOTIONS` / `SEEKS`.
    """
    if emotion is not None and emotion not in EMOTIONS:
        raise ValueError(f"unknown emotion: {emotion!r}")
    if seeks is not None and seeks not in SEEKS:
        raise ValueError(f"unknown seeks value: {seeks!r}")
    for rule in rules:
        if rule.matches(emotion, seeks, bool(conflict), bool(comfort_tried_without_effect)):
            return HandChoice(hands=rule.hands, reason_key=rule.reason_key)
    raise LookupError("no rule matched; the table needs a catch-all last row")


# ---- free text -> emotion / seeks -------------------------------------------------------------

# (value, keywords) rows per language.
KeywordTable = Dict[str, List[Tuple[str, Tuple[str, ...]]]]

# Keyword rows per language, read top to bottom, first row with a hit wins (so the more upset
# feeling wins when a text names several). A trailing "*" matches any word ending
# ("trist*" matches "tristhet"); otherwise the whole word or phrase must match.
EMOTION_KEYWORDS: KeywordTable = {
    "nb": [
        ("overwhelmed", ("overveldet", "overveldes", "overstimulert", "ute av seg", "for mye for")),
        ("scared", ("redd", "redde", "rædd", "engstelig*", "skremt", "skvetten", "angst*", "livredd")),
        ("angry", ("sint*", "vred*", "arg", "arge", "rasende", "raser", "frustrert*", "irritert*", "sur")),
        ("sad", ("lei seg", "trist*", "gråter", "gråt", "ulykkelig*", "nedfor", "knust")),
        ("unsure", ("usikker", "usikre", "utrygg*", "ikke trygg", "nølende", "forsiktig*", "sjenert",
                    "avventende", "vet ikke hva")),
        ("eager", ("ivrig*", "spent", "gira", "ivrig etter", "oppspilt", "nysgjerrig*", "entusiastisk*")),
        ("happy", ("glad", "glade", "blid*", "fornøyd*", "lykkelig*", "munter*", "gledesstrålende")),
        ("calm", ("rolig*", "i ro", "avslappet", "tilfreds", "trygg", "trygge", "harmonisk*")),
    ],
    "da": [
        ("overwhelmed", ("overvældet", "overvældes", "overstimuleret", "ude af sig selv",
                         "for meget for")),
        ("scared", ("bange", "skræmt", "forskrækket", "angst*", "rædselsslagen", "ængstelig*")),
        ("angry", ("vred*", "sur", "sure", "rasende", "raser", "frustreret*", "irriteret*", "gal")),
        ("sad", ("ked af det", "trist*", "græder", "græd", "ulykkelig*", "nedtrykt")),
        ("unsure", ("usikker", "usikre", "utryg*", "ikke tryg", "tøvende", "forsigtig*", "genert",
                    "afventende", "ved ikke hvad")),
        ("eager", ("ivrig*", "spændt", "opsat", "nysgerrig*", "entusiastisk*", "oprømt")),
        ("happy", ("glad", "glade", "fornøjet", "fornøjede", "lykkelig*", "munter*")),
        ("calm", ("rolig*", "i ro", "afslappet", "tilfreds", "tryg", "trygge", "harmonisk*")),
    ],
}

SEEKS_KEYWORDS: KeywordTable = {
    "nb": [
        ("closeness", ("søker nærhet", "nærhet", "nær meg", "nær oss", "på fanget", "tett på",
                       "helt inntil", "inntil meg", "inntil oss", "kos", "kose", "klem", "klemme",
                       "trøst", "trøstes", "bli holdt", "holdes rundt", "bæres", "bli båret", "klenger",
                       "henger på meg")),
        ("join_in", ("vil være med", "være med", "bli med", "delta", "deltar", "deltakelse", "leke med",
                     "med i leken", "med de andre", "sammen med de andre", "fellesskap*", "høre til")),
        ("manage", ("klare selv", "klare det selv", "gjøre selv", "gjøre det selv", "prøve selv",
                    "prøve sjøl", "klare sjøl", "sjøl", "selv", "mestre", "mestring", "selvstendig*",
                    "klare det", "på egen hånd")),
    ],
    "da": [
        ("closeness", ("søger nærhed", "nærhed", "tæt på", "tæt ind", "på skødet", "kram", "kramme",
                       "trøst", "trøstes", "holdes om", "bæres", "blive båret", "klynger", "hænger på mig",
                       "hos mig", "nær mig")),
        ("join_in", ("vil være med", "være med", "komme med", "deltage", "deltager", "deltagelse",
                     "lege med", "med i legen", "med de andre", "sammen med de andre", "fællesskab*",
                     "høre til")),
        ("manage", ("klare selv", "klare det selv", "gøre selv", "gøre det selv", "prøve selv",
                    "selv", "mestre", "mestring", "selvstændig*", "klare det", "på egen hånd")),
    ],
}

# A hit directly after one of these words ("ikke redd", "ikke så redd") does not count.
NEGATIONS: FrozenSet[str] = frozenset({"ikke", "ikkje", "ik", "ej", "aldri", "aldrig", "ingen"})
_NEGATION_FILLERS = ("så", "lenger", "lengre", "længere", "mer", "mere", "helt", "spesielt", "særlig")


_FILLERS: FrozenSet[str] = frozenset(fold_words(w) for w in _NEGATION_FILLERS)


@lru_cache(maxsize=None)
def _keyword_pattern(keyword: str) -> "re.Pattern[str]":
    prefix = keyword.endswith("*")
    words = fold_words(keyword.rstrip("*")).split(" ")
    body = r"\s".join(re.escape(w) for w in words)
    return re.compile(r"\b" + body + (r"\w*" if prefix else r"\b"))


def _negated(norm_text: str, start: int) -> bool:
    before = norm_text[:start].split()
    for word in reversed(before[-3:]):
        if word in NEGATIONS:
            return True
        if word not in _FILLERS:
            return False
    return False


def _has_hit(norm_text: str, keyword: str) -> bool:
    for match in _keyword_pattern(keyword).finditer(norm_text):
        if not _negated(norm_text, match.start()):
            return True
    return False


def _lookup(text: Optional[str], language: str, tables: KeywordTable) -> Optional[str]:
    if not text or not text.strip():
        return None
    norm_text = fold_words(text)
    order = [language] if language in tables else []
    order += [lang for lang in tables if lang not in order]  # the neighbour language as a fallback
    for lang in order:
        for value, keywords in tables[lang]:
            if any(_has_hit(norm_text, kw) for kw in keywords):
                return value
    return None


def parse_emotion(text: Optional[str], language: str) -> Optional[str]:
    """Map a free-text answer ("han er lei seg", "hun er ked af det", "bange") to an emotion, or None."""
    return _lookup(text, language, EMOTION_KEYWORDS)


def parse_seeks(text: Optional[str], language: str) -> Optional[str]:
    """Map a free-text answer ("vil sitte på fanget", "vil klare selv", "deltage") to a seeks value, or None."""
    return _lookup(text, language, SEEKS_KEYWORDS)
