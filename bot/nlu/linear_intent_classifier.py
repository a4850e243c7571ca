"""Rasa component: a linear intent classifier on TF-IDF character and word n-grams.

Character n-grams (char_wb) of the folded text catch typos, compounds and dialect spellings;
word uni/bigrams of the shared nb/da base forms catch meaning. A logistic regression gives
calibrated-enough probabilities. With `blend` > 0 it averages its probabilities with the
ranking of the classifier before it (DIET): blend = weight of this model.
Chosen by measurement on the held-out split and xSID (README, "Measured figures").
"""
from __future__ import annotations

import re
from functools import partial
from typing import Any, Dict, List, Optional, Text

import joblib
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

from bot.nlu.lemmatizer import base_form
from bot.nlu.text_folding import fold

_WORD = re.compile(r"\w+")


def base_forms(text: str, mode: str = "stem") -> str:
    return " ".join(base_form(w, mode) for w in _WORD.findall(text.lower()))


def build_model(config: Dict[Text, Any]) -> Pipeline:
    features = make_union(
        TfidfVectorizer(preprocessor=fold, analyzer="char_wb", sublinear_tf=True,
                        ngram_range=(config["char_min_ngram"], config["char_max_ngram"])),
        TfidfVectorizer(preprocessor=partial(base_forms, mode=config["lemma_mode"]), analyzer="word", sublinear_tf=True, token_pattern=r"\S+",
                        ngram_range=(1, config["word_max_ngram"])),
    )
    return Pipeline([("features", features),
                     ("classifier", LogisticRegression(C=config["C"], max_iter=3000, random_state=42))])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"char_min_ngram": 1, "char_max_ngram": 5, "word_max_ngram": 2, "C": 20.0, "lemma_mode": "stem",
                "blend": 1.0, "ranking_length": 10}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: Optional[Pipeline] = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._storage, self._resource, self._model = model_storage, resource, model

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LinearIntentClassifier":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        self._model = build_model(self._config)
        self._model.fit([m.get(TEXT) for m in examples], [m.get(INTENT) for m in examples])
        with self._storage.write_to(self._resource) as directory:
            joblib.dump(self._model, directory / "linear_intent_classifier.joblib")
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "LinearIntentClassifier":
        try:
            with model_storage.read_from(resource) as directory:
                model = joblib.load(directory / "linear_intent_classifier.joblib")
        except ValueError:
            model = None
        return cls(config, model_storage, resource, model)

    def process(self, messages: List[Message]) -> List[Message]:
        if self._model is None:
            return messages
        blend = float(self._config["blend"])
        labels = list(self._model.classes_)
        for message in messages:
            text = message.get(TEXT) or ""
            scores = dict(zip(labels, self._model.predict_proba([text])[0]))
            if blend < 1.0:
                previous = {r["name"]: r["confidence"] for r in message.get(INTENT_RANKING_KEY) or []}
                scores = {name: blend * scores.get(name, 0.0) + (1 - blend) * previous.get(name, 0.0)
                          for name in set(scores) | set(previous)}
            ranking = sorted(({"name": n, "confidence": float(c)} for n, c in scores.items()),
                             key=lambda r: r["confidence"], reverse=True)[: int(self._config["ranking_length"])]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
