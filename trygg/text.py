"""Text helpers shared by the NLU, the channels and the actions. Pure.

`fold` folds Scandinavian spellings to one form, so "gråter", "graater" and "grater" match;
`fold_words` goes further for keyword tables (ae→a, oe→o, no punctuation); `has_words` tells
whether a text holds any letter or digit."""
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


_AE_OE_AA = (("ae", "a"), ("oe", "o"), ("aa", "a"))
_PUNCTUATION = re.compile(r"[^\w\s]")


def fold_words(text: str) -> str:
    """`fold`, then also ae→a, oe→o, aa→a and punctuation → space, so "æ", "ae" and "a" (and "ø",
    "oe", "o") compare equal: the keyword tables of actions.hand_choice."""
    text = fold(text)
    for spelled, folded in _AE_OE_AA:
        text = text.replace(spelled, folded)
    return _WHITESPACE.sub(" ", _PUNCTUATION.sub(" ", text)).strip()


def has_words(text: str) -> bool:
    """True when the text holds at least one letter or digit."""
    return any(unicodedata.category(ch)[0] in ("L", "N") for ch in text or "")


def keyword(word: str) -> str:
    """A word of a keyword list in content/ as it is compared: folded (`fold_words`), and a final
    «*» kept, meaning «any ending» («plejeforæld*» → «plejeforald*»)."""
    return fold_words(word.rstrip("*")) + ("*" if word.endswith("*") else "")


def matches_keyword(word: str, pattern: str) -> bool:
    """Does a folded word match a `keyword` pattern (the whole word, or its start before «*»)?"""
    return word.startswith(pattern[:-1]) if pattern.endswith("*") else word == pattern
