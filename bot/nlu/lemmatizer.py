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

from functools import lru_cache
from typing import Dict

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
