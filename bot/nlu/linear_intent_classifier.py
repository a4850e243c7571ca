"""Rasa component: a linear intent classifier on TF-IDF character and word n-grams.

Character n-grams (char_wb) of the folded text catch typos, compounds and dialect spellings;
word uni/bigrams of the shared nb/da base forms (`lemma_mode`: spaCy lemma tables or Snowball
stems, bot.nlu.lemmatizer) catch meaning. A logistic regression gives calibrated-enough
probabilities.

`class_weight: balanced` weighs each intent by the inverse of its number of examples (at most
`max_class_weight`), so an intent with few examples (a new topic, `alarm/snooze_alarm` in xSID) is
not drowned by the big ones. Chosen by measurement on the held-out split and xSID (docs/measurements.md,
"What was tried").
"""
from __future__ import annotations

import re
from collections import Counter
from functools import partial
from typing import Any, Dict, List, Optional, Sequence, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_union

from bot.nlu import stored_model
from bot.nlu.lemmatizer import CompactBaseForms, base_form, compact_table
from trygg.text import fold

MODEL_FILE = "linear_intent_classifier.joblib"
_WORD = re.compile(r"\w+")


def base_forms(text: str, mode: str = "stem") -> str:
    """Input of the word n-grams: the base form of every word."""
    return " ".join(base_form(w, mode) for w in _WORD.findall(text.lower()))


def class_weights(labels: Sequence[str], max_weight: Optional[float]) -> Dict[str, float]:
    """(mean examples per intent) / (examples of this intent), at most `max_weight`.

    Uncapped this is scikit-learn's "balanced". The cap keeps an intent with a handful of
    placeholder examples (our `input_unreadable`: 8 emoji-only lines, which the InputGuard sets
    anyway; uncapped it weighs about 9) from pulling short replies such as "ok 🙂" towards it.
    """
    counts = Counter(labels)
    mean = len(labels) / len(counts)
    return {label: min(mean / n, max_weight or float("inf")) for label, n in counts.items()}


def build_model(config: Dict[Text, Any], labels: Sequence[str] = ()) -> Pipeline:
    features = make_union(
        TfidfVectorizer(preprocessor=fold, analyzer="char_wb", sublinear_tf=True,
                        ngram_range=(config["char_min_ngram"], config["char_max_ngram"])),
        TfidfVectorizer(preprocessor=partial(base_forms, mode=config["lemma_mode"]), analyzer="word",
                        sublinear_tf=True, token_pattern=r"\S+", ngram_range=(1, config["word_max_ngram"])),
    )
    weights = config["class_weight"]
    if weights == "balanced" and labels:
        weights = class_weights(labels, config["max_class_weight"])
    classifier = LogisticRegression(C=config["C"], class_weight=weights, max_iter=3000, random_state=42)
    return Pipeline([("features", features), ("classifier", classifier)])


def fast_to_predict(model: Optional[Pipeline]) -> Optional[Pipeline]:
    """Store the weights column-major, so that scikit-learn's `X @ coef_.T` needs no copy.

    scikit-learn multiplies the sparse features with `coef_.T`; for a row-major `coef_` that view
    is not contiguous and scipy copies the whole weight matrix on every message – measured 8 ms per
    message against 2 ms once the weights are column-major. Same numbers, same predictions.
    """
    if model is not None:
        classifier = model.named_steps["classifier"]
        classifier.coef_ = np.asfortranarray(classifier.coef_)
    return model


def word_vectorizer(model: Pipeline) -> TfidfVectorizer:
    return model.named_steps["features"].transformer_list[1][1]


def compact_lemmas(model: Pipeline, lemma_mode: str) -> None:
    """After training in lookup mode: give the word n-grams only the part of the lemma table the
    model can use (bot.nlu.lemmatizer.compact_table) – the same features for every text, without
    ~450 MB of tables in each Rasa process and ~9 s of loading them at its start."""
    if lemma_mode != "lookup":
        return
    vectorizer = word_vectorizer(model)
    unigrams = {term for term in vectorizer.vocabulary_ if " " not in term}
    vectorizer.preprocessor = CompactBaseForms(compact_table(unigrams))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"char_min_ngram": 1, "char_max_ngram": 5, "word_max_ngram": 2, "C": 20.0, "lemma_mode": "stem",
                "class_weight": None, "max_class_weight": None, "ranking_length": 10, "exclude_intents": []}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: Optional[Pipeline] = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._storage, self._resource, self._model = model_storage, resource, fast_to_predict(model)

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LinearIntentClassifier":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        # Intents decided by another component (`crisis`: the CrisisSafetyNet) are not topics.
        excluded = set(self._config["exclude_intents"])
        examples = [m for m in training_data.intent_examples if m.get(TEXT) and m.get(INTENT) not in excluded]
        labels = [m.get(INTENT) for m in examples]
        self._model = build_model(self._config, labels)
        self._model.fit([m.get(TEXT) for m in examples], labels)
        compact_lemmas(self._model, self._config["lemma_mode"])
        fast_to_predict(self._model)
        return stored_model.save(self._storage, self._resource, MODEL_FILE, self._model)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "LinearIntentClassifier":
        model = stored_model.load(model_storage, resource, MODEL_FILE)
        if model is not None:
            # A model trained before the compact tables loads spaCy's tables lazily (~9 s): do it
            # while Rasa starts, not on the first user's message.
            model.predict_proba(["hei"])
        return cls(config, model_storage, resource, model)

    def process(self, messages: List[Message]) -> List[Message]:
        if self._model is None:
            return messages
        labels = list(self._model.classes_)
        for message in messages:
            text = message.get(TEXT) or ""
            scores = dict(zip(labels, self._model.predict_proba([text])[0]))
            ranking = sorted(({"name": n, "confidence": float(c)} for n, c in scores.items()),
                             key=lambda r: r["confidence"], reverse=True)[: int(self._config["ranking_length"])]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
