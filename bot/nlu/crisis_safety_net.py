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

CRISIS_INTENT = "crisis"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class CrisisSafetyNet(GraphComponent):
    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "CrisisSafetyNet":
        return cls()

    def __init__(self) -> None:
        self._patterns = load_patterns()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            match = find_crisis(message.get(TEXT) or "", self._patterns)
            if match is None:
                continue
            crisis = {"name": CRISIS_INTENT, "confidence": 1.0}
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != CRISIS_INTENT]
            message.set(INTENT, crisis, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [crisis] + ranking, add_to_output=True)
            message.set("crisis_safety_net", {"kind": match.kind}, add_to_output=True)
        return messages
