"""Advice for a described situation: the two short questions, why a hand fits, and the
prøvehandlinger for it (taken from the big_hand / small_hand / conflict_example suggestions,
each with its source). The texts: content/situation.yml. Pure: no Rasa imports."""
from __future__ import annotations

import re
from typing import List, Optional

from actions.hand_choice import HandChoice
from actions.hand_suggestion import HAND_NAMES, HandOffer, hand_offer
from trygg.content import LANGUAGES, load, pick
from trygg.text import fold

_TEXTS = load("situation.yml")  # content/situation.yml
QUESTIONS = {lang: pick(_TEXTS["questions"], lang) for lang in LANGUAGES}
EMOTION_BUTTONS = {lang: [(title, value) for value, title in pick(_TEXTS["emotion_buttons"], lang).items()]
                   for lang in LANGUAGES}
SEEKS_BUTTONS = {lang: [(title, value) for value, title in pick(_TEXTS["seeks_buttons"], lang).items()]
                 for lang in LANGUAGES}
REASONS = {lang: pick(_TEXTS["reasons"], lang) for lang in LANGUAGES}

_CONFLICT = re.compile(r"\b(konflikt\w*|krangl\w*|slass\w*|slas|slaas|tok|tog|tar|tager) (?:\w+ )?(?:fra|leke|bil|legetoj|leken)|\bkonflikt\w*|\bkrangl\w*|\bslass\w*|\bslas\w*")
_COMFORT_TRIED = re.compile(r"(trost\w*|trøst\w*).{0,60}(hjelper ikke|hjaelper ikke|virker ikke|virker ikkje|hjelp ikkje|uten effekt|uden effekt|ikke hjulpet|ikke hjulpet)")


def mentions_conflict(text: str) -> bool:
    return bool(_CONFLICT.search(fold(text)))


def comfort_tried_without_effect(text: str) -> bool:
    return bool(_COMFORT_TRIED.search(fold(text)))


def offer_for(choice: HandChoice, language: str) -> Optional[HandOffer]:
    """Prøvehandlinger for the chosen hand(s), from the sourced suggestions."""
    if choice.reason_key == "comfort_tried_without_effect":
        return hand_offer("nursery_example", language)
    if choice.hands == ("big", "small"):
        return hand_offer("conflict_example" if choice.reason_key == "conflict_big_then_small" else "choose_hand", language)
    return hand_offer("big_hand" if choice.hands == ("big",) else "small_hand", language)


def advice_text(choice: HandChoice, language: str, offer: Optional[HandOffer]) -> str:
    lines: List[str] = [REASONS[language][choice.reason_key]]
    if offer is not None:
        lines += ["", offer.message(language)]
    else:
        lines += ["", " / ".join(HAND_NAMES[language][h] for h in choice.hands)]
    return "\n".join(lines)
