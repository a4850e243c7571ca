"""Which hand to suggest after an answer, and the concrete prøvehandlinger for it. Pure.

Hands and suggestions come from content/topics.yml (`hand`) and content/suggestions/*.yml
(each suggestion with its source passage). "both" = den store hånd first, then den lille.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

from actions.catalogue import hand_of, suggestions
from trygg.buttons import button

HAND_NAMES = {
    "nb": {"big": "den store hånden (nærhet, trøst, beskyttelse)",
           "small": "den lille hånden (selvstendighet, mestring, deltakelse)"},
    "da": {"big": "den store hånd (nærhed, trøst, beskyttelse)",
           "small": "den lille hånd (autonomi, mestring, deltagelse)"},
}
LEAD = {
    "nb": {"big": "Her passer {big}.", "small": "Her passer {small}.",
           "both": "Først {big}, så {small}."},
    "da": {"big": "Her passer {big}.", "small": "Her passer {small}.",
           "both": "Først {big}, så {small}."},
}
TRY = {"nb": "Du kan prøve dette:", "da": "Du kan prøve dette:"}
SAVE = {"nb": "Lagre som prøvehandling", "da": "Gem som prøvehandling"}


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
