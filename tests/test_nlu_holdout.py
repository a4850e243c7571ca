"""NLU quality on the held-out split (tests/nlu), which the model never trained on.

Gate: intent accuracy ≥ 0.95 overall (issue 12; 0.92 since issue #3 until 2026-12-08, reached 0.954 that
day), and no language below 0.90. The figures for
each language and for content vs conversation intents, and every miss, are printed.
"""
from __future__ import annotations

from collections import Counter, defaultdict

import yaml

from tests.nlu_data import REPO_ROOT, heldout_examples, training_examples, write_figures

GATE = 0.95
CATALOGUE = yaml.safe_load((REPO_ROOT / "content" / "topics.yml").read_text(encoding="utf-8"))
CONTENT = {t["id"] for t in CATALOGUE["content"]}


def normalise(text: str) -> str:
    return " ".join(text.lower().split())


def test_heldout_split_never_overlaps_training():
    train = {normalise(t) for _, _, t in training_examples()}
    overlap = sorted({t for _, _, t in heldout_examples() if normalise(t) in train})
    assert not overlap, f"held-out messages also in training data: {overlap[:10]}"


def test_heldout_covers_every_content_topic_in_both_languages():
    counts = Counter((lang, intent) for lang, intent, _ in heldout_examples())
    thin = [(t, lang, counts[(lang, t)]) for t in sorted(CONTENT) for lang in ("nb", "da") if counts[(lang, t)] < 4]
    assert not thin, f"content topics with fewer than 4 held-out messages per language: {thin}"


def test_training_data_has_25_examples_per_content_topic_per_language():
    counts = Counter((lang, intent) for lang, intent, _ in training_examples())
    thin = [(t, lang, counts[(lang, t)]) for t in sorted(CONTENT) for lang in ("nb", "da") if counts[(lang, t)] < 25]
    assert not thin, f"content topics with fewer than 25 training examples per language: {thin}"


def answered_intent(parse: dict) -> str:
    """The intent the bot answers: behind the safety question («Er noen i fare akkurat nå?» → «Nei»)
    it answers the topic the classifier saw in the message (actions/crisis.py)."""
    name = parse["intent"]["name"]
    if name != "crisis_possible":
        return name
    topics = [r["name"] for r in parse.get("intent_ranking") or [] if r["name"] != "crisis_possible"]
    return topics[0] if topics else name


def score(nlu_agent, rows, keys=lambda language, intent, text: ()):
    """Count what the bot answers for each (language, intent, text): per "all", language,
    content/conversation and any `keys`; a crisis message is right in either tier. Returns
    (hits {key: [right, of]}, misses, non-crisis messages asked the safety question first)."""
    hits = defaultdict(lambda: [0, 0])
    misses = []
    asked_first = 0
    for language, intent, text in rows:
        parse = nlu_agent(text)
        if intent == "crisis":  # danger in either tier is the right answer
            predicted = "crisis" if parse["intent"]["name"] in ("crisis", "crisis_possible") else parse["intent"]["name"]
        else:
            predicted = answered_intent(parse)
            asked_first += parse["intent"]["name"] in ("crisis", "crisis_possible")
        ok = predicted == intent
        for key in ("all", language, "content" if intent in CONTENT else "conversation", *keys(language, intent, text)):
            hits[key][0] += ok
            hits[key][1] += 1
        if not ok:
            misses.append(f"  [{language}] {intent} → {predicted}: {' / '.join(text.splitlines())}")
    return hits, misses, asked_first


def report_of(hits) -> str:
    """One line per counted key: accuracy (right/of)."""
    return "\n".join(f"  {k:12} {h / n:.3f} ({h}/{n})" for k, (h, n) in sorted(hits.items()))


def print_and_keep(title: str, scored, figures_file: str):
    """Print and keep in results/ what `score` counted; returns ({key: accuracy}, the printed report)."""
    hits, misses, asked_first = scored
    summary = (f"{title}; the topic answered, after the safety question where it was asked):\n{report_of(hits)}\n"
               f"  safety question asked first on {asked_first} non-crisis messages\nMisses ({len(misses)}):\n"
               + "\n".join(misses))
    print("\n" + summary)
    write_figures(figures_file, summary)
    return {k: h / n for k, (h, n) in hits.items()}, summary


def test_heldout_intent_accuracy_gate(nlu_agent):
    rows = heldout_examples()
    accuracy, summary = print_and_keep(f"Held-out intent accuracy ({len(rows)} messages never trained on",
                                       score(nlu_agent, rows), "nlu_holdout.txt")
    assert accuracy["all"] >= GATE and min(accuracy["nb"], accuracy["da"]) >= 0.90, f"accuracy below the gate:\n{summary}"
