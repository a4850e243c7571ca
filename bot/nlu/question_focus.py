"""The question of a message: the sentence a story ends in. Pure.

People write stories, not queries: «svigermor sier vi klemmer for mye på gutten … gjør klemmer
egentlig noe godt?». The topic is in the question; the story's words (a boy, a kindergarten, a
grandmother) pull towards other topics. `QuestionFocus` finds the question so that the intent
classifier can weigh its words more (bot.nlu.linear_intent_classifier, `focus_weight`).

The question is the last sentence or line that holds «?»; else the last one that begins with a
question word, or with a question verb not followed by a negation («Kan ikke sove …» is a
statement) – the words the reflection uses too (content/reflection.yml, `questions`); else the
last sentence. A message of one sentence is its own question.
"""
from __future__ import annotations

import re
from typing import Iterable, List

from trygg.text import fold_words

# A sentence ends at . ! ? … (and what follows it) before a space, or at a line break.
_SENTENCES = re.compile(r"(?<=[.!?…])[\"'»)\]]*\s+|\s*\n+\s*")


def sentences(text: str) -> List[str]:
    return [s.strip() for s in _SENTENCES.split(text or "") if s and s.strip()]


class QuestionFocus:
    """Callable: text → its question. Picklable (it is stored with the trained model)."""

    def __init__(self, words: Iterable[str], verbs: Iterable[str], negations: Iterable[str]) -> None:
        self.words = frozenset(fold_words(w) for w in words)
        self.verbs = frozenset(fold_words(w) for w in verbs)
        self.negations = frozenset(fold_words(w) for w in negations)

    def begins_as_question(self, sentence: str) -> bool:
        words = fold_words(sentence).split()
        if not words:
            return False
        if words[0] in self.words:
            return True
        return words[0] in self.verbs and not (len(words) > 1 and words[1] in self.negations)

    def __call__(self, text: str) -> str:
        parts = sentences(text)
        if len(parts) <= 1:
            return (text or "").strip()
        for sentence in reversed(parts):
            if "?" in sentence:
                return sentence
        for sentence in reversed(parts):
            if self.begins_as_question(sentence):
                return sentence
        return parts[-1]


def from_content() -> QuestionFocus:
    """The question words of content/reflection.yml (nb, nn, da)."""
    from trygg import content

    questions = content.load("reflection.yml")["questions"]
    words = [w for ws in questions["words"].values() for w in ws]
    verbs = [w for ws in questions["verbs"].values() for w in ws]
    return QuestionFocus(words, verbs, questions["not_after_verb"])
