"""What the bot says about saved prøvehandlinger, in nb and da. Pure."""
from __future__ import annotations

from typing import Iterable, List

from trygg.buttons import button

STATUS = {
    "nb": {"planned": "planlagt", "tried": "prøvd", "evaluated": "vurdert"},
    "da": {"planned": "planlagt", "tried": "afprøvet", "evaluated": "evalueret"},
}
OUTCOME = {
    "nb": {"helped": "det hjalp", "partly": "det hjalp delvis", "not_helped": "det hjalp ikke"},
    "da": {"helped": "det hjalp", "partly": "det hjalp delvist", "not_helped": "det hjalp ikke"},
}
TEXTS = {
    "nb": {
        "saved": "Lagret som prøvehandling nr. {number}: «{text}». Om {days} dager spør jeg hvordan det gikk.",
        "save_failed": "Jeg fikk ikke lagret prøvehandlingen akkurat nå. Prøv igjen om et minutt – ingenting er lagret dobbelt.",
        "try_again": "Prøv å lagre igjen",
        "nothing_offered": "Jeg har ingen prøvehandling å lagre ennå. Spør meg om et tema først, så foreslår jeg en.",
        "empty": "Du har ingen lagrede prøvehandlinger.",
        "heading": "Dine prøvehandlinger:",
        "how_did_it_go": "Hvordan gikk prøvehandlingen «{text}»?",
        "followup": "Velkommen tilbake! For {days} dager siden bestemte du deg for å prøve: «{text}». Hvordan gikk det?",
        "followup_then": "Svar når du vil – her er svaret på det du skrev:",
        "evaluated": "Takk! Jeg har notert at {outcome}.",
        "not_found": "Jeg finner ikke den prøvehandlingen.",
        "deleted": "Prøvehandlingen er slettet.",
        "evaluate": "Hvordan gikk nr. {number}?",
        "mark_tried": "Prøvd nr. {number}",
        "marked_tried": "Fint at du har prøvd «{text}». Hvordan gikk det?",
        "delete": "Slett nr. {number}",
    },
    "da": {
        "saved": "Gemt som prøvehandling nr. {number}: »{text}«. Om {days} dage spørger jeg, hvordan det gik.",
        "save_failed": "Jeg kunne ikke gemme prøvehandlingen lige nu. Prøv igen om et minut – intet bliver gemt dobbelt.",
        "try_again": "Prøv at gemme igen",
        "nothing_offered": "Jeg har ingen prøvehandling at gemme endnu. Spørg mig om et emne først, så foreslår jeg en.",
        "empty": "Du har ingen gemte prøvehandlinger.",
        "heading": "Dine prøvehandlinger:",
        "how_did_it_go": "Hvordan gik prøvehandlingen »{text}«?",
        "followup": "Velkommen tilbage! For {days} dage siden besluttede du at prøve: »{text}«. Hvordan gik det?",
        "followup_then": "Svar, når du vil – her er svaret på det, du skrev:",
        "evaluated": "Tak! Jeg har noteret, at {outcome}.",
        "not_found": "Jeg kan ikke finde den prøvehandling.",
        "deleted": "Prøvehandlingen er slettet.",
        "evaluate": "Hvordan gik nr. {number}?",
        "mark_tried": "Afprøvet nr. {number}",
        "marked_tried": "Godt, at du har afprøvet »{text}«. Hvordan gik det?",
        "delete": "Slet nr. {number}",
    },
}


def say(language: str, key: str, **values) -> str:
    return TEXTS[language][key].format(**values)


def listing(language: str, actions: Iterable) -> str:
    lines: List[str] = [TEXTS[language]["heading"]]
    for action in actions:
        state = STATUS[language][action.status]
        if action.outcome:
            state += f" – {OUTCOME[language][action.outcome]}"
        lines.append(f"{action.user_number}. {action.action_text} ({state})")  # the user's number, never the id
    return "\n".join(lines)


def outcome_buttons(language: str, number: int) -> List[dict]:
    """How did it go? – for the user's prøvehandling nr. `number` (its user_number, not the id)."""
    return [button(OUTCOME[language][o].capitalize(), "trial_action_evaluate", trial_action_number=number, outcome=o)
            for o in ("helped", "partly", "not_helped")]


def parse_outcome(text: str) -> str | None:
    """'det hjalp ikke' → not_helped, 'delvis' → partly, 'det hjalp' → helped; else None."""
    from trygg.text import fold

    folded = fold(text or "")
    if any(w in folded for w in ("ikke", "ikkje", "ingen effekt", "verre", "vaerre", "ikke hjalp")):
        return "not_helped"
    if any(w in folded for w in ("delvis", "litt", "lidt", "noe", "noget", "sa som sa")):
        return "partly"
    if any(w in folded for w in ("hjalp", "hjelp", "bedre", "bra", "godt", "virket", "virkede")):
        return "helped"
    return None
