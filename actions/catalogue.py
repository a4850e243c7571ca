"""The content catalogue as data: topics (with their hand), button titles, themes, suggestions.

Everything here is read from `content/` (YAML that a pedagogue can edit); nothing is hard-coded.
Pure: no Rasa imports.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Dict

import yaml

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"


def _load(name: str):
    return yaml.safe_load((CONTENT_DIR / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def topics() -> Dict[str, dict]:
    """Content topics by intent id: {'covers', 'source', 'hand'}."""
    return {t["id"]: t for t in _load("topics.yml")["content"]}


@lru_cache(maxsize=1)
def _titles() -> dict:
    return _load("topic_titles.yml")


def title(topic_id: str, language: str) -> str:
    entry = _titles()["titles"].get(topic_id)
    return entry[language] if entry else topic_id


def themes() -> Dict[str, dict]:
    return _titles()["themes"]


@lru_cache(maxsize=1)
def suggestions() -> Dict[str, dict]:
    """Prøvehandlinger per topic, merged from content/suggestions/*.yml."""
    merged: Dict[str, dict] = {}
    for path in sorted((CONTENT_DIR / "suggestions").glob("*.yml")):
        merged.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return merged


def hand_of(topic_id: str) -> str:
    topic = topics().get(topic_id)
    return topic["hand"] if topic else "none"
