"""Rasa's check of the action server's answers, compiled once: it accepts and rejects exactly
what `jsonschema.validate` with Rasa's schema does."""
from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

import bot.action_response_validation  # noqa: F401

GOOD = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "language", "value": "nb"}], "responses": [{"text": "Hei"}]},
    {"events": [{"event": "action", "name": "action_listen"},
                {"event": "user", "text": "hei", "parse_data": {"intent": {"name": "greet"}}}],
     "responses": [{"text": "x", "buttons": [{"title": "a", "payload": "/b"}]}]},
]
BAD = [
    {"events": "not a list"},
    {"events": [{"no": "event key"}]},
    {"events": [{"event": "slot", "name": 5}], "responses": "x"},
]


@pytest.mark.parametrize("result", GOOD + BAD)
def test_same_verdict_as_jsonschema_validate(result):
    action = RemoteAction("action_x", EndpointConfig("http://127.0.0.1:1"))
    try:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
        expected_ok = True
    except jsonschema.ValidationError:
        expected_ok = False
    if expected_ok:
        assert action._validate_action_result(result) is True
    else:
        with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
            action._validate_action_result(result)


def test_rasa_uses_the_compiled_validator():
    assert RemoteAction._validate_action_result is bot.action_response_validation._validate_action_result
