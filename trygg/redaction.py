"""Remove direct identifiers from free text – once at the entry (bot.inbound, before Rasa sees a
message) and again in the store and the referat (a second line).

`redact` replaces e-mail addresses, Norwegian fødselsnummer (11 digits), Danish CPR numbers
(DDMMYY-XXXX or 10 digits starting with a valid day and month) and Norwegian/Danish phone
numbers (8 digits, grouped 2-2-2-2 or 3-2-3, optionally with +47/+45/0047/0045) with
placeholders. Years, times, dates, short numbers and amounts are left alone. Pure: no I/O.
"""
from __future__ import annotations

import re

EMAIL = "[e-post]"
FODSELSNUMMER = "[fødselsnummer]"
CPR = "[cpr]"
PHONE = "[telefon]"

_NOT_DIGIT_BEFORE = r"(?<![\d+])"
_NOT_DIGIT_AFTER = r"(?!\d)"
_SEP = r"[ \u00a0]"  # a space or a no-break space between digit groups

_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")

# 11 digits, optionally with a space after the 6-digit birth date.
_FODSELSNUMMER_RE = re.compile(_NOT_DIGIT_BEFORE + r"\d{6}" + _SEP + r"?\d{5}" + _NOT_DIGIT_AFTER)

# DDMMYY-XXXX (hyphen or space optional); checked for a plausible day and month below.
_CPR_RE = re.compile(_NOT_DIGIT_BEFORE + r"(?P<dd>\d{2})(?P<mm>\d{2})\d{2}(?:-|" + _SEP + r")?\d{4}" + _NOT_DIGIT_AFTER)

# With a country prefix any 8-digit grouping counts; without one the number must start with 2-9
# (Norwegian and Danish subscriber numbers do) and be written together, 2-2-2-2 or 3-2-3.
_PREFIX = r"(?:\(?(?:\+|00)(?:47|45)\)?[ \u00a0-]?)"
_GROUPED_8 = (
    r"(?:\d{2}" + _SEP + r"\d{2}" + _SEP + r"\d{2}" + _SEP + r"\d{2}"
    r"|\d{3}" + _SEP + r"\d{2}" + _SEP + r"\d{3}"
    r"|\d{4}" + _SEP + r"\d{4}"
    r"|\d{8})"
)
_LOCAL_8 = (
    r"(?:[2-9]\d" + _SEP + r"\d{2}" + _SEP + r"\d{2}" + _SEP + r"\d{2}"
    r"|[2-9]\d{2}" + _SEP + r"\d{2}" + _SEP + r"\d{3}"
    r"|[2-9]\d{7})"
)
_PHONE_PREFIXED_RE = re.compile(r"(?<![\w+])" + _PREFIX + _GROUPED_8 + _NOT_DIGIT_AFTER)
_PHONE_LOCAL_RE = re.compile(_NOT_DIGIT_BEFORE + _LOCAL_8 + _NOT_DIGIT_AFTER)
# 10 digits that are 47/45 + a subscriber number (prefix typed without + or 00).
_PHONE_BARE_CC_RE = re.compile(_NOT_DIGIT_BEFORE + r"4[57][2-9]\d{7}" + _NOT_DIGIT_AFTER)


def _cpr_or_keep(match: "re.Match[str]") -> str:
    day, month = int(match.group("dd")), int(match.group("mm"))
    return CPR if 1 <= day <= 31 and 1 <= month <= 12 else match.group(0)


def redact(text: str) -> str:
    """Return `text` with e-mail addresses, fødselsnummer, CPR and phone numbers replaced."""
    if not text:
        return text
    text = _EMAIL_RE.sub(EMAIL, text)
    text = _FODSELSNUMMER_RE.sub(FODSELSNUMMER, text)
    text = _PHONE_PREFIXED_RE.sub(PHONE, text)
    text = _CPR_RE.sub(_cpr_or_keep, text)
    text = _PHONE_BARE_CC_RE.sub(PHONE, text)
    text = _PHONE_LOCAL_RE.sub(PHONE, text)
    return text
