"""Rasa component: adds an `audience` entity when the writer says who they are – «jeg er ny
fostermor, …», «vi er plejeforældre», «jeg jobber som pedagog» (trygg.audiences, words in
content/audience.yml). The `audience` slot is filled from it before the answer is chosen, so a
question that says who is asking is answered for them at once."""
from __future__ import annotations

from typing import Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from bot.nlu.word_entity import WordEntityComponent
from trygg.audiences import audience_named_in


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class AudienceExtractor(WordEntityComponent):
    entity = "audience"

    def value_of(self, text: Text) -> Optional[Text]:
        return audience_named_in(text)
