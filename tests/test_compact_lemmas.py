"""The compact lemma table stored in the model gives the classifier exactly the features the full
spaCy tables give (so the same answers), at a fraction of the memory. Slow: loads the full tables."""
from __future__ import annotations

from functools import partial

from sklearn.feature_extraction.text import TfidfVectorizer

from bot.nlu.lemmatizer import OUT_OF_VOCABULARY, CompactBaseForms, compact_table
from bot.nlu.linear_intent_classifier import base_forms
from tests.nlu_data import heldout_examples, training_examples


def _word_features(preprocessor):
    return TfidfVectorizer(preprocessor=preprocessor, analyzer="word", sublinear_tf=True,
                           token_pattern=r"\S+", ngram_range=(1, 2))


def test_compact_table_gives_the_same_word_features_on_every_message():
    training = [text for _, _, text in training_examples()]
    full = _word_features(partial(base_forms, mode="lookup")).fit(training)
    unigrams = {term for term in full.vocabulary_ if " " not in term}
    table = compact_table(unigrams)
    compact = _word_features(partial(base_forms, mode="lookup")).fit(training)
    compact.preprocessor = CompactBaseForms(table)
    texts = training + [text for _, _, text in heldout_examples()] + [
        "Fosterforeldrene våre krammer ungene", "hun græder hele tiden", "xyzzy qwerty", "", "🙂"]
    expected, got = full.transform(texts), compact.transform(texts)
    assert expected.nnz > len(texts), "the texts have word features at all"
    assert (expected != got).nnz == 0, "every message gets exactly the same word features"
    assert 1_000 < len(table) < 200_000, len(table)
    assert OUT_OF_VOCABULARY not in full.vocabulary_
