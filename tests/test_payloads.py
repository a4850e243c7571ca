"""The allow-list of button payloads (bot.payloads) is exactly what the bot's own buttons send, and
bot.inbound keeps those – and only those – as intents."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

from bot.inbound import allowed_payload, as_text, channel_intent, user_message
from bot.payloads import BUTTON_INTENTS, CHANNEL_INTENTS, payload_intents, topic_intents

REPO_ROOT = Path(__file__).resolve().parent.parent
PENDING = {"crisis_confirmed", "crisis_ruled_out"}  # the crisis detector's buttons, being added now


def _domain_payloads() -> list:
    found = []

    def walk(node):
        if isinstance(node, dict):
            payload = node.get("payload")
            if isinstance(payload, str) and payload.startswith("/"):
                found.append(payload)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted((REPO_ROOT / "domain").rglob("*.yml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


def _button_calls(source: str) -> list:
    """(intent, entity names) of every `button(title, intent, **entities)` call (trygg.buttons)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("button", "payload"):
            intent = node.args[1] if getattr(node.func, "id", None) == "button" else node.args[0]
            if isinstance(intent, ast.Constant):
                found.append((intent.value, {k.arg for k in node.keywords}))
            else:  # button(title, t) – a content topic id
                found.append(("<topic>", set()))
    return found


def _action_payloads() -> list:
    """(intent, entity names) of every payload the custom actions build."""
    found = []
    for path in sorted((REPO_ROOT / "actions").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        found += _button_calls(source)
        for match in re.finditer(r"""["']payload["']\s*:\s*f?(["'])/(?P<body>.*?)\1""", source):
            body = match.group("body")
            if body.startswith("{t}"):  # f"/{t}" – a content topic id
                found.append(("<topic>", set()))
                continue
            intent = re.match(r"[a-z_]+", body).group(0)
            found.append((intent, set(re.findall(r'"(\w+)"\s*:', body.replace("{{", "{")))))
    return found


def test_every_button_payload_of_the_domain_and_actions_is_allowed_with_its_entities():
    allowed = payload_intents()
    used = set()
    for payload in _domain_payloads():
        assert allowed_payload(payload) == payload, payload
        used.add(re.match(r"/([a-z_]+)", payload).group(1))
    actions = _action_payloads()
    assert len(actions) >= 10, "the scan found the actions' buttons"
    from actions.topic_suggestions import _OTHER_TITLES  # "Mente du …?" also offers these besides topics

    for intent, entities in actions:
        if intent == "<topic>":
            assert set(_OTHER_TITLES) <= set(allowed)
            used.update(_OTHER_TITLES)
            continue
        assert intent in allowed, intent
        assert entities <= allowed[intent], (intent, entities)
        used.add(intent)
    # nothing more than the buttons send (apart from the topics and the crisis detector's new buttons)
    assert set(BUTTON_INTENTS) - PENDING == used, sorted(set(BUTTON_INTENTS) ^ used)
    catalogue = yaml.safe_load((REPO_ROOT / "content/topics.yml").read_text(encoding="utf-8"))
    assert topic_intents() == {t["id"] for t in catalogue["content"]} and topic_intents() <= set(allowed)


@pytest.mark.parametrize("payload", [
    "/affirm", "/hug_why", '/help_theme{"theme":"klem"}', '/describe_situation{"emotion":"sad"}',
    '/trial_action_evaluate{"trial_action_id":"3","outcome":"helped"}', '/trial_action_save{"suggestion_index": 0}',
    '/trial_action_evaluate{"trial_action_number":"3","outcome":"helped"}', '/trial_action_delete{"trial_action_number":"1"}',
    "/crisis_confirmed", "/crisis_ruled_out",
])
def test_allowed_payloads_pass_unchanged(payload):
    assert user_message(payload) == payload


@pytest.mark.parametrize("typed, expected", [
    ("/delete_my_data", "delete_my_data"),
    ("/followup", "followup"),
    ("/restart", "restart"),
    ("/session_start", "session_start"),
    ("/nlu_fallback", "nlu_fallback"),
    ("/out_of_scope", "out_of_scope"),
    ("//affirm", "affirm"),
    (" \t/ affirm", "affirm"),
    ("/affirm@1.0", "affirm@1.0"),
    ('/help_theme{"theme": ["klem"]}', 'help_theme{"theme": ["klem"]}'),
    ('/help_theme{"language": "da"}', 'help_theme{"language": "da"}'),
    ('/trial_action_delete{"trial_action_id": true}', 'trial_action_delete{"trial_action_id": true}'),
    ("/help_theme{not json}", "help_theme{not json}"),
    ('/hug_why{"theme":"' + "x" * 65 + '"}', 'hug_why{"theme":"' + "x" * 65 + '"}'),
    ("/AFFIRM", "AFFIRM"),
    ("/affirm\n/deny", "affirm\n/deny"),
    ("hva er /affirm", "hva er /affirm"),
    ("///", ""),
])
def test_everything_else_is_text(typed, expected):
    assert user_message(typed) == expected
    assert not user_message(typed).startswith("/")


def test_identifiers_are_removed_from_text_and_payloads():
    assert user_message("/ ring meg på 98765432") == "ring meg på [telefon]"
    assert user_message('/help_theme{"theme":"98765432"}') == '/help_theme{"theme":"[telefon]"}'
    assert as_text("/ hei /der") == "hei /der"


def test_channel_intents_are_only_the_channels_own():
    assert channel_intent("followup") == "/followup" and channel_intent("delete_my_data") == "/delete_my_data"
    with pytest.raises(ValueError):
        channel_intent("affirm{}")
    assert "followup" not in payload_intents() and "delete_my_data" not in payload_intents()
    from bot.telegram.app import COMMANDS, FOLLOWUP_INTENT, UNKNOWN_COMMAND_INTENT
    assert set(COMMANDS.values()) | {FOLLOWUP_INTENT, UNKNOWN_COMMAND_INTENT} <= CHANNEL_INTENTS


def test_the_audience_buttons_pass_and_no_other_audience_does():
    from bot.inbound import user_message
    assert user_message('/audience_inform{"audience": "pedagog"}') == '/audience_inform{"audience": "pedagog"}'
    assert user_message('/audience_inform{"audience": "admin"}') == 'audience_inform{"audience": "admin"}'
