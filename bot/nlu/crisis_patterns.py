"""The crisis safety net: keyword patterns that must never let a message about danger pass.

Patterns live in content/crisis_patterns.yml (Python regular expressions applied to the folded
text, see text_folding.fold). This module is pure: no Rasa imports.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import List, Optional

import yaml

from bot.nlu.text_folding import fold

PATTERNS_FILE = Path(__file__).resolve().parents[2] / "content" / "crisis_patterns.yml"


@dataclass(frozen=True)
class CrisisPattern:
    kind: str
    lang: str
    regex: "re.Pattern[str]"


@dataclass(frozen=True)
class CrisisMatch:
    kind: str
    pattern: str


@lru_cache(maxsize=4)
def load_patterns(path: Path = PATTERNS_FILE) -> List[CrisisPattern]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return [
        CrisisPattern(kind=p["kind"], lang=p.get("lang", "any"), regex=re.compile(p["re"]))
        for p in data["patterns"]
    ]


def find_crisis(text: str, patterns: Optional[List[CrisisPattern]] = None) -> Optional[CrisisMatch]:
    """The first crisis pattern that matches the folded text, or None."""
    folded = fold(text or "")
    for pattern in patterns if patterns is not None else load_patterns():
        if pattern.regex.search(folded):
            return CrisisMatch(kind=pattern.kind, pattern=pattern.regex.pattern)
    return None
