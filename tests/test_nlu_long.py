"""Topic accuracy on long, real messages and chat style (issue 12 point 8), never trained on.

tests/nlu_long: per topic and language three stories of 30–60 words with the question at the end
(some with typos or without æøå) and one chat-style message (emoji, slang, English words, several
short lines in one message), plus a few situation stories. Counted as in test_nlu_holdout: the
topic the bot answers, also behind the safety question («Er noen i fare akkurat nå?» → «Nei»).
"""
from __future__ import annotations

from collections import defaultdict

from tests.nlu_data import long_examples, write_figures
from tests.test_nlu_holdout import CONTENT, answered_intent

GATE = 0.95


def test_long_and_chat_messages_topic_accuracy_gate(nlu_agent):
    hits = defaultdict(lambda: [0, 0])
    misses = []
    asked_first = 0
    for language, intent, text in long_examples():
        parse = nlu_agent(text)
        predicted = answered_intent(parse)
        asked_first += parse["intent"]["name"] in ("crisis", "crisis_possible")
        ok = predicted == intent
        style = "chat" if "\n" in text else "story"
        for key in ("all", language, style, "content" if intent in CONTENT else "conversation"):
            hits[key][0] += ok
            hits[key][1] += 1
        if not ok:
            misses.append(f"  [{language}] {intent} → {predicted}: {' / '.join(text.splitlines())}")
    report = "\n".join(f"  {k:12} {h / n:.3f} ({h}/{n})" for k, (h, n) in sorted(hits.items()))
    summary = (f"Long and chat-style messages (tests/nlu_long, {hits['all'][1]} never trained on; the topic "
               f"answered, after the safety question where it was asked):\n{report}\n"
               f"  safety question asked first on {asked_first}\nMisses ({len(misses)}):\n" + "\n".join(misses))
    print("\n" + summary)
    write_figures("nlu_long.txt", summary)
    accuracy = {k: h / n for k, (h, n) in hits.items()}
    assert min(accuracy["nb"], accuracy["da"]) >= GATE, f"accuracy below {GATE}:\n{report}\n" + "\n".join(misses)
