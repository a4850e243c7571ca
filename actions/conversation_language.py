"""Which language to answer in: the `language` slot, else the deployment default."""
from __future__ import annotations

from rasa_sdk import Tracker

from trygg.settings import get_settings


def language_of(tracker: Tracker) -> str:
    value = tracker.get_slot("language")
    if value in ("nb", "da"):
        return value
    return "da" if get_settings().default_language == "da" else "nb"
