"""Rasa component: adds an `audience` entity when the writer says who they are – «jeg er ny
fostermor, …», «vi er plejeforældre», «jeg jobber som pedagog» (trygg.audiences, words in
content/audience.yml). The `audience` slot is filled from it before the answer is chosen, so a
question that says who is asking is answered for them at once."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from trygg.audiences import audience_named_in


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class AudienceExtractor(GraphComponent):
    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "AudienceExtractor":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):  # a button payload carries its own entity
                continue
            audience = audience_named_in(text)
            if audience is not None:
                entities = list(message.get(ENTITIES) or [])
                entities.append({"entity": "audience", "value": audience, "start": 0, "end": len(text),
                                 "confidence": 1.0, "extractor": "AudienceExtractor"})
                message.set(ENTITIES, entities, add_to_output=True)
        return messages
