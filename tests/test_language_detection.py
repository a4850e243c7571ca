"""Answering in the user's language: measured on every labelled message of the project.

Prints how often each layer picks the wrong language, on the held-out split and the training
data (all written by language, so the label is known):
- lingua alone (Bokmål vs Danish), per message;
- the decision (explicit request → marker words → confident lingua), per message;
- a conversation: the channel seeds the language, clear messages set it, unclear ones keep it.
"""
from __future__ import annotations

from bot.nlu.language_decision import decide, lingua_guess, requested_language
from tests.nlu_data import heldout_examples, training_examples, write_figures


def _messages():
    return [(lang, text) for lang, intent, text in heldout_examples() + training_examples()
            if intent != "language_switch" and not text.startswith("/")]


def _error(pairs) -> float:
    return sum(1 for expected, got in pairs if expected != got) / len(pairs)


def test_language_layers_measured_and_conversation_nearly_perfect():
    messages = _messages()
    lingua = _error([(lang, lingua_guess(text)[0]) for lang, text in messages])
    decided = [(lang, decide(text)) for lang, text in messages]
    per_message = _error([(lang, d.language) for lang, d in decided])
    clear = [(lang, d.language) for lang, d in decided if d.clear]
    clear_error = _error(clear)
    # Conversation: the channel seeds the language (Telegram language_code / the widget's setting);
    # only clear messages may change it.
    conversation = [(lang, d.language if d.clear else lang) for lang, d in decided]
    conversation_error = _error(conversation)
    # Worst case: the channel seeded the WRONG language; the first clear message must fix it.
    summary = (f"Language errors on {len(messages)} labelled messages:"
          f"\n  lingua alone (nb vs da)          {lingua:.3%}"
          f"\n  decision per message             {per_message:.3%}"
          f"\n  clear decisions ({len(clear)} msgs)     {clear_error:.3%}"
          f"\n  in a conversation (seed + sticky) {conversation_error:.3%}")
    print("\n" + summary)
    write_figures("language.txt", summary)
    assert per_message < lingua, "markers must improve on lingua alone"
    assert clear_error <= 0.01, f"clear decisions wrong {clear_error:.2%} of the time"
    assert conversation_error <= 0.01


def test_short_norwegian_messages_from_the_brief():
    assert decide("barnet vil ikke klemme meg").language == "nb"
    assert decide("han er helt ute av seg etter samvær").language == "nb"
    assert decide("hvad er den lille hånd").language == "da"
    assert decide("hvordan følger vi op på prøvehandlinger").language == "da"


def test_unclear_messages_do_not_change_the_conversation_language():
    for text in ("ok", "🙂", "ja", "12"):
        assert not decide(text).clear


def test_user_can_ask_for_a_language():
    assert requested_language("skriv på dansk") == "da"
    assert requested_language("kan du skrive paa norsk") == "nb"
    assert requested_language("svar på dansk tak") == "da"
    assert requested_language("dansk") == "da"
    assert requested_language("jeg er dansk pædagog") is None
