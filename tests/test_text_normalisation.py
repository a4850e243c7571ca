"""People type without å/ø/æ, in dialect, in either language: folding and base forms make
those spellings meet."""
from __future__ import annotations

from bot.nlu.lemmatizer import base_form
from trygg.text import fold
from trygg.text import has_words


def test_folding_makes_spellings_without_scandinavian_letters_meet():
    assert fold("Gråter") == fold("graater") == fold("grater")
    assert fold("Børn") == fold("born") and fold("Fosterbarnet  ØNSKER") == "fosterbarnet onsker"
    assert fold("plejeforældre") == fold("plejeforaeldre")


def test_base_forms_join_inflections_in_both_languages():
    assert base_form("klemmer") == base_form("klem")
    assert base_form("krammer") == base_form("kram")
    assert base_form("græder") == base_form("graeder")
    assert base_form("barnet") == base_form("barn")


def test_spacy_lookup_tables_give_lemmas():
    assert base_form("fosterforeldrene", "lookup") == "fosterforelder"
    assert base_form("krammer", "lookup") == "kramme"


def test_messages_without_words_are_recognised():
    assert not has_words("🙂🙂") and not has_words("\x00\x07") and not has_words("")
    assert has_words("ok 🙂") and has_words("12")

