"""Rasa component: adds a `distress` entity when the writer tells of their own strain («jeg er så
sliten», «det er virkelig hårdt lige nu»; trygg.distress, words in content/distress.yml). The rules
written by `make topics` then put utter_acknowledge_distress before the answer. An entity, not a
slot: it belongs to this one message, so nothing has to be reset, and the answer costs no extra
round trip to the action server."""
from __future__ import annotations

from typing import Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from bot.nlu.word_entity import WordEntityComponent
from trygg.distress import is_distressed


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class DistressDetector(WordEntityComponent):
    entity = "distress"

    def value_of(self, text: Text) -> Optional[Text]:
        return "true" if is_distressed(text) else None
