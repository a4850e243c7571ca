"""Rasa component: messages with no words at all (empty, only emoji, symbols or control bytes)
get the intent `input_unreadable`, so the bot can ask kindly for words instead of guessing."""
from __future__ import annotations

import unicodedata
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.intent_override import override_intent

UNREADABLE_INTENT = "input_unreadable"


def has_words(text: str) -> bool:
    """True when the text holds at least one letter or digit."""
    return any(unicodedata.category(ch)[0] in ("L", "N") for ch in text or "")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class InputGuard(GraphComponent):
    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "InputGuard":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/") or has_words(text):
                continue
            override_intent(message, UNREADABLE_INTENT)
        return messages
