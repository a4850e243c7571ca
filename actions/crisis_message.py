"""The crisis answer, built from content/helplines.yml for the user's country. Pure."""
from __future__ import annotations

from functools import lru_cache
from typing import Optional

import yaml

from actions.catalogue import CONTENT_DIR

INTRO = {
    "nb": "Er noen i fare akkurat nå, ring 112 (politi) eller 113 (ambulanse) med en gang.",
    "da": "Er nogen i fare lige nu, så ring 112 med det samme.",
}
LIST_HEADING = {"nb": "Her får du hjelp, hele døgnet:", "da": "Her kan du få hjælp:"}
OUTRO = {
    "nb": "Du trenger ikke stå i dette alene. Ring nå – jeg er bare en chatbot og kan ikke tilkalle hjelp.",
    "da": "Du skal ikke stå alene med det. Ring nu – jeg er kun en chatbot og kan ikke tilkalde hjælp.",
}
ABUSE_KINDS = {"violence", "sexual_abuse", "fear_of_harming", "intoxicated_adult"}


@lru_cache(maxsize=1)
def helplines() -> dict:
    return yaml.safe_load((CONTENT_DIR / "helplines.yml").read_text(encoding="utf-8"))


def crisis_message(language: str, kind: Optional[str] = None) -> str:
    """Emergency numbers first, then help lines; the reporting route when abuse is suspected."""
    language = "da" if language == "da" else "nb"
    data = helplines()
    lines = [INTRO[language], "", LIST_HEADING[language]]
    for entry in data[language]:
        lines.append(f"• {entry['number']} – {entry['name'][language]}: {entry['when'][language]}")
    if kind is None or kind in ABUSE_KINDS:
        lines += ["", data["reporting"][language]]
    lines += ["", OUTRO[language]]
    return "\n".join(lines)
