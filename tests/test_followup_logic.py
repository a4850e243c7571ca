"""Pure parts of the follow-up: when the question may come first, and the encrypted chat id."""
from __future__ import annotations

import pytest

from bot.policies.followup_first import NOT_BEFORE, should_ask_followup
from bot.telegram.chat_token import ChatTokenError, decrypt_chat_id, encrypt_chat_id


def test_asked_first_on_an_ordinary_message_of_a_returning_user():
    assert should_ask_followup("3", True, "attachment_what", in_form=False)
    assert should_ask_followup("3", True, "greet", in_form=False)
    assert should_ask_followup("3", True, "nlu_fallback", in_form=False)


@pytest.mark.parametrize("intent", sorted(NOT_BEFORE))
def test_never_before_crisis_deletion_or_an_evaluation(intent):
    assert not should_ask_followup("3", True, intent, in_form=False)


def test_not_when_nothing_is_due_not_mid_turn_not_in_a_form():
    assert not should_ask_followup(None, True, "greet", in_form=False)
    assert not should_ask_followup("", True, "greet", in_form=False)
    assert not should_ask_followup("3", False, "greet", in_form=False)
    assert not should_ask_followup("3", True, "greet", in_form=True)


def test_crisis_is_in_the_list():
    assert "crisis" in NOT_BEFORE and "delete_my_data" in NOT_BEFORE


def test_chat_id_round_trip_is_encrypted_and_bound_to_the_secret():
    token = encrypt_chat_id(987654321, "secret-one")
    assert "987654321" not in token
    assert decrypt_chat_id(token, "secret-one") == 987654321
    assert encrypt_chat_id(987654321, "secret-one") != token, "random IV: equal ids do not look equal"
    with pytest.raises(ChatTokenError):
        decrypt_chat_id(token, "secret-two")
    with pytest.raises(ChatTokenError):
        decrypt_chat_id(token[:-4] + "AAAA", "secret-one")
    with pytest.raises(ValueError):
        encrypt_chat_id(1, "")
