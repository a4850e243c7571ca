"""The channels' own texts (content/channel_texts.yml), nb and da – never written in Python.

    texts("web")["da"]["rate_limited"]
Pure apart from reading that file once (trygg.content).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Dict

from trygg.content import LANGUAGES, load

TEXTS_FILE = "channel_texts.yml"
CHANNELS = ("web", "telegram")


@lru_cache(maxsize=1)
def _all() -> Dict[str, Dict[str, Dict[str, str]]]:
    data = load(TEXTS_FILE)
    for section, by_language in data.items():
        if set(by_language) != set(LANGUAGES) or set(by_language["nb"]) != set(by_language["da"]):
            raise ValueError(f"{TEXTS_FILE}: {section} needs the same keys in nb and da")
    return data


@lru_cache(maxsize=None)
def texts(section: str) -> Dict[str, Dict[str, str]]:
    """{language: {key: text}} of one section ("web", "telegram", "telegram_commands"); the channels
    ("web", "telegram") also get the texts of `both`, which they say alike."""
    data = _all()
    if section not in CHANNELS:
        return data[section]
    return {language: {**data["both"][language], **data[section][language]} for language in LANGUAGES}
