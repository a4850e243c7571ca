"""The texts of the leader's side (content/leader.yml) in nb and da: the chat's questions and
answers about mailing the referat, the mails, and the /leder page. Pure (reads the file once)."""
from __future__ import annotations

from typing import Any, Dict

from trygg.content import load


def all_texts() -> Dict[str, Any]:
    return load("leader.yml")


def section(part: str, language: str) -> Dict[str, Any]:
    texts = all_texts()[part]
    return texts.get(language) or texts["da"]


def say(part: str, language: str, key: str, **values: Any) -> str:
    return str(section(part, language)[key]).format(**values)
