"""'Mente du …?': pick the 2–3 most likely topics from an intent ranking. Pure.

The buttons' titles are the `title`s of content/topics.yml (the topics and the few conversation intents
with one); «none of these» is in content/menus.yml."""
from __future__ import annotations

from typing import Iterable, List

from actions.catalogue import title, titled_intents, topics
from trygg.buttons import button
from trygg.content import load

SKIP = {"nlu_fallback", "crisis", "out_of_scope", "affirm", "deny", "stop", "greet", "goodbye", "thanks"}
# The conversation intents «Mente du …?» may offer besides the topics: {intent: {nb, da}}.
_OTHER_TITLES = {intent: titles for intent, titles in titled_intents().items() if intent not in topics()}
NONE_OF_THESE = load("menus.yml")["none_of_these"]  # {nb, da}


def likely_topics(ranking: Iterable[dict], limit: int = 3, min_confidence: float = 0.05) -> List[str]:
    chosen: List[str] = []
    for entry in ranking:
        name = entry.get("name")
        if not name or name in SKIP or name in chosen:
            continue
        if float(entry.get("confidence") or 0.0) < min_confidence and chosen:
            break
        if name in titled_intents():  # a topic, or a conversation intent with a title
            chosen.append(name)
        if len(chosen) == limit:
            break
    return chosen


def topic_buttons(topic_ids: List[str], language: str) -> List[dict]:
    buttons = [button(title(t, language), t) for t in topic_ids]
    buttons.append(button(NONE_OF_THESE[language], "deny"))
    return buttons
