"""Topic accuracy on long, real messages and chat style (issue 12 point 8), never trained on.

tests/nlu_long: per topic and language three stories of 30–60 words with the question at the end
(some with typos or without æøå) and one chat-style message (emoji, slang, English words, several
short lines in one message), plus a few situation stories. Counted as in test_nlu_holdout: the
topic the bot answers, also behind the safety question («Er noen i fare akkurat nå?» → «Nei»).
"""
from __future__ import annotations

from tests.nlu_data import long_examples
from tests.test_nlu_holdout import print_and_keep, score

GATE = 0.95


def test_long_and_chat_messages_topic_accuracy_gate(nlu_agent):
    rows = long_examples()
    scored = score(nlu_agent, rows, keys=lambda language, intent, text: ("chat" if "\n" in text else "story",))
    accuracy, summary = print_and_keep(f"Long and chat-style messages (tests/nlu_long, {len(rows)} never trained on",
                                       scored, "nlu_long.txt")
    assert min(accuracy["nb"], accuracy["da"]) >= GATE, f"accuracy below {GATE}:\n{summary}"
