"""The crisis detector: a classifier of its own for «is someone in danger?», apart from the topics.

Pure (scikit-learn, no Rasa). Trained on the crisis corpus (data/crisis/, twelve kinds of danger
in nb and da) against every non-crisis message of the project (all topic and conversation
examples plus the corpus' ordinary worries that share words with danger).

* `score(text)` – the probability of danger. (Scoring windows of a long story separately and
  taking the highest was measured: the same recall, but twice the false alarms on ordinary
  worries – a harmless story has a window that sounds like danger.)
* Two thresholds, chosen at training time on out-of-fold scores (k-fold cross-validation, so
  every example is scored by a model that never saw it):
  - `possible`: the highest threshold at which, in each language, at least `target_recall` of
    the crisis examples still score above it;
  - `sure`: above every out-of-fold score of an ordinary worry and above all but
    `sure_false_alarm_share` of every other non-crisis message.
* `kind(text)` – which of the twelve kinds, from a second classifier on the crisis examples.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_union

from bot.nlu.typed_text import folded_plain

KINDS = (
    "suicide_self", "suicide_child", "self_harm", "physical_abuse", "sexual_abuse", "neglect",
    "domestic_violence", "threat_abduction", "missing_child", "intoxicated_carer", "medical",
    "fear_of_harming",
)


@dataclass(frozen=True)
class Example:
    text: str
    kind: Optional[str]  # one of KINDS; "crisis" when the kind is not known; None: not a crisis
    lang: Optional[str] = None  # "nb"/"da" where known
    ordinary: bool = False  # an ordinary worry that shares words with danger

    @property
    def is_crisis(self) -> bool:
        return self.kind is not None


def load_corpus(folder: Path) -> List[Example]:
    """Every example of folder/*.yml: `crisis: {kind: [texts]}` and `ordinary: [texts]`."""
    out: List[Example] = []
    for path in sorted(Path(folder).glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        lang = data.get("language")
        for kind, texts in (data.get("crisis") or {}).items():
            if kind not in KINDS:
                raise ValueError(f"{path}: unknown crisis kind {kind!r}")
            out += [Example(text=t, kind=kind, lang=lang) for t in texts]
        out += [Example(text=t, kind=None, lang=lang, ordinary=True) for t in data.get("ordinary") or []]
    return out


def corpus_fingerprint(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(folder).glob("*.yml")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def _features() -> "Pipeline":
    return make_union(
        TfidfVectorizer(preprocessor=folded_plain, analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                        min_df=1),
        TfidfVectorizer(preprocessor=folded_plain, analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                        token_pattern=r"[\w']+"),
    )


def _binary_model(C: float) -> Pipeline:
    return Pipeline([("features", _features()),
                     ("classifier", LogisticRegression(C=C, class_weight="balanced", max_iter=3000, random_state=42))])


@dataclass
class Thresholds:
    possible: float
    sure: float
    report: Dict[str, float] = field(default_factory=dict)


def choose_thresholds(scores: np.ndarray, examples: Sequence[Example], target_recall: float,
                      sure_false_alarm_share: float, floor: Optional[np.ndarray] = None) -> Thresholds:
    """Thresholds from out-of-fold scores (see the module doc). `floor[i]` is true where the
    pattern floor already catches example i: the detector need not, so those do not pull the
    possible threshold down."""
    floor = np.zeros(len(examples), dtype=bool) if floor is None else floor
    possible = 1.0
    report: Dict[str, float] = {}
    for lang in sorted({e.lang for e in examples if e.is_crisis and e.lang}):
        mine = [i for i, e in enumerate(examples) if e.is_crisis and e.lang == lang]
        allowed_misses = int(math.floor((1.0 - target_recall) * len(mine)))
        left = np.sort([scores[i] for i in mine if not floor[i]])  # what only the detector can catch
        if len(left) > allowed_misses:
            possible = min(possible, float(left[allowed_misses]))
    ordinary = np.array([s for s, e in zip(scores, examples) if e.ordinary])
    others = np.sort([s for s, e in zip(scores, examples) if not e.is_crisis and not e.ordinary])
    allowed = int(math.floor(sure_false_alarm_share * len(others)))
    top_other = float(others[len(others) - 1 - allowed]) if len(others) else 0.0
    sure = max(float(ordinary.max()) if len(ordinary) else 0.0, top_other, possible) + 1e-6
    sure = min(sure, 0.999)
    crisis = np.array([s for s, e in zip(scores, examples) if e.is_crisis])
    negatives = np.array([s for s, e in zip(scores, examples) if not e.is_crisis])
    caught = floor | (scores >= possible)
    ordinary_mask = np.array([e.ordinary for e in examples])
    report.update({
        "oof_recall_with_floor": float(caught[[e.is_crisis for e in examples]].mean()),
        "oof_ordinary_with_floor": float(caught[ordinary_mask].mean()) if ordinary_mask.any() else 0.0,
        "oof_recall_possible": float((crisis >= possible).mean()),
        "oof_recall_sure": float((crisis >= sure).mean()),
        "oof_ordinary_possible": float((ordinary >= possible).mean()) if len(ordinary) else 0.0,
        "oof_other_possible": float((others >= possible).mean()) if len(others) else 0.0,
        "oof_negative_sure": float((negatives >= sure).mean()),
    })
    return Thresholds(possible=possible, sure=sure, report=report)


@dataclass
class CrisisDetector:
    binary: Pipeline
    kinds: Pipeline
    thresholds: Thresholds

    def score(self, text: str) -> float:
        """The probability that the message is about danger."""
        return float(self.binary.predict_proba([text])[0, 1])

    def kind(self, text: str) -> str:
        return str(self.kinds.predict([text])[0])

    def tier(self, score: float) -> Optional[str]:
        if score >= self.thresholds.sure:
            return "sure"
        if score >= self.thresholds.possible:
            return "possible"
        return None


def train(examples: Sequence[Example], target_recall: float = 0.99, sure_false_alarm_share: float = 0.001,
          folds: int = 5, C: float = 10.0, ordinary_weight: float = 1.0,
          floor: Optional[Callable[[str], bool]] = None) -> CrisisDetector:
    texts = [e.text for e in examples]
    labels = np.array([int(e.is_crisis) for e in examples])
    # The ordinary worries are the hard negatives (danger words, no danger): they may weigh more.
    weights = np.array([ordinary_weight if e.ordinary else 1.0 for e in examples])
    strata = [f"{int(e.is_crisis)}{e.lang or ''}{int(e.ordinary)}" for e in examples]
    out_of_fold = np.zeros(len(examples))
    for train_index, test_index in StratifiedKFold(folds, shuffle=True, random_state=7).split(texts, strata):
        model = _binary_model(C).fit([texts[i] for i in train_index], labels[train_index],
                                     classifier__sample_weight=weights[train_index])
        out_of_fold[test_index] = model.predict_proba([texts[i] for i in test_index])[:, 1]
    caught_by_floor = np.array([bool(floor and floor(t)) for t in texts])
    thresholds = choose_thresholds(out_of_fold, examples, target_recall, sure_false_alarm_share, caught_by_floor)
    binary = _binary_model(C).fit(texts, labels, classifier__sample_weight=weights)
    kinded = [e for e in examples if e.kind in KINDS]
    kinds = Pipeline([("features", _features()),
                      ("classifier", LogisticRegression(C=C, max_iter=3000, random_state=42))])
    kinds.fit([e.text for e in kinded], [e.kind for e in kinded])
    for model in (binary, kinds):  # column-major weights: no copy per message (see linear_intent_classifier)
        model.named_steps["classifier"].coef_ = np.asfortranarray(model.named_steps["classifier"].coef_)
    return CrisisDetector(binary=binary, kinds=kinds, thresholds=thresholds)


def examples_from_intents(pairs: Iterable[Tuple[str, str]], crisis_intent: str = "crisis") -> List[Example]:
    """(text, intent) of the Rasa training data → examples (crisis of unknown kind, or not)."""
    return [Example(text=text, kind="crisis" if intent == crisis_intent else None) for text, intent in pairs]
