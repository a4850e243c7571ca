"""Rasa tokenizer for Norwegian and Danish: whitespace tokens, folded, with a shared base form.

`token.text` becomes the folded word (read by the char n-gram featurizer with use_lemma: false);
`token.lemma` the folded stem or lemma (read by the word featurizer). Intent names are left alone.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.lemmatizer import base_form
from bot.nlu.text_folding import fold


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class ScandinavianTokenizer(WhitespaceTokenizer):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**WhitespaceTokenizer.get_default_config(), "lemma_mode": "stem"}

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        if attribute != TEXT:
            return tokens
        mode = self._config.get("lemma_mode", "stem")
        for token in tokens:
            original = token.text
            token.text = fold(original)
            token.lemma = base_form(original, mode)
        return tokens
