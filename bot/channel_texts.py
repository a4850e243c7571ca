"""The channels' own texts (content/channel_texts.yml), nb and da – never written in Python.

    texts("web")["da"]["rate_limited"]
Pure apart from reading that file once.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Dict

import yaml

TEXTS_FILE = Path(__file__).resolve().parent.parent / "content" / "channel_texts.yml"
LANGUAGES = ("nb", "da")


@lru_cache(maxsize=1)
def _all() -> Dict[str, Dict[str, Dict[str, str]]]:
    data = yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))
    for section, by_language in data.items():
        if set(by_language) != set(LANGUAGES) or set(by_language["nb"]) != set(by_language["da"]):
            raise ValueError(f"{TEXTS_FILE.name}: {section} needs the same keys in nb and da")
    return data


def texts(section: str) -> Dict[str, Dict[str, str]]:
    """{language: {key: text}} of one section ("web", "telegram", "telegram_commands")."""
    return _all()[section]
