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
    the crisis examples still score above it (those the pattern floor catches need not);
  - one `possible` threshold per *detected* language (nb or da, when the language detector is
    clear about a message; bot/nlu/language_decision.py): the same rule applied to the crisis
    examples detected as that language, so that Danish messages are not held to the lowest
    Norwegian score. A message of unclear language gets the overall (lowest) one. If the split
    would let the recall of any labelled language (nb, da, en) fall below `target_recall`
    out-of-fold, the threshold of the detected language that loses it is lowered just enough;
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
    care: bool = False  # everyday care (a prøvehandling, a goodbye at drop-off): ordinary, with a weight of its own

    @property
    def is_crisis(self) -> bool:
        return self.kind is not None


def load_corpus(folder: Path) -> List[Example]:
    """Every example of folder/*.yml: `crisis: {kind: [texts]}`, `ordinary: [texts]` and `care: [texts]`."""
    out: List[Example] = []
    for path in sorted(Path(folder).glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        lang = data.get("language")
        for kind, texts in (data.get("crisis") or {}).items():
            if kind not in KINDS:
                raise ValueError(f"{path}: unknown crisis kind {kind!r}")
            out += [Example(text=t, kind=kind, lang=lang) for t in texts]
        out += [Example(text=t, kind=None, lang=lang, ordinary=True) for t in data.get("ordinary") or []]
        out += [Example(text=t, kind=None, lang=lang, ordinary=True, care=True) for t in data.get("care") or []]
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
    possible_by_lang: Dict[str, float] = field(default_factory=dict)  # by detected language

    def possible_for(self, lang: Optional[str]) -> float:
        return self.possible_by_lang.get(lang, self.possible) if lang else self.possible


def _possible_threshold(scores: np.ndarray, indices: Sequence[int], floor: np.ndarray, target_recall: float) -> float:
    """The highest threshold that lets at most (1 − target_recall) of these crisis examples pass
    (those the pattern floor catches need not be caught by the detector)."""
    allowed_misses = int(math.floor((1.0 - target_recall) * len(indices)))
    left = np.sort([scores[i] for i in indices if not floor[i]])
    return float(left[allowed_misses]) if len(left) > allowed_misses else 1.0


def choose_thresholds(scores: np.ndarray, examples: Sequence[Example], target_recall: float,
                      sure_false_alarm_share: float, floor: Optional[np.ndarray] = None,
                      detected: Optional[Sequence[Optional[str]]] = None) -> Thresholds:
    """Thresholds from out-of-fold scores (see the module doc). `floor[i]` is true where the
    pattern floor already catches example i: the detector need not, so those do not pull the
    possible threshold down. `detected[i]`: the language the language detector is clear about
    for example i (None when unclear); without it there is one possible threshold for all."""
    floor = np.zeros(len(examples), dtype=bool) if floor is None else floor
    detected = [None] * len(examples) if detected is None else list(detected)
    labelled = sorted({e.lang for e in examples if e.is_crisis and e.lang})
    possible = min([_possible_threshold(scores, [i for i, e in enumerate(examples) if e.is_crisis and e.lang == lang],
                                        floor, target_recall) for lang in labelled] or [1.0])
    by_lang = {}
    for lang in sorted({d for d in detected if d}):
        mine = [i for i, e in enumerate(examples) if e.is_crisis and detected[i] == lang]
        by_lang[lang] = max(possible, _possible_threshold(scores, mine, floor, target_recall))
    per_example = np.array([by_lang.get(d, possible) if d else possible for d in detected])
    caught = floor | (scores >= per_example)
    # Every labelled language must keep its recall: where the split costs one of them, lower the
    # threshold of the detected language that loses it, just enough, until none falls short.
    for lang in labelled:
        mine = np.array([e.is_crisis and e.lang == lang for e in examples])
        while caught[mine].mean() < target_recall:
            missed = [i for i in np.flatnonzero(mine & ~caught) if detected[i] in by_lang]
            i = max(missed, key=lambda j: scores[j])
            by_lang[detected[i]] = float(scores[i])
            per_example = np.array([by_lang.get(d, possible) if d else possible for d in detected])
            caught = floor | (scores >= per_example)
    report: Dict[str, float] = {}
    ordinary_mask = np.array([e.ordinary for e in examples])
    crisis_mask = np.array([e.is_crisis for e in examples])
    other_mask = ~crisis_mask & ~ordinary_mask
    ordinary = scores[ordinary_mask]
    others = np.sort(scores[other_mask])
    allowed = int(math.floor(sure_false_alarm_share * len(others)))
    top_other = float(others[len(others) - 1 - allowed]) if len(others) else 0.0
    sure = max(float(ordinary.max()) if len(ordinary) else 0.0, top_other, max([possible, *by_lang.values()])) + 1e-6
    sure = min(sure, 0.999)
    crisis = scores[crisis_mask]
    negatives = scores[~crisis_mask]
    for lang in labelled:
        mine = np.array([e.is_crisis and e.lang == lang for e in examples])
        report[f"oof_recall_with_floor_{lang}"] = float(caught[mine].mean())
    report.update({
        "oof_recall_with_floor": float(caught[crisis_mask].mean()),
        "oof_ordinary_with_floor": float(caught[ordinary_mask].mean()) if ordinary_mask.any() else 0.0,
        "oof_recall_possible": float((crisis >= per_example[crisis_mask]).mean()),
        "oof_recall_sure": float((crisis >= sure).mean()),
        "oof_ordinary_possible": float((ordinary >= per_example[ordinary_mask]).mean()) if len(ordinary) else 0.0,
        "oof_other_possible": float((scores[other_mask] >= per_example[other_mask]).mean()) if len(others) else 0.0,
        "oof_negative_sure": float((negatives >= sure).mean()) if len(negatives) else 0.0,
    })
    return Thresholds(possible=possible, sure=sure, report=report, possible_by_lang=by_lang)


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

    def tier(self, score: float, lang: Optional[str] = None) -> Optional[str]:
        """`lang`: the language the language detector is clear about, None when unclear."""
        if score >= self.thresholds.sure:
            return "sure"
        possible = (self.thresholds.possible_for(lang) if hasattr(self.thresholds, "possible_by_lang")
                    else self.thresholds.possible)  # a model stored before the per-language thresholds
        if score >= possible:
            return "possible"
        return None


def example_weights(examples: Sequence[Example], ordinary_weight: float = 1.0,
                    care_weight: Optional[float] = None) -> np.ndarray:
    care = ordinary_weight if care_weight is None else care_weight
    return np.array([care if e.care else ordinary_weight if e.ordinary else 1.0 for e in examples])


def train(examples: Sequence[Example], target_recall: float = 0.99, sure_false_alarm_share: float = 0.001,
          folds: int = 5, C: float = 10.0, ordinary_weight: float = 1.0, care_weight: Optional[float] = None,
          floor: Optional[Callable[[str], bool]] = None,
          language: Optional[Callable[[str], Optional[str]]] = None) -> CrisisDetector:
    """`floor(text)`: the pattern floor catches it; `language(text)`: the language the language
    detector is clear about (None when unclear) – then each language gets its own possible threshold."""
    texts = [e.text for e in examples]
    labels = np.array([int(e.is_crisis) for e in examples])
    # The ordinary worries are the hard negatives (danger words, no danger): they may weigh more;
    # everyday care has a weight of its own (`care_weight`; None: as the ordinary worries).
    weights = example_weights(examples, ordinary_weight, care_weight)
    strata = [f"{int(e.is_crisis)}{e.lang or ''}{int(e.ordinary)}" for e in examples]
    out_of_fold = np.zeros(len(examples))
    for train_index, test_index in StratifiedKFold(folds, shuffle=True, random_state=7).split(texts, strata):
        model = _binary_model(C).fit([texts[i] for i in train_index], labels[train_index],
                                     classifier__sample_weight=weights[train_index])
        out_of_fold[test_index] = model.predict_proba([texts[i] for i in test_index])[:, 1]
    caught_by_floor = np.array([bool(floor and floor(t)) for t in texts])
    detected = [language(t) for t in texts] if language else None
    thresholds = choose_thresholds(out_of_fold, examples, target_recall, sure_false_alarm_share, caught_by_floor,
                                   detected)
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
