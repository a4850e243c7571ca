"""Topic accuracy on long, real messages and chat style (issue 12 point 8), never trained on.

tests/nlu_long: per topic and language three stories of 30–60 words with the question at the end
(some with typos or without æøå) and one chat-style message (emoji, slang, English words, several
short lines in one message), plus a few situation stories. Counted as in test_nlu_holdout: the
topic the bot answers, also behind the safety question («Er noen i fare akkurat nå?» → «Nei»).
"""
from __future__ import annotations

from tests.nlu_data import long_examples, write_figures
from tests.test_nlu_holdout import report_of, score

GATE = 0.95


def test_long_and_chat_messages_topic_accuracy_gate(nlu_agent):
    hits, misses, asked_first = score(nlu_agent, long_examples(),
                                      keys=lambda language, intent, text: ("chat" if "\n" in text else "story",))
    report = report_of(hits)
    summary = (f"Long and chat-style messages (tests/nlu_long, {hits['all'][1]} never trained on; the topic "
               f"answered, after the safety question where it was asked):\n{report}\n"
               f"  safety question asked first on {asked_first}\nMisses ({len(misses)}):\n" + "\n".join(misses))
    print("\n" + summary)
    write_figures("nlu_long.txt", summary)
    accuracy = {k: h / n for k, (h, n) in hits.items()}
    assert min(accuracy["nb"], accuracy["da"]) >= GATE, f"accuracy below {GATE}:\n{report}\n" + "\n".join(misses)
