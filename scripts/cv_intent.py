"""Out-of-fold intent accuracy of the linear intent classifier on the TRAINING data (never the held-out
sets): how settings of config.yml's classifier compare, overall and on the long story/chat examples
(data/nlu/*/stories.yml), and which intents are taken for which (docs/measurements.md, issue 12 point 8).

    .venv/bin/python scripts/cv_intent.py --folds 4 --set C=20 --set C=40 --confusions 20
    .venv/bin/python scripts/cv_intent.py --set C=80 --thresholds 0.26,0.63,0.83,0.9   # where a threshold moves to

"Above the fallback" uses config.yml's FallbackClassifier threshold.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import yaml
from sklearn.model_selection import StratifiedGroupKFold

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.nlu.linear_intent_classifier import LinearIntentClassifier, build_model  # noqa: E402
from tests.nlu_data import example_rows  # noqa: E402


def fallback_threshold() -> float:
    """config.yml's FallbackClassifier threshold: below it the bot asks «Mente du …?»."""
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    return float(next(s for s in config["pipeline"] if s["name"] == "FallbackClassifier")["threshold"])


FALLBACK = fallback_threshold()


def training_rows():
    """[(language, intent, text, is_story, group)] of data/nlu/{nb,da,any}. The stories of nb and da
    are told in both languages, the k-th of an intent in nb beside the k-th in da: one group, so that
    the twin of a story is never in training while the story is tested."""
    rows = []
    for folder, intent, text, path, k in example_rows(ROOT / "data" / "nlu", ("nb", "da", "any")):
        story = path.stem == "stories"
        group = f"story:{intent}:{k}" if story else f"{folder}:{len(rows)}"
        rows.append((folder, intent, text, story, group))
    return rows


def classifier_config() -> dict:
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    step = next(s for s in config["pipeline"] if s["name"].endswith("LinearIntentClassifier"))
    return {**LinearIntentClassifier.get_default_config(), **{k: v for k, v in step.items() if k != "name"}}


def evaluate(config: dict, rows, folds: int) -> dict:
    texts = [r[2] for r in rows]
    labels = np.array([r[1] for r in rows])
    best, confidence = np.empty(len(rows), dtype=object), np.zeros(len(rows))
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=0)
    # An intent with fewer examples than folds is kept in training in every fold.
    counts = defaultdict(int)
    for label in labels:
        counts[label] += 1
    strata = [label if counts[label] >= folds else "_rare" for label in labels]
    for train, test in splitter.split(texts, strata, groups=[r[4] for r in rows]):
        model = build_model(config, list(labels[train]))
        model.fit([texts[i] for i in train], labels[train])
        probabilities = model.predict_proba([texts[i] for i in test])
        best[test] = model.classes_[probabilities.argmax(axis=1)]
        confidence[test] = probabilities.max(axis=1)
    hits = defaultdict(lambda: [0, 0, 0])
    for i, (language, intent, _, story, _group) in enumerate(rows):
        for key in ("all", language, "stories" if story else "other"):
            hits[key][0] += best[i] == intent
            hits[key][1] += best[i] == intent and confidence[i] >= FALLBACK
            hits[key][2] += 1
    confused = defaultdict(int)
    for i, row in enumerate(rows):
        if best[i] != row[1]:
            confused[(row[1], best[i])] += 1
    hits["_confused"] = confused
    hits["_confidence"] = confidence
    return hits


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--set", action="append", default=[], help="key=value[,key=value] – one setting per run")
    parser.add_argument("--confusions", type=int, default=0, help="print the N most frequent (intent → predicted)")
    parser.add_argument("--thresholds", default="", help="e.g. 0.2,0.5,0.7,0.8: for each setting, the confidence "
                        "above which the same share of out-of-fold messages lies as above these under config.yml")
    args = parser.parse_args()
    rows = training_rows()
    thresholds = [float(t) for t in filter(None, args.thresholds.split(","))]
    reference = evaluate(classifier_config(), rows, args.folds)["_confidence"] if thresholds else None
    for setting in args.set or [""]:
        config = classifier_config()
        for pair in filter(None, setting.split(",")):
            key, value = pair.split("=")
            config[key] = yaml.safe_load(value)
        start = time.time()
        hits = evaluate(config, rows, args.folds)
        confused = hits.pop("_confused")
        confidence = hits.pop("_confidence")
        report = "  ".join(f"{k} {h[0] / h[2]:.3f}/{h[1] / h[2]:.3f} (n={h[2]})" for k, h in sorted(hits.items()))
        print(f"{setting or 'config.yml'}: {report}   [{time.time() - start:.0f} s]  (argmax / above the fallback)",
              flush=True)
        for t in thresholds:
            share = float((reference >= t).mean())
            print(f"  {t:.2f} under config.yml: {share:.3f} of the messages above it → same share above "
                  f"{np.quantile(confidence, 1 - share):.3f} here")
        for (intent, predicted), n in sorted(confused.items(), key=lambda kv: -kv[1])[: args.confusions]:
            print(f"  {n:3d}  {intent} → {predicted}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
