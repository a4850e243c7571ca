"""What the bot says about saved prøvehandlinger, in nb and da (the texts: content/trial_actions.yml). Pure
apart from reading that file."""
from __future__ import annotations

from typing import Iterable, List

from trygg.buttons import button
from trygg.content import LANGUAGES, load, pick

_TEXTS = load("trial_actions.yml")  # content/trial_actions.yml
STATUS = {lang: pick(_TEXTS["status"], lang) for lang in LANGUAGES}
OUTCOME = {lang: pick(_TEXTS["outcome"], lang) for lang in LANGUAGES}
TEXTS = {lang: pick(_TEXTS["texts"], lang) for lang in LANGUAGES}


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
