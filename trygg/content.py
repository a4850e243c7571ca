"""The one loader of `content/`: the YAML files a pedagogue edits without reading code – the topic
catalogue, the help lines, and every text a user reads that is not a Rasa response
(`domain/responses/`). Each file is read once.

    load("trial_actions.yml")["texts"]["saved"]["da"]
    pick(load("referat.yml")["labels"], "da")      # {key: da text} of a group of nb/da pairs

Texts stand nb and da side by side; tests/test_content_texts.py checks that every text has both
languages with the same placeholders. Pure apart from reading the files; imports neither `bot`
nor `actions`.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Mapping

import yaml

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
LANGUAGES = ("nb", "da")


@lru_cache(maxsize=None)
def load(name: str) -> Any:
    """The parsed file `content/<name>` (e.g. "topics.yml", "suggestions/001_tilknytning.yml")."""
    return yaml.safe_load((CONTENT_DIR / name).read_text(encoding="utf-8"))


def language(value: Any) -> str:
    """"da" for Danish, else "nb" (the texts' two languages)."""
    return "da" if value == "da" else "nb"


def pick(pairs: Mapping[str, Mapping[str, Any]], lang: str) -> Dict[str, Any]:
    """{key: text in `lang`} of a group of {key: {nb: …, da: …}} pairs."""
    lang = language(lang)
    return {key: pair[lang] for key, pair in pairs.items()}
