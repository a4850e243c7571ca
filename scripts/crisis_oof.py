"""Issue 10: measure a crisis-detector variant out-of-fold in about a minute, without Rasa training.

    .venv/bin/python scripts/crisis_oof.py [--variant base] [--gate] [-v]

The same recipe as `CrisisSafetyNet.train`: the crisis corpus (data/crisis/) plus every topic and
conversation example of data/nlu/ as negatives, 5-fold out-of-fold scores, the credited pattern floor
counted as caught, the thresholds chosen by `crisis_detector.choose_thresholds`. Prints the
out-of-fold recall per language and the share of training ordinary worries flagged; then, with a model
fitted on everything, the dev sets that are never trained on: tests/crisis/ordinary_dev/ (ordinary
worries: how many get the safety question) and tests/crisis/care_dev/ (care actions asked / danger
caught). Held-out sets are not read.

`--care-step`: as the bot is trained with `care_detector: true` – the detector above without the
corpus' `care:` examples, a second one with them; prints what the prøvehandling step costs out-of-fold:
a training crisis message typed there is asked about when a pattern, the sure tier, or *both*
detectors flag it.

`--gate`: a score gate at the action step (bot/nlu/crisis_decision.ActionStepGate) – for each
max score, what it would cost if every training crisis message were typed at step 5 (out-of-fold
recall with the floor and the sure tier) and how many care_dev care actions it spares.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List

import numpy as np
import yaml
from sklearn.model_selection import StratifiedKFold

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bot.nlu import crisis_detector as cd  # noqa: E402
from bot.nlu.crisis_patterns import credited, find_crisis, load_patterns  # noqa: E402
from tests.nlu_data import training_examples  # noqa: E402

def _config() -> Dict[str, object]:
    """The CrisisSafetyNet settings of config.yml that the detector's training reads."""
    pipeline = yaml.safe_load((REPO_ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    net = next(c for c in pipeline if c["name"].endswith("CrisisSafetyNet"))
    keys = {"target_recall": 0.99, "sure_false_alarm_share": 0.001, "C": 10.0, "ordinary_weight": 1.0,
            "care_weight": None}
    return {key: net.get(key, default) for key, default in keys.items()}


CONFIG = _config()


def _base(C: float):
    return cd._binary_model(C)


class _Stage2:
    """The base model, and a second one trained on crisis vs the hard negatives only (the examples
    that weigh other than 1: ordinary worries, care); the score is their geometric mean."""

    def __init__(self, C: float, combine: str = "geo"):
        self.first, self.second, self.combine = _base(C), _base(C), combine

    def fit(self, texts, labels, classifier__sample_weight):
        w = np.asarray(classifier__sample_weight)
        self.first.fit(texts, labels, classifier__sample_weight=w)
        hard = [i for i, (y, wi) in enumerate(zip(labels, w)) if y == 1 or wi != 1.0]
        self.second.fit([texts[i] for i in hard], np.asarray(labels)[hard])
        return self

    def predict_proba(self, texts):
        p1 = self.first.predict_proba(texts)[:, 1]
        p2 = self.second.predict_proba(texts)[:, 1]
        p = np.sqrt(p1 * p2) if self.combine == "geo" else np.minimum(p1, np.sqrt(p1 * p2))
        return np.column_stack([1 - p, p])


class _Char:
    """Character n-grams across word boundaries ("ikke leve") instead of inside words."""

    def __init__(self, C: float):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline, make_union

        from bot.nlu.typed_text import folded_plain
        self.model = Pipeline([("features", make_union(
            TfidfVectorizer(preprocessor=folded_plain, analyzer="char", ngram_range=(2, 6), sublinear_tf=True,
                            max_features=400000),
            TfidfVectorizer(preprocessor=folded_plain, analyzer="word", ngram_range=(1, 3), sublinear_tf=True,
                            token_pattern=r"[\w']+"))),
            ("classifier", LogisticRegression(C=C, class_weight="balanced", max_iter=3000, random_state=42))])

    def fit(self, texts, labels, classifier__sample_weight):
        self.model.fit(texts, labels, classifier__sample_weight=classifier__sample_weight)
        return self

    def predict_proba(self, texts):
        return self.model.predict_proba(texts)


VARIANTS: Dict[str, Callable] = {"base": _base, "stage2": _Stage2, "stage2min": lambda C: _Stage2(C, "min"),
                                 "char": _Char}


def corpus(extra: List[str]) -> List[cd.Example]:
    examples = cd.load_corpus(REPO_ROOT / "data" / "crisis")
    for folder in extra:  # a folder of candidate corpus files, measured before they are added
        examples += cd.load_corpus(Path(folder))
    pairs = [(text, intent) for _, intent, text in training_examples()]
    return examples + cd.examples_from_intents(pairs)


def out_of_fold(make, examples, weights, labels) -> np.ndarray:
    texts = [e.text for e in examples]
    strata = [f"{int(e.is_crisis)}{e.lang or ''}{int(e.ordinary)}" for e in examples]
    scores = np.zeros(len(examples))
    for train_index, test_index in StratifiedKFold(5, shuffle=True, random_state=7).split(texts, strata):
        model = make(CONFIG["C"]).fit([texts[i] for i in train_index], labels[train_index],
                                      classifier__sample_weight=weights[train_index])
        scores[test_index] = model.predict_proba([texts[i] for i in test_index])[:, 1]
    return scores


def dev(name: str) -> Dict[str, Dict[str, list]]:
    out: Dict[str, Dict[str, list]] = {}
    for path in sorted((REPO_ROOT / "tests" / "crisis" / name).glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out[data["language"]] = {k: v for k, v in data.items() if isinstance(v, list)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variant", default="base", choices=sorted(VARIANTS))
    parser.add_argument("--gate", action="store_true")
    parser.add_argument("--care-step", action="store_true")
    parser.add_argument("--extra", action="append", default=[], help="a folder of candidate corpus files")
    parser.add_argument("--care-weight", type=float, default=CONFIG["care_weight"])
    parser.add_argument("--ordinary-weight", type=float, default=CONFIG["ordinary_weight"])
    parser.add_argument("-v", action="store_true", help="print the dev-set messages that are flagged")
    args = parser.parse_args()
    started = time.time()
    make = VARIANTS[args.variant]
    CONFIG.update(care_weight=args.care_weight, ordinary_weight=args.ordinary_weight)
    examples = corpus(args.extra)
    everything = examples
    if args.care_step:
        examples = [e for e in examples if not e.care]
    labels = np.array([int(e.is_crisis) for e in examples])
    weights = cd.example_weights(examples, CONFIG["ordinary_weight"], CONFIG["care_weight"])
    patterns = load_patterns()
    floor_rules = credited(patterns)
    floor = np.array([find_crisis(e.text, floor_rules) is not None for e in examples])
    scores = out_of_fold(make, examples, weights, labels)
    th = cd.choose_thresholds(scores, examples, CONFIG["target_recall"], CONFIG["sure_false_alarm_share"], floor)
    r = th.report
    print(f"variant {args.variant} {args.extra} weights {CONFIG}: possible {th.possible:.3f}, sure {th.sure:.3f}")
    print(f"  out-of-fold recall with floor: nb {r['oof_recall_with_floor_nb']:.3f},"
          f" da {r['oof_recall_with_floor_da']:.3f}, en {r.get('oof_recall_with_floor_en', float('nan')):.3f};"
          f" sure alone {r['oof_recall_sure']:.3f}")
    worries = np.array([e.ordinary and not e.care for e in examples])
    flagged = floor | (scores >= th.possible)
    cared = np.array([e.care for e in examples])
    care_share = f"; care {flagged[cared].mean():.3f}" if cared.any() else ""
    print(f"  out-of-fold ordinary worries flagged (possible or floor): {flagged[worries].mean():.3f}"
          f" of {worries.sum()}{care_share}; other non-crisis flagged {r['oof_other_possible']:.3f}")

    model = make(CONFIG["C"]).fit([e.text for e in examples], labels, classifier__sample_weight=weights)

    def asked(text: str) -> bool:  # pattern floor (all rules) or detector ≥ possible
        return find_crisis(text, patterns) is not None or model.predict_proba([text])[0, 1] >= th.possible

    for lang, sets in dev("ordinary_dev").items():
        flagged = [t for t in sets["ordinary"] if asked(t)]
        print(f"  ordinary_dev {lang}: safety question on {len(flagged)}/{len(sets['ordinary'])}")
        for t in flagged if args.v else []:
            print(f"      {model.predict_proba([t])[0, 1]:.3f} {t}")
    from tests.test_crisis_care import CARE, DANGER  # the messages (never trained on)
    print(f"  issue care asked {sum(asked(t) for _, t in CARE)}/{len(CARE)},"
          f" issue danger caught {sum(asked(t) for _, t in DANGER)}/{len(DANGER)}"
          f" (scores {[round(float(model.predict_proba([t])[0, 1]), 2) for _, t in DANGER]})")
    care = dev("care_dev")
    for lang, sets in care.items():
        print(f"  care_dev {lang}: care asked {sum(map(asked, sets['care']))}/{len(sets['care'])},"
              f" danger caught {sum(map(asked, sets['danger']))}/{len(sets['danger'])}")

    if args.care_step:
        care_labels = np.array([int(e.is_crisis) for e in everything])
        care_weights = cd.example_weights(everything, CONFIG["ordinary_weight"], CONFIG["care_weight"])
        care_scores = out_of_fold(make, everything, care_weights, care_labels)
        care_floor = np.array([find_crisis(e.text, floor_rules) is not None for e in everything])
        care_th = cd.choose_thresholds(care_scores, everything, CONFIG["target_recall"],
                                       CONFIG["sure_false_alarm_share"], care_floor)
        by_text = {e.text: s for e, s in zip(everything, care_scores)}
        all_rules = [find_crisis(e.text, patterns) is not None for e in examples]
        report = care_th.report
        print(f"  care-aware detector: possible {care_th.possible:.3f}, out-of-fold recall with floor"
              f" nb {report['oof_recall_with_floor_nb']:.3f}, da {report['oof_recall_with_floor_da']:.3f}")
        for lang in ("nb", "da"):
            mine = [i for i, e in enumerate(examples) if e.is_crisis and e.lang == lang]
            at_step = [all_rules[i] or scores[i] >= th.sure or (scores[i] >= th.possible
                                                                and by_text[examples[i].text] >= care_th.possible)
                       for i in mine]
            anywhere = [all_rules[i] or scores[i] >= th.possible for i in mine]
            print(f"  training crisis {lang} asked at the prøvehandling step (out-of-fold): {sum(at_step)}/{len(mine)}"
                  f" = {np.mean(at_step):.3f} (anywhere else {np.mean(anywhere):.3f})")
        care_model = make(CONFIG["C"]).fit([e.text for e in everything], care_labels,
                                           classifier__sample_weight=care_weights)

        def asked_at_step(text: str) -> bool:
            g = model.predict_proba([text])[0, 1]
            return (find_crisis(text, patterns) is not None or g >= th.sure
                    or (g >= th.possible and care_model.predict_proba([text])[0, 1] >= care_th.possible))

        for lang, sets in care.items():
            print(f"  care_dev {lang} at the prøvehandling step: care asked {sum(map(asked_at_step, sets['care']))}/"
                  f"{len(sets['care'])}, danger caught {sum(map(asked_at_step, sets['danger']))}/{len(sets['danger'])}")
        print(f"  issue care at the step asked {sum(asked_at_step(t) for _, t in CARE)}/{len(CARE)},"
              f" issue danger caught {sum(asked_at_step(t) for _, t in DANGER)}/{len(DANGER)}")

    if args.gate:
        crisis = np.array([e.is_crisis for e in examples])
        langs = np.array([e.lang or "" for e in examples])
        all_floor = np.array([find_crisis(e.text, patterns) is not None for e in examples])
        print("  action-step gate (detector-only possible below max score → no question), out-of-fold:")
        for gate in (0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5):
            cut = max(th.possible, gate)
            caught = all_floor | (scores >= cut)
            per_lang = ", ".join(f"{lang} {caught[crisis & (langs == lang)].mean():.3f}" for lang in ("nb", "da"))
            missed = int((crisis & ~caught).sum())
            spared = {lang: sum(1 for t in sets["care"] if find_crisis(t, patterns) is None
                                and model.predict_proba([t])[0, 1] < cut)
                      for lang, sets in care.items()}
            caught_danger = {lang: sum(1 for t in sets["danger"] if find_crisis(t, patterns) is not None
                                       or model.predict_proba([t])[0, 1] >= cut) for lang, sets in care.items()}
            print(f"    max score {gate:.2f}: training crisis recall (all rules) {per_lang}; missed {missed};"
                  f" care_dev not asked {spared}; care_dev danger caught {caught_danger}")
    print(f"({time.time() - started:.0f} s)")


if __name__ == "__main__":
    main()
