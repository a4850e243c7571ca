"""'Mente du …?': pick the 2–3 most likely topics from an intent ranking. Pure."""
from __future__ import annotations

from typing import Iterable, List

from actions.catalogue import title, topics
from trygg.buttons import button

SKIP = {"nlu_fallback", "crisis", "out_of_scope", "affirm", "deny", "stop", "greet", "goodbye", "thanks"}
NONE_OF_THESE = {"nb": "Ingen av disse", "da": "Ingen af dem"}


def likely_topics(ranking: Iterable[dict], limit: int = 3, min_confidence: float = 0.05) -> List[str]:
    chosen: List[str] = []
    for entry in ranking:
        name = entry.get("name")
        if not name or name in SKIP or name in chosen:
            continue
        if float(entry.get("confidence") or 0.0) < min_confidence and chosen:
            break
        if name in topics() or name in _OTHER_TITLES:
            chosen.append(name)
        if len(chosen) == limit:
            break
    return chosen


def topic_buttons(topic_ids: List[str], language: str) -> List[dict]:
    buttons = [button(_title(t, language), t) for t in topic_ids]
    buttons.append(button(NONE_OF_THESE[language], "deny"))
    return buttons


_OTHER_TITLES = {
    "help": {"nb": "Hva kan du hjelpe med?", "da": "Hvad kan du hjælpe med?"},
    "describe_situation": {"nb": "Råd om en situasjon", "da": "Råd om en situation"},
    "reflection_start": {"nb": "Start en refleksjon", "da": "Start en refleksion"},
    "trial_action_list": {"nb": "Mine prøvehandlinger", "da": "Mine prøvehandlinger"},
    "privacy": {"nb": "Personvern", "da": "Privatliv"},
}


def _title(intent: str, language: str) -> str:
    if intent in _OTHER_TITLES:
        return _OTHER_TITLES[intent][language]
    return title(intent, language)
