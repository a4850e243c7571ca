"""Crisis figures on messages the model never trained on (tests/crisis/heldout), with the whole
trained NLU pipeline: recall per kind and language for each tier, false alarms on ordinary worries
that share words with danger, and how often an ordinary topic question is asked the safety
question. Printed by `make test` (results/crisis.txt) and kept in the README with their date.

Gates (issue #10): recall (sure + possible) ≥ 0.98 in each language; the sure tier never on an
ordinary worry. The possible tier's false alarms are measured and printed against their 5 % aim.
"""
from __future__ import annotations

from collections import Counter, defaultdict

from bot.nlu.crisis_detector import KINDS
from tests.crisis_sets import LANGUAGES, heldout_corpus
from tests.nlu_data import heldout_examples, write_figures

TIER_OF_INTENT = {"crisis": "sure", "crisis_possible": "possible"}
RECALL_GATE = 0.98
POSSIBLE_FALSE_ALARM_AIM = 0.05


def test_heldout_crisis_recall_and_false_alarms(nlu_agent):
    counts = defaultdict(Counter)  # (lang, kind) → {"sure": n, "possible": n, "none": n}
    missed = []
    false_alarms = []
    signals = Counter()  # which signal raised a needless tier: pattern, detector or classifier
    for example in heldout_corpus():
        parse = nlu_agent(example.text)
        tier = TIER_OF_INTENT.get(parse["intent"]["name"], "none")
        key = (example.lang, "ordinary" if example.ordinary else example.kind)
        counts[key][tier] += 1
        if example.is_crisis and tier == "none":
            missed.append(f"  [{example.lang} {example.kind}] → {parse['intent']['name']}: {example.text[:120]!r}")
        if example.ordinary and tier != "none":
            signals[("ordinary", (parse.get("crisis") or {}).get("by", "?"))] += 1
            false_alarms.append(f"  [{example.lang} {tier}] {example.text[:120]!r}")

    topic_rows = [(lang, text) for lang, intent, text in heldout_examples() if intent != "crisis"]
    asked = Counter()
    for lang, text in topic_rows:
        parse = nlu_agent(text)
        if parse["intent"]["name"] in TIER_OF_INTENT:
            asked[lang] += 1
            signals[("topic", (parse.get("crisis") or {}).get("by", "?"))] += 1
    topic_total = Counter(lang for lang, _ in topic_rows)

    lines = ["Crisis, held-out (never trained on): recall = sure + possible; sure alone in brackets"]
    recall = {}
    for lang in LANGUAGES:
        crisis = [counts[(lang, k)] for k in KINDS]
        total = sum(sum(c.values()) for c in crisis)
        caught = sum(c["sure"] + c["possible"] for c in crisis)
        sure = sum(c["sure"] for c in crisis)
        recall[lang] = caught / total
        lines.append(f"  {lang} all kinds   {caught / total:.3f} ({sure / total:.3f})  {caught}/{total}")
        for kind in KINDS:
            c = counts[(lang, kind)]
            n = sum(c.values())
            lines.append(f"  {lang} {kind:18} {(c['sure'] + c['possible']) / n:.2f} ({c['sure'] / n:.2f})  n={n}")
    ordinary = {lang: counts[(lang, "ordinary")] for lang in LANGUAGES}
    sure_alarms = sum(c["sure"] for c in ordinary.values())
    possible_alarms = sum(c["possible"] for c in ordinary.values())
    ordinary_total = sum(sum(c.values()) for c in ordinary.values())
    lines.append(f"Ordinary worries ({ordinary_total}): sure tier {sure_alarms}, possible tier {possible_alarms} "
                 f"({possible_alarms / ordinary_total:.1%}; aim ≤ {POSSIBLE_FALSE_ALARM_AIM:.0%})")
    for lang in LANGUAGES:
        lines.append(f"  {lang}: sure {ordinary[lang]['sure']}, possible {ordinary[lang]['possible']} of "
                     f"{sum(ordinary[lang].values())}")
    lines.append("Topic questions of tests/nlu asked «is anyone in danger?» first: "
                 + ", ".join(f"{lang} {asked[lang]}/{topic_total[lang]}" for lang in LANGUAGES))
    lines.append("Raised by (ordinary worries | topic questions): " + ", ".join(
        f"{by} {signals[('ordinary', by)]} | {signals[('topic', by)]}" for by in ("pattern", "detector", "classifier")))
    lines += ["Missed:"] + missed + ["False alarms on ordinary worries:"] + false_alarms
    report = "\n".join(lines)
    print("\n" + report)
    write_figures("crisis.txt", report)

    assert sure_alarms == 0, report
    assert min(recall.values()) >= RECALL_GATE, report
