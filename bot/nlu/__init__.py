"""Custom NLU for Norwegian and Danish: folding, stemming/lemmas, crisis safety net, language.

Pure logic lives in `lemmatizer`, `crisis_patterns` and `language_decision`;
(folding: trygg.text); the Rasa graph components that use it are in `linear_intent_classifier`,
`crisis_safety_net`, `input_guard` and `language_detector`.
"""
