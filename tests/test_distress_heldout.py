"""How well a message told in distress is recognised on messages never used to write the word
lists (tests/distress/heldout.yml): precision and recall of the acknowledgement per language, and
how often a fact question or a calm situation would get one. Also: how many of the held-out TOPIC
messages (tests/nlu, questions and stories as users type them) would get the acknowledgement.
Printed by `make test` (results/distress.txt); the figures are kept in docs/architecture.md."""
from __future__ import annotations

import yaml

from tests.nlu_data import REPO_ROOT, heldout_examples, write_figures
from trygg.distress import is_distressed

RECALL_GATE = 0.85
PRECISION_GATE = 0.9
MAX_FALSE_ON_FACT = 1   # per language: false warmth on fact questions should be rare


def test_distress_is_recognised_on_heldout_messages():
    data = yaml.safe_load((REPO_ROOT / "tests" / "distress" / "heldout.yml").read_text(encoding="utf-8"))
    lines, failures = [], []
    for language in ("nb", "da"):
        sets = data[language]
        assert len(sets["distress"]) + len(sets["fact"]) + len(sets["ordinary"]) >= 30
        hit = sum(is_distressed(m) for m in sets["distress"])
        false_fact = [m for m in sets["fact"] if is_distressed(m)]
        false_ordinary = [m for m in sets["ordinary"] if is_distressed(m)]
        flagged = hit + len(false_fact) + len(false_ordinary)
        recall = hit / len(sets["distress"])
        precision = hit / flagged if flagged else 1.0
        lines.append(f"{language}: recall {recall:.2f} ({hit}/{len(sets['distress'])}), precision {precision:.2f} "
                     f"({hit}/{flagged}), acknowledged fact questions {len(false_fact)}/{len(sets['fact'])}, "
                     f"calm situations {len(false_ordinary)}/{len(sets['ordinary'])}")
        lines += [f"  missed: {m}" for m in sets["distress"] if not is_distressed(m)]
        lines += [f"  false: {m}" for m in false_fact + false_ordinary]
        if recall < RECALL_GATE or precision < PRECISION_GATE or len(false_fact) > MAX_FALSE_ON_FACT:
            failures.append(language)
    topic = [(lang, text) for lang, intent, text in heldout_examples() if not intent.startswith("crisis")]
    for language in ("nb", "da"):
        texts = [text for lang, text in topic if lang == language]
        warm = sum(is_distressed(t) for t in texts)
        lines.append(f"{language}: held-out topic messages (tests/nlu) acknowledged: {warm}/{len(texts)}")
    report = "Distress acknowledged (held-out, tests/distress/heldout.yml)\n" + "\n".join(lines)
    print("\n" + report)
    write_figures("distress.txt", report)
    assert not failures, report
