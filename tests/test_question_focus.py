"""The question of a story (bot.nlu.question_focus), which the intent classifier weighs more."""
from __future__ import annotations

import pytest

from bot.nlu.question_focus import from_content, sentences

FOCUS = from_content()


@pytest.mark.parametrize("text, question", [
    ("svigermor sier vi klemmer for mye på gutten. han er fem. gjør klemmer egentlig noe godt?",
     "gjør klemmer egentlig noe godt?"),
    ("skal ha en prat med gutten 🙂\nhar bildekortet men blank\nnoen tips til spørsmål?", "noen tips til spørsmål?"),
    # no question mark: the last sentence that begins like a question (content/reflection.yml)
    ("hun græder ved aflevering. hvordan hjælper jeg hende. hun er tre", "hvordan hjælper jeg hende."),
    ("Hun sa «nei!» og gikk. Hva nå?", "Hva nå?"),
    # a question followed by an afterthought
    ("hun var sint i dag\nspør man først når ungen er sint? asking for a friend 😬", "spør man først når ungen er sint?"),
    # «Kan ikke …» is a statement; without any question the last sentence
    ("Kan ikke sove etter samvær. Han ligger våken til midnatt.", "Han ligger våken til midnatt."),
])
def test_the_question_of_a_story_is_found(text, question):
    assert FOCUS(text) == question


@pytest.mark.parametrize("text", ["hva er tilknytning", "jeg er ny fostermor, hva betyr tilknytning?", "", "🙂"])
def test_a_message_of_one_sentence_is_its_own_question(text):
    assert FOCUS(text) == text.strip()


def test_sentences_split_at_end_marks_and_line_breaks_only():
    assert sentences("f.eks. 3.5 år. ok!\n\nja") == ["f.eks.", "3.5 år.", "ok!", "ja"]
