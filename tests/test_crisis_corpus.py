"""The crisis corpus is big enough in every kind and language, and its held-out split (and the
issue's own messages) were never trained on – not even in a near copy."""
from __future__ import annotations

import re
from collections import Counter

from bot.nlu.crisis_detector import KINDS, load_corpus
from bot.nlu.typed_text import folded_plain
from tests.crisis_sets import ISSUE_MESSAGES, LANGUAGES, heldout_corpus, training_corpus
from tests.nlu_data import REPO_ROOT, training_examples


def _words(text: str) -> list:
    return re.findall(r"\w+", folded_plain(text))


def _shingles(text: str, n: int = 3) -> set:
    words = _words(text)
    return {" ".join(words[i:i + n]) for i in range(max(1, len(words) - n + 1))}


def _near_copies(unseen: list, trained: list, threshold: float = 0.5) -> list:
    """Unseen texts whose word 3-grams overlap one training text's by `threshold` (Jaccard) or more."""
    index: dict = {}
    trained_sets = [_shingles(t) for t in trained]
    for i, shingles in enumerate(trained_sets):
        for shingle in shingles:
            index.setdefault(shingle, set()).add(i)
    out = []
    for text in unseen:
        mine = _shingles(text)
        candidates = set().union(*(index.get(s, set()) for s in mine)) if mine else set()
        if any(len(mine & trained_sets[i]) / len(mine | trained_sets[i]) >= threshold for i in candidates):
            out.append(text)
    return out


def test_every_kind_has_25_training_and_10_heldout_messages_per_language():
    train = Counter((e.lang, e.kind) for e in training_corpus() if e.is_crisis)
    heldout = Counter((e.lang, e.kind) for e in heldout_corpus() if e.is_crisis)
    thin = [(lang, kind, train[(lang, kind)], heldout[(lang, kind)]) for lang in LANGUAGES for kind in KINDS
            if train[(lang, kind)] < 25 or heldout[(lang, kind)] < 10]
    assert not thin, f"(language, kind, training, held-out) below 25 / 10: {thin}"


def test_at_least_60_heldout_ordinary_worries():
    ordinary = [e for e in heldout_corpus() if e.ordinary]
    assert len(ordinary) >= 60 and {e.lang for e in ordinary} == set(LANGUAGES)


def test_heldout_and_issue_messages_never_trained_on():
    trained = [e.text for e in training_corpus()] + [t for _, _, t in training_examples()]
    trained_exact = {" ".join(_words(t)) for t in trained}
    unseen = [e.text for e in heldout_corpus()] + [t for _, t in ISSUE_MESSAGES]
    copies = [t for t in unseen if " ".join(_words(t)) in trained_exact]
    near = _near_copies([t for t in unseen if len(_words(t)) >= 4], trained)
    assert not copies, f"held-out messages also in the training data: {copies[:5]}"
    assert not near, f"held-out messages that are near copies of training data: {near[:5]}"


def test_no_duplicates_inside_the_heldout_split():
    texts = [" ".join(_words(e.text)) for e in heldout_corpus()]
    assert len(texts) == len(set(texts))


def test_the_ordinary_dev_set_is_never_trained_on():
    """tests/crisis/ordinary_dev/ (issue 10) measures new training data before → after: never in it."""
    dev = load_corpus(REPO_ROOT / "tests" / "crisis" / "ordinary_dev")
    assert {e.lang for e in dev} == set(LANGUAGES) and all(e.ordinary for e in dev)
    assert all(sum(e.lang == lang for e in dev) >= 30 for lang in LANGUAGES)
    trained = [e.text for e in training_corpus()] + [t for _, _, t in training_examples()]
    trained_exact = {" ".join(_words(t)) for t in trained}
    assert not [e.text for e in dev if " ".join(_words(e.text)) in trained_exact]
    assert not _near_copies([e.text for e in dev if len(_words(e.text)) >= 4], trained)
