"""What phones type, made plain before any crisis matching. Pure: no Rasa imports.

Typographic quotes and apostrophes (’ ‘ “ ” « » ´ `), dashes, zero-width characters, emoji and
other symbols would otherwise split or hide words («vil’kke», «leve🙏»): a typographic apostrophe
defeated both layers of another project's crisis routing. `plain()` maps them to ASCII or a
space, keeping letters, digits and sentence punctuation; `fold()` then lowercases and folds æøå.
"""
from __future__ import annotations

import unicodedata

from trygg.text import fold

_TRANSLATE = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u2026": "...",
})
_KEEP_PUNCTUATION = set(".,!?;:'\"-()/")


def _plain_char(ch: str) -> str:
    category = unicodedata.category(ch)
    if category[0] in ("L", "N") or ch in _KEEP_PUNCTUATION:
        return ch
    if category in ("Mn", "Mc", "Me", "Cf"):  # combining marks left after NFKC, zero-width joiners
        return ""
    return " "  # emoji, symbols, control bytes, other punctuation, every kind of space


def plain(text: str) -> str:
    """Typographic punctuation → ASCII; emoji, symbols and control characters → space."""
    text = unicodedata.normalize("NFKC", text or "").translate(_TRANSLATE)
    return "".join(_plain_char(ch) for ch in text)


def folded_plain(text: str) -> str:
    """The form crisis patterns and the crisis detector read: plain, lowercased, æøå folded,
    white space collapsed (fold does that)."""
    return fold(plain(text))
