"""redact() removes direct identifiers and leaves everything else exactly as it was."""
from __future__ import annotations

import pytest

from trygg.redaction import redact


@pytest.mark.parametrize(
    "text, expected",
    [
        # Norwegian fødselsnummer
        ("Fnr 01019012345.", "Fnr [fødselsnummer]."),
        ("fødselsnummer 010190 12345", "fødselsnummer [fødselsnummer]"),
        # Danish CPR
        ("CPR 010190-1234", "CPR [cpr]"),
        ("cpr: 3112851234", "cpr: [cpr]"),
        ("cpr 010190 1234", "cpr [cpr]"),
        # Norwegian phones
        ("Ring 98765432 i kveld", "Ring [telefon] i kveld"),
        ("Tlf. 98 76 54 32", "Tlf. [telefon]"),
        ("mobil 987 65 432", "mobil [telefon]"),
        ("+47 98765432", "[telefon]"),
        ("+4798765432", "[telefon]"),
        ("0047 987 65 432", "[telefon]"),
        ("4798765432", "[telefon]"),
        # Danish phones
        ("ring på 20 12 34 56", "ring på [telefon]"),
        ("+45 20 12 34 56", "[telefon]"),
        ("(+45) 2012 3456", "[telefon]"),
        ("0045 20123456", "[telefon]"),
        # e-mail
        ("skriv til ola.nordmann@example.no!", "skriv til [e-post]!"),
        ("kari+barnevern@kommune.dk eller", "[e-post] eller"),
    ],
)
def test_identifiers_are_replaced(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Han er 3 år og har bodd hos oss siden 2021.",
        "Fra 2019 til 2024, og 2023 2024 var tøft",
        "Vi møtes kl. 14:30 eller 08.15",
        "Samling 09-10, lek 10-12",
        "Det kostet 12 500 kr, budsjettet er 2 500 000 kr og 25 000 000 kr i alt",
        "Datoen var 20.11.2024 og 1.12.",
        "Barna er 10 12 14 16 år",
        "Nummer 12345678 er ikke et telefonnummer",
        "Side 123, avsnitt 4",
        "1990-2020",
        "9999999999",
        "",
        "Ingen tall her – bare æøå ÆØÅ og «sitater».",
    ],
)
def test_other_text_is_unchanged(text):
    assert redact(text) == text


def test_several_identifiers_and_surrounding_text_kept():
    text = "Mor (tlf 98765432, e-post mor@example.com) sa at fnr 01019012345 står i papirene fra 2022."
    assert redact(text) == "Mor (tlf [telefon], e-post [e-post]) sa at fnr [fødselsnummer] står i papirene fra 2022."


def test_longer_digit_runs_are_not_cut_into_phone_numbers():
    # a 12-digit reference is not a phone, a fødselsnummer or a CPR number
    assert redact("ref 123456789012") == "ref 123456789012"


def test_redact_is_idempotent():
    once = redact("98 76 54 32 og 010190-1234 og a@b.no")
    assert redact(once) == once
    assert once == "[telefon] og [cpr] og [e-post]"
