"""Rasa component: adds a `language` entity (nb/da) when a message's language is clear.

The `language` slot is filled from this entity, so it changes only on clear messages and stays
as it is for short or ambiguous ones ("ok", "takk", "🙂"): that keeps it for the conversation.
The full decision (guess, method, confidence) is also in the parse data as `language_detection`.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.language_decision import decide


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageDetector(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"lingua_threshold": 0.9, "min_words": 3}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LanguageDetector":
        return cls(config)

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._threshold = float(config.get("lingua_threshold", 0.9))
        self._min_words = int(config.get("min_words", 3))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):  # a button payload: not the user's own words
                continue
            decision = decide(text, lingua_threshold=self._threshold, min_words=self._min_words)
            message.set(
                "language_detection",
                {"language": decision.language, "clear": decision.clear, "method": decision.method,
                 "confidence": round(decision.confidence, 3)},
                add_to_output=True,
            )
            if decision.clear:
                entities = list(message.get(ENTITIES) or [])
                entities.append({
                    "entity": "language", "value": decision.language, "start": 0, "end": len(text),
                    "confidence": decision.confidence, "extractor": "LanguageDetector",
                })
                message.set(ENTITIES, entities, add_to_output=True)
        return messages
