"""Read the project's NLU YAML (training data in data/nlu, held-out splits in tests/nlu and tests/nlu_long)."""
from __future__ import annotations

from pathlib import Path
from typing import List, Tuple

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent


def example_rows(folder: Path, languages=("nb", "da")) -> List[Tuple[str, str, str, Path, int]]:
    """[(language, intent, text, file, position in its intent's block)] from folder/{language}/*.yml.
    A literal «\\n» in a held-out message is a line break inside one message (chat style: several
    short lines); training data has none."""
    out = []
    for language in languages:
        for path in sorted((folder / language).glob("*.yml")):
            for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
                if "intent" not in block:
                    continue
                lines = [line.strip()[2:].strip() for line in block["examples"].splitlines()
                         if line.strip().startswith("- ")]
                out += [(language, block["intent"], line.replace("\\n", "\n"), path, k) for k, line in enumerate(lines)]
    return out


def examples(folder: Path) -> List[Tuple[str, str, str]]:
    """[(language, intent, text)] from folder/{nb,da}/*.yml (see example_rows)."""
    return [(language, intent, text) for language, intent, text, _, _ in example_rows(folder)]


def training_examples():
    return examples(REPO_ROOT / "data" / "nlu")


def heldout_examples():
    return examples(REPO_ROOT / "tests" / "nlu")


def long_examples():
    """Long story-style and chat-style messages (issue 12, point 8), never trained on."""
    return examples(REPO_ROOT / "tests" / "nlu_long")


def write_figures(name: str, text: str) -> None:
    """Keep a measured figure for `make test` to print at the end (results/ is git-ignored)."""
    out = REPO_ROOT / "results"
    out.mkdir(exist_ok=True)
    (out / name).write_text(text + "\n", encoding="utf-8")
