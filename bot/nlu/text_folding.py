"""Fold Scandinavian spellings to one form, so "gråter", "graater" and "grater" match."""
from __future__ import annotations

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lowercase; ø→o, æ→ae, å→a, then aa→a; collapse whitespace.

    Folding is applied the same way to training data, incoming messages and the crisis
    patterns, so people typing without Scandinavian letters are understood.
    """
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("ø", "o").replace("æ", "ae").replace("å", "a").replace("ö", "o").replace("ä", "ae")
    text = text.replace("aa", "a")
    return _WHITESPACE.sub(" ", text).strip()
