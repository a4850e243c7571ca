"""Advice for a described situation: the two short questions, why a hand fits, and the
prøvehandlinger for it (taken from the big_hand / small_hand / conflict_example suggestions,
each with its source). Pure: no Rasa imports."""
from __future__ import annotations

import re
from typing import List, Optional

from actions.hand_choice import HandChoice
from actions.hand_suggestion import HAND_NAMES, HandOffer, hand_offer
from trygg.text import fold

QUESTIONS = {
    "nb": {
        "emotion": "Hva viser barnet akkurat nå?",
        "seeks": "Søker barnet nærhet, eller vil det klare noe selv eller være med de andre?",
    },
    "da": {
        "emotion": "Hvad viser barnet lige nu?",
        "seeks": "Søger barnet nærhed, eller vil det klare noget selv eller være med de andre?",
    },
}
EMOTION_BUTTONS = {
    "nb": [("Lei seg", "sad"), ("Sint", "angry"), ("Redd", "scared"), ("Usikker", "unsure"),
           ("Overveldet", "overwhelmed"), ("Ivrig", "eager"), ("Rolig", "calm")],
    "da": [("Ked af det", "sad"), ("Vred", "angry"), ("Bange", "scared"), ("Usikker", "unsure"),
           ("Overvældet", "overwhelmed"), ("Ivrig", "eager"), ("Rolig", "calm")],
}
SEEKS_BUTTONS = {
    "nb": [("Søker nærhet", "closeness"), ("Vil klare selv", "manage"), ("Vil være med", "join_in")],
    "da": [("Søger nærhed", "closeness"), ("Vil klare selv", "manage"), ("Vil være med", "join_in")],
}
REASONS = {
    "nb": {
        "comfort_tried_without_effect": "Trøst alene har ikke hjulpet. I eksemplet fra småbarnsavdelingen trengte gutten støtte til å bli tryggere sammen med de andre barna – den lille hånden.",
        "conflict_big_then_small": "I en konflikt kan du først tilby den store hånden og deretter den lille hånden.",
        "dysregulated_then_support": "Barnet trenger først ro og trygghet – den store hånden – og så støtte til å klare selv eller være med.",
        "dysregulated_big_first": "Når barnet er i ubalanse, kommer trøst og trygghet først – den store hånden.",
        "seeks_closeness": "Barnet søker nærhet – det er den store hånden: nærhet, trøst og beskyttelse.",
        "unsure_support_participation": "Et usikkert barn som vil være med, kan trenge støtte til å møte de andre – den lille hånden.",
        "unsure_safety_then_support": "Et usikkert barn kan trenge trygghet først og så støtte til å delta.",
        "ready_to_explore": "Barnet er i balanse og vil mestre eller delta – det er den lille hånden.",
        "regulated_explore": "Barnet er i balanse – støtt det i å klare selv og være med: den lille hånden.",
        "unknown_care_first": "Er du usikker, kommer omsorg først: den store hånden, så den lille.",
    },
    "da": {
        "comfort_tried_without_effect": "Trøst alene har ikke hjulpet. I eksemplet fra vuggestuen havde drengen brug for støtte til at føle sig tryggere med de andre børn – den lille hånd.",
        "conflict_big_then_small": "I en konflikt kan du først tilbyde den store hånd og dernæst den lille hånd.",
        "dysregulated_then_support": "Barnet har først brug for ro og tryghed – den store hånd – og så støtte til at klare selv eller være med.",
        "dysregulated_big_first": "Når barnet er ude af balance, kommer trøst og tryghed først – den store hånd.",
        "seeks_closeness": "Barnet søger nærhed – det er den store hånd: nærhed, trøst og beskyttelse.",
        "unsure_support_participation": "Et usikkert barn, der gerne vil være med, kan have brug for støtte til at møde de andre – den lille hånd.",
        "unsure_safety_then_support": "Et usikkert barn kan have brug for tryghed først og så støtte til at deltage.",
        "ready_to_explore": "Barnet er i balance og vil mestre eller deltage – det er den lille hånd.",
        "regulated_explore": "Barnet er i balance – støt det i at klare selv og være med: den lille hånd.",
        "unknown_care_first": "Er du i tvivl, kommer omsorgen først: den store hånd, så den lille.",
    },
}
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
