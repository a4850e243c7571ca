"""The referat is plain text with headings and hand names in the user's language."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from actions.referat import format_referat, referat_filename

CREATED = datetime(2025, 3, 14, 9, 30, tzinfo=timezone.utc)

REFLECTION = {
    "situation": "Han blir lei seg når andre barn kommer nær.",
    "adult_perspective": "Vi trøster, men det hjelper ikke.",
    "child_perspective": "Jeg vet ikke hvordan jeg skal leke med dem.",
    "hand": "small",
    "trial_action": "Forberede ham på samlingen og vise hvem han skal sitte ved.",
    "created_at": CREATED,
}

NB_HEADINGS = ["Situasjonen", "Den voksnes perspektiv", "Barnets perspektiv", "Hånd", "Prøvehandling"]
DA_HEADINGS = ["Situationen", "Den voksnes perspektiv", "Barnets perspektiv", "Hånd", "Prøvehandling"]


def _lines(text: str) -> list:
    return text.splitlines()


def test_nb_structure_and_order():
    text = format_referat(REFLECTION, "nb")
    lines = _lines(text)
    assert lines[0] == "Referat – Små børns stemmer"
    assert "Dato: 14.03.2025 09:30" in lines
    positions = [lines.index(h) for h in NB_HEADINGS]
    assert positions == sorted(positions)
    # each heading is followed by its content
    assert lines[lines.index("Situasjonen") + 1] == REFLECTION["situation"]
    assert lines[lines.index("Den voksnes perspektiv") + 1] == REFLECTION["adult_perspective"]
    assert lines[lines.index("Barnets perspektiv") + 1] == REFLECTION["child_perspective"]
    assert lines[lines.index("Prøvehandling") + 1] == REFLECTION["trial_action"]
    assert lines[lines.index("Hånd") + 1].startswith("den lille hånden")


def test_da_headings_and_hand_names():
    text = format_referat({**REFLECTION, "hand": "big"}, "da")
    lines = _lines(text)
    assert lines[0] == "Referat – Små børns stemmer"
    for heading in DA_HEADINGS:
        assert heading in lines
    hand_line = lines[lines.index("Hånd") + 1]
    assert hand_line.startswith("den store hånd ")
    assert "hånden" not in text
    assert "nærhed" in hand_line


@pytest.mark.parametrize(
    "hand, language, first, second",
    [
        ("big", "nb", "den store hånden", None),
        ("small", "nb", "den lille hånden", None),
        ("both", "nb", "den store hånden", "den lille hånden"),
        ("big", "da", "den store hånd", None),
        ("small", "da", "den lille hånd", None),
        ("both", "da", "den store hånd", "den lille hånd"),
    ],
)
def test_hand_names(hand, language, first, second):
    lines = _lines(format_referat({**REFLECTION, "hand": hand}, language))
    hand_line = lines[lines.index("Hånd") + 1]
    assert first in hand_line
    if second:
        assert hand_line.index(first) < hand_line.index(second)  # big first, then small
    else:
        other = "lille" if "store" in first else "store"
        assert other not in hand_line


def test_missing_fields_are_marked_not_dropped():
    text = format_referat({"situation": "Kun situasjonen", "created_at": CREATED}, "nb")
    lines = _lines(text)
    for heading in NB_HEADINGS:
        assert heading in lines
        assert lines[lines.index(heading) + 1] in ("(ikke fylt ut)", "Kun situasjonen")
    assert "(ikke udfyldt)" in format_referat({"created_at": CREATED}, "da")


def test_identifiers_are_redacted_in_the_referat():
    text = format_referat({**REFLECTION, "situation": "Mor ringte fra 98765432 (mor@example.no)."}, "nb")
    assert "98765432" not in text and "mor@example.no" not in text
    assert "Mor ringte fra [telefon] ([e-post])." in text


def test_plain_text_no_markup():
    text = format_referat(REFLECTION, "nb")
    assert text.endswith("\n")
    for marker in ("<", ">", "**", "#", "\t"):
        assert marker not in text


def test_unknown_language_falls_back_to_nb():
    assert format_referat(REFLECTION, "en").startswith("Referat – Små børns stemmer")


def test_filename():
    assert referat_filename(CREATED, "nb") == "referat-sma-barns-stemmer-2025-03-14-0930.txt"
    assert referat_filename(CREATED, "da") == "referat-sma-borns-stemmer-2025-03-14-0930.txt"
    name = referat_filename(datetime(2025, 12, 1, 23, 5), "da")
    assert name.isascii() and " " not in name and name.endswith("2025-12-01-2305.txt")
