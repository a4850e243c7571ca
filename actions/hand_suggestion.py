"""Which hand to suggest after an answer, and the concrete prøvehandlinger for it. Pure.

Hands and suggestions come from content/topics.yml (`hand`) and content/suggestions/*.yml
(each suggestion with its source passage), the words around them from content/hand_offer.yml.
"both" = den store hånd first, then den lille.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

from actions.catalogue import hand_of, suggestions
from trygg.buttons import button
from trygg.content import LANGUAGES, load, pick

_TEXTS = load("hand_offer.yml")  # content/hand_offer.yml
HAND_NAMES = {lang: pick(_TEXTS["hand_names"], lang) for lang in LANGUAGES}
LEAD = {lang: pick(_TEXTS["lead"], lang) for lang in LANGUAGES}
TRY = {lang: _TEXTS["texts"]["try"][lang] for lang in LANGUAGES}
SAVE = {lang: _TEXTS["texts"]["save"][lang] for lang in LANGUAGES}


@dataclass(frozen=True)
class Suggestion:
    hand: str  # "big" or "small"
    text: str
    source: str


@dataclass(frozen=True)
class HandOffer:
    topic: str
    hand: str  # "big", "small" or "both"
    suggestions: List[Suggestion]

    def message(self, language: str) -> str:
        names = HAND_NAMES[language]
        lines = [LEAD[language][self.hand].format(big=names["big"], small=names["small"]), "", TRY[language]]
        lines += [f"{i}. {s.text}" for i, s in enumerate(self.suggestions, start=1)]
        return "\n".join(lines)

    def buttons(self, language: str) -> List[dict]:
        return [
            button(f"{SAVE[language]} {i}" if len(self.suggestions) > 1 else SAVE[language],
                   "trial_action_save", suggestion_index=i)
            for i in range(1, len(self.suggestions) + 1)
        ]


def hand_offer(topic: str, language: str) -> Optional[HandOffer]:
    """The offer after answering `topic`, or None when the topic has no hand (or no suggestions)."""
    hand = hand_of(topic)
    entry = suggestions().get(topic)
    if hand == "none" or not entry:
        return None
    items = [
        Suggestion(hand=s.get("hand", hand if hand != "both" else "big"), text=s[language], source=s["source"])
        for s in entry.get("suggestions", [])[:3]
    ]
    if hand == "both":  # big hand first, then small
        items.sort(key=lambda s: 0 if s.hand == "big" else 1)
    return HandOffer(topic=topic, hand=hand, suggestions=items) if items else None
