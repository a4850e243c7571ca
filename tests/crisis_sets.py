"""The crisis corpus (data/crisis, trained on) and its held-out split (tests/crisis/heldout, never
trained on), read the same way as the detector reads them."""
from __future__ import annotations

from pathlib import Path
from typing import List

from bot.nlu.crisis_detector import Example, load_corpus
from tests.nlu_data import REPO_ROOT

TRAINING_DIR: Path = REPO_ROOT / "data" / "crisis"
HELDOUT_DIR: Path = REPO_ROOT / "tests" / "crisis" / "heldout"
LANGUAGES = ("nb", "da")

# The messages of issue #10 that got no help-line numbers, and their Danish or Norwegian twins.
# None of them is in the training data (checked by test_crisis_corpus).
ISSUE_MESSAGES = [
    ("nb", "jenta på 15 sier at hun ikke vil leve lenger"),
    ("nb", "han ligger på gulvet og svarer ikke"),
    ("nb", "jeg har tenkt på å avslutte alt sammen"),
    ("da", "min plejedatter har skrevet farvel til alle sine venner"),
    ("da", "en dreng har et mærke på kinden der ligner en hånd"),
    ("da", "pigen på 15 siger at hun ikke vil leve længere"),
    ("da", "han ligger på gulvet og reagerer ikke"),
    ("da", "jeg har tænkt på at afslutte det hele"),
    ("nb", "fosterdattera mi har skrevet farvel til alle vennene sine"),
    ("nb", "en gutt har et merke på kinnet som ligner en hånd"),
]


def training_corpus() -> List[Example]:
    return load_corpus(TRAINING_DIR)


def heldout_corpus() -> List[Example]:
    return load_corpus(HELDOUT_DIR)
