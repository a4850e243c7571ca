"""The crisis pattern floor: keyword rules that must never let a message about danger pass.

Rules live in content/crisis_patterns.yml and are applied to `folded_plain(text)` (typographic
quotes, emoji and control characters made plain, lowercased, æøå folded). Two sorts:

* `patterns` – Python regular expressions (`re.search`);
* `near` – words that must all occur within a few words of each other, in any order
  («vil ikke leve», «ikke vil leve lenger», «leve vil hun ikke»). Each word is a regular
  expression for one whole word; `groups` names shared word lists (negations, pronouns …).

Every rule has a `kind` and a `tier`: `sure` (the help-line answer at once) or `possible` (the
bot asks «Er noen i fare akkurat nå?» first). `credited: false` marks a rule written after
reading the crisis detector's own lowest-scored training examples: it fires like any other, but
the detector's threshold is chosen as if it did not exist – out-of-fold it would look perfect on
the very examples it was written from, and the threshold would rise on a promise the rule keeps
only on the training data (measured: docs/crisis.md). Pure: no Rasa imports.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

import yaml

from bot.nlu.typed_text import folded_plain

PATTERNS_FILE = Path(__file__).resolve().parents[2] / "content" / "crisis_patterns.yml"
SURE, POSSIBLE = "sure", "possible"
_TIER_RANK = {POSSIBLE: 1, SURE: 2}
_WORD = re.compile(r"\w+")  # an apostrophe splits: «vil'kke» → vil, kke


@dataclass(frozen=True)
class CrisisPattern:
    kind: str
    tier: str
    regex: "re.Pattern[str]"
    credited: bool = True  # counts as caught when the detector's threshold is chosen (see below)

    def matches(self, folded: str, words: Sequence[str]) -> bool:
        return self.regex.search(folded) is not None

    @property
    def source(self) -> str:
        return self.regex.pattern


@dataclass(frozen=True)
class NearRule:
    """All `words` (each a regex for one whole word) within `within` words, in any order."""
    kind: str
    tier: str
    words: Tuple["re.Pattern[str]", ...]
    within: int
    credited: bool = True

    def matches(self, folded: str, words: Sequence[str]) -> bool:
        positions = [[i for i, w in enumerate(words) if regex.fullmatch(w)] for regex in self.words]
        if not all(positions):
            return False
        # Anchored at each place of the first word, the nearest place of every other word.
        for start in positions[0]:
            spread = [start] + [min(other, key=lambda p: abs(p - start)) for other in positions[1:]]
            if max(spread) - min(spread) <= self.within:
                return True
        return False

    @property
    def source(self) -> str:
        return " ~ ".join(r.pattern for r in self.words) + f" (within {self.within})"


Rule = "CrisisPattern | NearRule"


@dataclass(frozen=True)
class CrisisMatch:
    kind: str
    tier: str
    pattern: str


def _expand(word: str, groups: dict) -> str:
    """'@neg|ingen' → '(?:ikke|ikkje|…)|ingen': every @name of an alternative is its word list."""
    return "|".join(groups[part[1:]] if part.startswith("@") else part for part in word.split("|"))


@lru_cache(maxsize=4)
def load_patterns(path: Path = PATTERNS_FILE) -> List[Rule]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    groups = {name: "(?:" + "|".join(words) + ")" for name, words in (data.get("groups") or {}).items()}
    rules: List[Rule] = [
        CrisisPattern(kind=p["kind"], tier=p.get("tier", SURE), regex=re.compile(p["re"]),
                      credited=bool(p.get("credited", True)))
        for p in data["patterns"]
    ]
    rules += [
        NearRule(kind=r["kind"], tier=r.get("tier", POSSIBLE), within=int(r.get("within", 4)),
                 words=tuple(re.compile(_expand(w, groups)) for w in r["words"]),
                 credited=bool(r.get("credited", True)))
        for r in data.get("near") or []
    ]
    return rules


def find_all(text: str, patterns: Optional[List[Rule]] = None) -> List[CrisisMatch]:
    folded = folded_plain(text)
    words = _WORD.findall(folded)
    return [CrisisMatch(kind=p.kind, tier=p.tier, pattern=p.source)
            for p in (patterns if patterns is not None else load_patterns()) if p.matches(folded, words)]


def credited(patterns: Sequence[Rule]) -> List[Rule]:
    """The rules the detector's threshold choice may count on (see the module doc)."""
    return [p for p in patterns if p.credited]


def find_crisis(text: str, patterns: Optional[List[Rule]] = None) -> Optional[CrisisMatch]:
    """The strongest rule that matches (a sure one before a possible one; first in the file wins)."""
    matches = find_all(text, patterns)
    if not matches:
        return None
    return max(matches, key=lambda m: _TIER_RANK[m.tier])  # max keeps the first of equals
