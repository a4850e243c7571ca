"""Answering in the user's language: measured on every labelled message of the project.

Prints how often each layer picks the wrong language, on the held-out split and the training
data (all written by language, so the label is known):
- lingua alone (Bokmål + Nynorsk vs Danish), per message;
- the decision (explicit request → marker words → confident lingua), per message;
- a conversation: the channel seeds the language, clear messages set it, unclear ones keep it;
- both ways (issue 12 point 6): every held-out message in a conversation seeded with the OTHER
  language, through the trained pipeline – is the reply in the message's language? On all held-out
  messages and on those a native reader can place (tests/nlu/either_language.yml lists the others).
"""
from __future__ import annotations

import yaml

from bot.nlu.language_decision import decide, lingua_guess, requested_language
from tests.nlu_data import REPO_ROOT, heldout_examples, training_examples, write_figures


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
          f"\n  lingua alone (nb+nn vs da)       {lingua:.3%}"
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
    assert requested_language("på norsk takk") == "nb"
    # «på dansk» inside a story is no request: the Norwegian story keeps its own language
    story = "vi så en film på dansk i går og etterpå ville hun ikke klemme meg, hva gjør jeg"
    assert requested_language(story) is None
    assert decide(story).language == "nb"


# ---- The message's language wins when it is clear (issue 12, point 6) -------------------------
# Every held-out message (tests/nlu, never trained on) in a conversation the channel seeded with the
# OTHER language: an nb message on the Danish page, a da message on Norwegian Telegram. The reply is
# in the message's language when the message sets the `language` slot (a clear decision), else in the
# seeded one. Measured through the real path: the trained pipeline's `language` entity → the slot.
# Two figures: all held-out messages, and the ones a native reader can place without context – all
# but those listed in tests/nlu/either_language.yml (valid text in both languages, judged blind: for
# them keeping the conversation's language is the specified behaviour). The gate is on the clear ones.
CROSS_GATE = 0.97  # clear messages; 2026-12-08: nb 0.980, da 0.993 (before: 0.959 / 0.977); see docs/measurements.md
CROSS_FLOOR_ALL = 0.92  # all held-out messages; 2026-12-08: nb 0.929, da 0.949 (before: 0.910 / 0.933)
EITHER_LANGUAGE = REPO_ROOT / "tests" / "nlu" / "either_language.yml"


def _either_language() -> set:
    listed = yaml.safe_load(EITHER_LANGUAGE.read_text(encoding="utf-8"))
    return {(lang, entry["text"]) for lang in ("nb", "da") for entry in listed[lang]}


def _cross_seeded(language_entity) -> dict:
    rows = [(lang, text) for lang, intent, text in heldout_examples()
            if intent != "language_switch" and not text.startswith("/")]
    either = _either_language()
    # per language: right reply, messages, wrong language set, right reply on clear, clear messages
    out = {lang: [0, 0, 0, 0, 0] for lang in ("nb", "da")}
    for lang, text in rows:
        seeded = "da" if lang == "nb" else "nb"
        clear = language_entity(text)
        right = (clear or seeded) == lang
        out[lang][0] += right
        out[lang][1] += 1
        out[lang][2] += clear is not None and clear != lang
        if (lang, text) not in either:
            out[lang][3] += right
            out[lang][4] += 1
    return out


def _entity_from(parse: dict):
    values = [e["value"] for e in parse.get("entities") or [] if e.get("entity") == "language"]
    return values[-1] if values else None


def test_either_language_list_names_held_out_messages():
    heldout = {(lang, text) for lang, intent, text in heldout_examples()}
    missing = sorted(_either_language() - heldout)
    assert not missing, f"not in tests/nlu: {missing}"


def test_clear_message_language_wins_over_the_seeded_one(nlu_agent):
    out = _cross_seeded(lambda text: _entity_from(nlu_agent(text)))
    lines = []
    for lang, (hit, n, wrong, clear_hit, clear_n) in out.items():
        seeded = "da" if lang == "nb" else "nb"
        lines.append(f"  {lang} message, conversation seeded {seeded}: reply in {lang} {hit / n:.3f} ({hit}/{n}), "
                     f"clear to a native reader {clear_hit / clear_n:.3f} ({clear_hit}/{clear_n}); "
                     f"wrong language set by {wrong}")
    summary = "Language both ways (held-out messages, seeded with the other language):\n" + "\n".join(lines)
    print("\n" + summary)
    with open(REPO_ROOT / "results" / "language.txt", "a", encoding="utf-8") as figures:
        figures.write(summary + "\n")
    for lang, (hit, n, wrong, clear_hit, clear_n) in out.items():
        assert wrong == 0, f"{wrong} {lang} messages set the wrong language"
        assert clear_hit / clear_n >= CROSS_GATE, summary
        assert hit / n >= CROSS_FLOOR_ALL, summary


def test_clear_norwegian_and_danish_messages_set_their_language():
    for text in ("hvordan lærer barn å regulere følelsene sine", "korleis kan eg hjelpe guten når han er lei seg",
                 "hvordan får vi en god avtale om samvær", "er det vanlig at fosterbarn trekker seg unna"):
        decision = decide(text)
        assert decision.clear and decision.language == "nb", (text, decision)
    for text in ("hvordan lærer børn at regulere deres følelser", "hvordan laver vi en god aftale med forældrene",
                 "er det almindeligt at plejebørn trækker sig", "hvad gør vi når en dreng græder ved afleveringen"):
        decision = decide(text)
        assert decision.clear and decision.language == "da", (text, decision)


def test_short_and_english_messages_stay_unclear():
    for text in ("ok", "takk", "tak", "🙂", "hei", "hej", "ja", "hva", "circle of security",
                 "my foster son just told me his dad hit him, what do i say"):
        assert not decide(text).clear, text


def _sets(text: str, language: str) -> bool:
    decision = decide(text)
    return decision.clear and decision.language == language


def test_words_and_grammar_of_only_one_language_decide():
    # «nå» inside a message is Norwegian; Danish «nå» is the interjection or the verb (reach)
    assert _sets("ringer du meg tilbake nå", "nb")
    assert _sets("nå, men hvorfor græder han", "da")
    assert not _sets("vi kan ikke nå det hele", "nb")
    # Danish «at» + infinitive, Norwegian «å»
    assert _sets("er det godt at beskytte ham hele tiden", "da")
    # bokmål's double definite («den nye ordningen») against Danish «den nye ordning»; «den voksne»
    # (the adult) + an object is Danish too
    assert _sets("er den nye ordningen god", "nb")
    assert not _sets("hvordan løser den voksne konflikten", "nb")
    # spellings that fold into a word of the other language («kør» → nynorsk «kor»)
    assert _sets("ja, kør på med det", "da")
    assert _sets("barnet har det hårdt", "da")
    # the bot's own name is no Norwegian
    assert _sets("hvad kan trygg havn hjælpe med", "da")
