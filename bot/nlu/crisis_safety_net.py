"""Rasa component: decides, last in the NLU pipeline, whether a message may be about danger.

Three signals, each giving a tier (see bot/nlu/crisis_decision.py):
* the pattern floor (content/crisis_patterns.yml), order-tolerant keyword rules;
* the crisis detector (bot/nlu/crisis_detector.py), trained here on data/crisis/ against every
  non-crisis example, its thresholds chosen on out-of-fold scores – the *possible* one per language
  the LanguageDetector (earlier in the pipeline) is clear about (`per_language_thresholds`);
* and the topic classifier's own guess: when its best intent is `crisis`, that is never demoted to
  the next topic – it is at least *possible*.

*sure* → intent `crisis` (the help-line answer, first and alone);
*possible* → intent `crisis_possible` (a short safety line with the numbers and «Er noen i fare
akkurat nå?»); the topic ranking is kept behind it, so that «nei» can answer the message itself.

The corpus' everyday-care examples (`care:`, data/crisis/*_care.yml) train a second, care-aware
detector only (`care_detector: true`): the first one – the tiers everywhere – never sees them. The
second one only marks a detector-only *possible* message as `everyday_care`, which spares the safety
question where the bot has just asked for a planned prøvehandling (actions/crisis.py; issue 10).
A crisis guess is never demoted to the next topic. The decision is in the parse data as `crisis`.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu import crisis_detector, stored_model
from bot.nlu.crisis_decision import CRISIS_INTENT, POSSIBLE_INTENT, TopicGate, decide
from bot.nlu.crisis_patterns import PATTERNS_FILE, credited, find_crisis, load_patterns
from bot.nlu.intent_override import override_intent
from bot.nlu.language_decision import decide as decide_language

REPO_ROOT = Path(__file__).resolve().parents[2]
MODEL_FILE = "crisis_detector.joblib"
CARE_MODEL_FILE = "crisis_care_detector.joblib"
FALLBACK_INTENT = "nlu_fallback"


def _clear_language(text: str) -> Optional[str]:
    """The language as the pipeline's LanguageDetector (default settings) sees it, None when unclear."""
    decision = decide_language(text)
    return decision.language if decision.clear else None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class CrisisSafetyNet(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"corpus": "data/crisis", "target_recall": 0.99, "sure_false_alarm_share": 0.001, "folds": 5,
                "C": 10.0, "ordinary_weight": 1.0, "care_weight": None, "topic_gate_confidence": 0.7,
                "topic_gate_max_score": 0.4, "per_language_thresholds": True, "care_detector": False}

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """The corpus and the patterns are read from files, not from Rasa's training data."""
        corpus = REPO_ROOT / config.get("corpus", "data/crisis")
        return crisis_detector.corpus_fingerprint(corpus) + hashlib.sha256(PATTERNS_FILE.read_bytes()).hexdigest()

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "CrisisSafetyNet":
        return cls({**cls.get_default_config(), **config}, model_storage, resource)

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 detector: Optional[crisis_detector.CrisisDetector] = None,
                 care_detector: Optional[crisis_detector.CrisisDetector] = None) -> None:
        self._config, self._storage, self._resource = config, model_storage, resource
        self._detector, self._care_detector = detector, care_detector
        self._patterns = load_patterns()
        self._gate = TopicGate(min_confidence=float(config["topic_gate_confidence"]),
                               max_score=float(config["topic_gate_max_score"]))

    def train(self, training_data: TrainingData) -> Resource:
        pairs = [(m.get(TEXT), m.get(INTENT)) for m in training_data.intent_examples if m.get(TEXT)]
        examples = crisis_detector.load_corpus(REPO_ROOT / self._config["corpus"])
        examples += crisis_detector.examples_from_intents(pairs, CRISIS_INTENT)
        floor_rules = credited(self._patterns)

        def detector(chosen: List[crisis_detector.Example]) -> crisis_detector.CrisisDetector:
            return crisis_detector.train(
                chosen, target_recall=float(self._config["target_recall"]),
                sure_false_alarm_share=float(self._config["sure_false_alarm_share"]),
                folds=int(self._config["folds"]), C=float(self._config["C"]),
                ordinary_weight=float(self._config["ordinary_weight"]),
                care_weight=None if self._config["care_weight"] is None else float(self._config["care_weight"]),
                floor=lambda text: find_crisis(text, floor_rules) is not None,
                language=_clear_language if self._config["per_language_thresholds"] else None)

        with_care = bool(self._config["care_detector"]) and any(e.care for e in examples)
        self._detector = detector([e for e in examples if not e.care] if with_care else examples)
        self._care_detector = detector(examples) if with_care else None
        return stored_model.save_all(self._storage, self._resource,
                                     {MODEL_FILE: self._detector, CARE_MODEL_FILE: self._care_detector})

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "CrisisSafetyNet":
        detector = stored_model.load(model_storage, resource, MODEL_FILE)
        care_detector = stored_model.load(model_storage, resource, CARE_MODEL_FILE)
        return cls({**cls.get_default_config(), **config}, model_storage, resource, detector, care_detector)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):  # a button payload: the bot's own words, not the user's
                continue
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != CRISIS_INTENT]
            topic = (ranking[0]["name"], float(ranking[0]["confidence"])) if ranking else None
            classifier_crisis = (message.get(INTENT) or {}).get("name") == CRISIS_INTENT
            detection = message.get("language_detection") or {}  # set by LanguageDetector, earlier in the pipeline
            lang = detection.get("language") if detection.get("clear") else None
            decision = decide(text, self._patterns, self._detector, topic, self._gate, classifier_crisis, lang,
                              self._care_detector)
            if decision.tier is None:
                continue
            message.set("crisis", decision.as_dict(), add_to_output=True)
            if decision.tier == "sure":
                override_intent(message, CRISIS_INTENT)
            else:
                topics = [r for r in message.get(INTENT_RANKING_KEY) or []
                          if r.get("name") not in (CRISIS_INTENT, FALLBACK_INTENT, POSSIBLE_INTENT)]
                chosen = {"name": POSSIBLE_INTENT, "confidence": 1.0}
                message.set(INTENT, chosen, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [chosen] + topics, add_to_output=True)
        return messages
