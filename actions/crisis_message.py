"""The crisis answers, built from content/helplines.yml (numbers) and content/crisis_answers.yml
(the sentences around them) for the user's country. Pure.

* `crisis_message(language, kind)` – the *sure* tier: emergency numbers first, then the help
  lines, and the reporting route when a child may be harmed by an adult. A medical emergency
  starts with the ambulance number and adds the poison line.
* `crisis_check(language)` – the *possible* tier: one short line with the numbers and the
  question «Er noen i fare akkurat nå?», with its two buttons.
"""
from __future__ import annotations

from typing import Dict, List, Optional

from trygg.buttons import button
from trygg.content import load

MEDICAL = "medical"
# Kinds where an adult may be harming a child: the bekymringsmelding / underretning route.
ABUSE_KINDS = frozenset({
    "physical_abuse", "sexual_abuse", "neglect", "domestic_violence", "threat_abduction", "intoxicated_carer",
    "fear_of_harming",
})
CONFIRMED_INTENT, RULED_OUT_INTENT = "crisis_confirmed", "crisis_ruled_out"  # the safety question's buttons


def helplines() -> dict:
    return load("helplines.yml")


def crisis_texts() -> dict:
    return load("crisis_answers.yml")


def _country(language: str) -> str:
    return "da" if language == "da" else "nb"


def numbers(language: str) -> Dict[str, str]:
    """{help-line id: number} of the user's country, for the {id} placeholders of the texts."""
    return {entry["id"]: entry["number"] for entry in helplines()[_country(language)]}


def crisis_message(language: str, kind: Optional[str] = None) -> str:
    """The sure tier: emergency numbers first, then help lines; the reporting route for abuse."""
    language = _country(language)
    texts = crisis_texts()[language]["answer"]
    by_id = numbers(language)
    intro = texts["intro_medical"] if kind == MEDICAL else texts["intro"]
    lines: List[str] = [intro.format(**by_id), "", texts["list_heading"]]
    for entry in helplines()[language]:
        if "only_for" in entry and kind not in entry["only_for"]:
            continue
        lines.append(f"• {entry['number']} – {entry['name'][language]}: {entry['when'][language]}")
    if kind is None or kind in ABUSE_KINDS:
        lines += ["", helplines()["reporting"][language]]
    lines += ["", texts["outro"]]
    return "\n".join(lines)


def crisis_check(language: str) -> tuple[str, List[Dict[str, str]]]:
    """The possible tier: (the safety line with the question, its yes/no buttons)."""
    language = _country(language)
    check = crisis_texts()[language]["check"]
    buttons = [button(check["button_yes"], CONFIRMED_INTENT), button(check["button_no"], RULED_OUT_INTENT)]
    return check["text"].format(**numbers(language)), buttons
