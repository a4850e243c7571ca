"""Reduce a word to a shared base form for both Norwegian bokmål and Danish.

Two sources, chosen in config.yml (`lemma_mode`):
- "stem": Snowball stemmers (PyStemmer) – Norwegian, then Danish on what is left;
- "lookup": spaCy's lemma tables from `spacy-lookups-data` (nb: the per-part-of-speech
  `nb_lemma_exc` tables, since `nb_lemma_lookup` is nearly empty; da: `da_lemma_lookup`),
  falling back to the stemmers for unknown words;
- "none": only folding.
The result is always folded (see trygg.text).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Collection, Dict

import Stemmer

from trygg.text import fold

_NB = Stemmer.Stemmer("norwegian")
_DA = Stemmer.Stemmer("danish")


def stem(word: str) -> str:
    return _DA.stemWord(_NB.stemWord(word.lower()))


@lru_cache(maxsize=1)
def _lookup_table() -> Dict[str, str]:
    import spacy_lookups_data  # only needed in lookup mode
    from spacy.lookups import load_lookups

    table: Dict[str, str] = {}
    da = load_lookups("da", ["lemma_lookup"]).get_table("lemma_lookup")
    nb = load_lookups("nb", ["lemma_exc"]).get_table("lemma_exc")
    for pos_table in nb.values():
        for form, lemmas in pos_table.items():
            if lemmas:
                table.setdefault(str(form).lower(), str(lemmas[0]).lower())
    for form, lemma in da.items():
        table.setdefault(str(form).lower(), str(lemma).lower())
    del spacy_lookups_data
    return table


def base_form(word: str, mode: str = "stem") -> str:
    word = word.lower()
    if mode == "none":
        return fold(word)
    if mode == "lookup":
        lemma = _lookup_table().get(word)
        return fold(lemma if lemma else stem(word))
    return fold(stem(word))


# A known word whose lemma the classifier never saw: a token that no text can produce (not \w),
# so it is outside every vocabulary, as the lemma was – and the stem is not tried instead.
OUT_OF_VOCABULARY = "\u2400"
_WORD = re.compile(r"\w+")


def compact_table(vocabulary: Collection[str]) -> Dict[str, str]:
    """The part of the lookup table a trained classifier can use, with the same results.

    A word's base form only counts when it is in the classifier's word vocabulary. So keep a
    word → lemma entry when the lemma is in it; when it is not, but the stem (what an unknown word
    gets) is, keep the word with OUT_OF_VOCABULARY; drop the rest – for them table and stem both
    give a form the classifier never saw. Some thousand entries instead of the ~1.2 million that
    take ~450 MB as a Python dict in every Rasa process.
    """
    compact: Dict[str, str] = {}
    for form, lemma in _lookup_table().items():
        if not lemma:  # base_form takes the stem then
            continue
        folded = fold(lemma)
        if folded in vocabulary:
            compact[form] = folded
        elif fold(stem(form)) in vocabulary:
            compact[form] = OUT_OF_VOCABULARY
    return compact


class CompactBaseForms:
    """`base_forms(text, "lookup")` with a compact table (see compact_table): picklable, stored in
    the trained model, so a running bot never loads spaCy's tables."""

    def __init__(self, table: Dict[str, str]) -> None:
        self.table = table

    def __call__(self, text: str) -> str:
        return " ".join(self.table.get(w) or fold(stem(w)) for w in _WORD.findall(text.lower()))
