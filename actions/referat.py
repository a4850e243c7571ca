"""A short plain-text summary ("referat") of a guided "Små børns stemmer" reflection.

The text has headings in the user's language (nb or da), can be copied or sent to a leader,
and runs every free-text field through `redact` once more before it leaves the bot. Its words:
content/referat.yml. Pure: no Rasa, HTTP or database imports.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, Mapping

from trygg.content import LANGUAGES, load, pick
from trygg.redaction import redact

_TEXTS = load("referat.yml")  # content/referat.yml
LABELS: Dict[str, Dict[str, str]] = {lang: pick(_TEXTS["labels"], lang) for lang in LANGUAGES}
HAND_NAMES: Dict[str, Dict[str, str]] = {lang: pick(_TEXTS["hand_names"], lang) for lang in LANGUAGES}

SECTIONS = ("situation", "adult_perspective", "child_perspective", "hand", "trial_action")


def _lang(language: str) -> str:
    return "da" if language == "da" else "nb"


def hand_name(hand: Any, language: str) -> str:
    """The hand (big/small/both) in words of the language; '' for an unknown or missing hand."""
    return HAND_NAMES[_lang(language)].get(str(hand), "") if hand else ""


def _field(reflection: Mapping[str, Any], key: str, language: str) -> str:
    if key == "hand":
        return hand_name(reflection.get("hand"), language)
    value = reflection.get(key)
    return redact(str(value).strip()) if value is not None else ""


def format_referat(reflection: Mapping[str, Any], language: str) -> str:
    """Plain-text referat of `reflection` (situation, perspectives, hand, trial_action, created_at)."""
    labels = LABELS[_lang(language)]
    lines = [labels["title"]]
    created_at = reflection.get("created_at")
    if isinstance(created_at, datetime):
        lines.append(f"{labels['date']}: {created_at:%d.%m.%Y %H:%M}")
    for key in SECTIONS:
        text = _field(reflection, key, language) or labels["empty"]
        lines += ["", labels[key], text]
    lines += ["", "—", labels["footer"]]
    return "\n".join(lines) + "\n"


def referat_filename(created_at: datetime, language: str) -> str:
    """An ASCII file name for the referat, e.g. 'referat-sma-barns-stemmer-2025-03-14-0930.txt'."""
    return f"{LABELS[_lang(language)]['file_stem']}-{created_at:%Y-%m-%d-%H%M}.txt"
