"""The bot's two languages and the one map from a language code (Telegram's user.language_code,
the widget's data-language) to them."""
from __future__ import annotations

from typing import Any, Optional

LANGUAGES = ("nb", "da")


def from_code(code: Any) -> Optional[str]:
    """"da", "da-DK" → "da"; "nb", "no", "nn", "nb-NO" → "nb"; anything else (or not a string) → None."""
    if not isinstance(code, str):
        return None
    code = code.strip().lower()
    if code.startswith("da"):
        return "da"
    if code.startswith(("nb", "no", "nn")):
        return "nb"
    return None
