"""Rasa component: overrides the predicted intent with `crisis` when a crisis pattern matches.

It runs last in the NLU pipeline (after DIET and the FallbackClassifier), so a parse of the
message shows `crisis` with confidence 1.0 whatever the classifier thought.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.crisis_patterns import find_crisis, load_patterns
from bot.nlu.intent_override import override_intent

CRISIS_INTENT = "crisis"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class CrisisSafetyNet(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"classifier_min_confidence": 0.8}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "CrisisSafetyNet":
        return cls(float(config.get("classifier_min_confidence", 0.8)))

    def __init__(self, classifier_min_confidence: float = 0.8) -> None:
        self._patterns = load_patterns()
        self._min_confidence = classifier_min_confidence

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            match = find_crisis(message.get(TEXT) or "", self._patterns)
            if match is None:
                self._demote_unsure_crisis(message)
                continue
            override_intent(message, CRISIS_INTENT)
            message.set("crisis_safety_net", {"kind": match.kind}, add_to_output=True)
        return messages

    def _demote_unsure_crisis(self, message: Message) -> None:
        """The classifier alone says crisis, but not surely: take its next guess instead.
        (Everyday words like "redd", "savnet", "full av" must not trigger the crisis answer.)"""
        intent = message.get(INTENT) or {}
        if intent.get("name") != CRISIS_INTENT or intent.get("confidence", 0.0) >= self._min_confidence:
            return
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != CRISIS_INTENT]
        if ranking:
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
