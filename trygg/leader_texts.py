"""The texts of the leader's side (content/leader.yml) in nb and da: the chat's questions and
answers about mailing the referat, the mails, and the /leder page. Pure (reads the file once)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict

import yaml

CONTENT_FILE = Path(__file__).resolve().parent.parent / "content" / "leader.yml"


@lru_cache(maxsize=1)
def all_texts() -> Dict[str, Any]:
    return yaml.safe_load(CONTENT_FILE.read_text(encoding="utf-8"))


def section(part: str, language: str) -> Dict[str, Any]:
    texts = all_texts()[part]
    return texts.get(language) or texts["da"]


def say(part: str, language: str, key: str, **values: Any) -> str:
    return str(section(part, language)[key]).format(**values)
