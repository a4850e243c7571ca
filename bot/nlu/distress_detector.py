"""Rasa component: adds a `distress` entity when the writer tells of their own strain («jeg er så
sliten», «det er virkelig hårdt lige nu»; trygg.distress, words in content/distress.yml). The rules
written by `make topics` then put utter_acknowledge_distress before the answer. An entity, not a
slot: it belongs to this one message, so nothing has to be reset, and the answer costs no extra
round trip to the action server."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from trygg.distress import is_distressed


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class DistressDetector(GraphComponent):
    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "DistressDetector":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):  # a button payload: the person already chose
                continue
            if is_distressed(text):
                entities = list(message.get(ENTITIES) or [])
                entities.append({"entity": "distress", "value": "true", "start": 0, "end": len(text),
                                 "confidence": 1.0, "extractor": "DistressDetector"})
                message.set(ENTITIES, entities, add_to_output=True)
        return messages
