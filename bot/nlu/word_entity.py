"""The shape both word-based entity components share: read the user's own words (not a button's
payload), and when a pure function finds a value, add it as an entity for the whole message.
Subclasses name the entity and give the function (bot.nlu.audience_extractor, bot.nlu.distress_detector)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message


class WordEntityComponent(GraphComponent):
    entity: Text = ""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "WordEntityComponent":
        return cls()

    def value_of(self, text: Text) -> Optional[Text]:  # pragma: no cover - each subclass has its own
        raise NotImplementedError

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):  # a button payload: the person already chose, it carries its own entities
                continue
            value = self.value_of(text)
            if value is not None:
                entities = list(message.get(ENTITIES) or [])
                entities.append({"entity": self.entity, "value": value, "start": 0, "end": len(text),
                                 "confidence": 1.0, "extractor": type(self).__name__})
                message.set(ENTITIES, entities, add_to_output=True)
        return messages
