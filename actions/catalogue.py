"""The content catalogue as data: topics (with their hand and title), themes, suggestions.

Everything here is read from `content/` (YAML that a pedagogue can edit, through trygg.content);
nothing is hard-coded. Pure: no Rasa imports.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Dict

from trygg.content import CONTENT_DIR, load

__all__ = ["CONTENT_DIR", "topics", "title", "titled_intents", "themes", "suggestions", "hand_of"]


@lru_cache(maxsize=1)
def topics() -> Dict[str, dict]:
    """Content topics by intent id: {'title', 'covers', 'source', 'hand'}."""
    return {t["id"]: t for t in load("topics.yml")["content"]}


@lru_cache(maxsize=1)
def titled_intents() -> Dict[str, Dict[str, str]]:
    """{intent: {nb, da}}: the button title of every content topic and of the conversation intents
    that «Mente du …?» may offer (those with a `title` in content/topics.yml)."""
    catalogue = load("topics.yml")
    return {entry["id"]: entry["title"] for entry in catalogue["content"] + catalogue["conversation"]
            if "title" in entry}


def title(intent: str, language: str) -> str:
    entry = titled_intents().get(intent)
    return entry[language] if entry else intent


def themes() -> Dict[str, dict]:
    """The help menu's themes in order: {theme id: {nb, da, topics}}."""
    return load("topics.yml")["themes"]


@lru_cache(maxsize=1)
def suggestions() -> Dict[str, dict]:
    """Prøvehandlinger per topic, merged from content/suggestions/*.yml."""
    merged: Dict[str, dict] = {}
    for path in sorted((CONTENT_DIR / "suggestions").glob("*.yml")):
        merged.update(load(f"suggestions/{path.name}") or {})
    return merged


def hand_of(topic_id: str) -> str:
    topic = topics().get(topic_id)
    return topic["hand"] if topic else "none"
