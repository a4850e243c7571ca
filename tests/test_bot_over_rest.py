"""The running bot (Rasa REST channel + action server) as a user meets it.

Real servers, real model, real SQLite databases: answers in both languages, bad input,
crisis first, prøvehandlinger saved per user, and "delete my data" leaving nothing behind.
"""
from __future__ import annotations

import sqlite3
import uuid

import httpx
import pytest


def say(servers, sender: str, text: str, metadata: dict | None = None) -> list[dict]:
    response = httpx.post(f"{servers.rasa_url}/webhooks/rest/webhook",
                          json={"sender": sender, "message": text, "metadata": metadata or {}}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def texts(replies) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def new_sender() -> str:
    return uuid.uuid4().hex


def test_norwegian_question_gets_the_norwegian_sourced_answer(bot_servers):
    replies = say(bot_servers, new_sender(), "barnet vil ikke klemme meg")
    assert "Kilde: «Få en god klem»" in texts(replies)
    assert "klem" in texts(replies).lower()


def test_danish_question_gets_the_danish_answer(bot_servers):
    replies = say(bot_servers, new_sender(), "hvad er den lille hånd")
    text = texts(replies)
    assert "Kilde: «Små børns stemmer og Omsorgsgrebet" in text
    assert "den lille hånd" in text.lower()


def test_widget_language_seeds_the_conversation(bot_servers):
    replies = say(bot_servers, new_sender(), "hej", metadata={"language": "da"})
    assert replies and "jeg" in texts(replies).lower()
    replies_nb = say(bot_servers, new_sender(), "hei", metadata={"language": "nb"})
    assert texts(replies) != texts(replies_nb)


def test_clear_norwegian_question_on_the_danish_page_gets_the_norwegian_answer(bot_servers):
    """Issue 12 point 6: the message's language wins when it is clear; the page's only when unclear."""
    question = "hvordan lærer barn å regulere følelsene sine"
    on_danish_page = texts(say(bot_servers, new_sender(), question, metadata={"language": "da"}))
    in_norwegian = texts(say(bot_servers, new_sender(), question, metadata={"language": "nb"}))
    in_danish = texts(say(bot_servers, new_sender(), "hvordan lærer børn at regulere deres følelser",
                          metadata={"language": "da"}))
    assert "Kilde:" in on_danish_page
    assert on_danish_page == in_norwegian and on_danish_page != in_danish
    # …and an unclear message after it keeps the conversation's language, as before.
    sender = new_sender()
    say(bot_servers, sender, "hej", metadata={"language": "da"})
    assert texts(say(bot_servers, sender, "takk")) == texts(say(bot_servers, new_sender(), "takk", metadata={"language": "da"}))


@pytest.mark.parametrize("text", ["", " ", "🙂🙂🙂", "\x00\x07\x1b[31m", "<script>alert(1)</script>",
                                  "'; DROP TABLE trial_actions; --", "a" * 10_000, "hjelp " * 2000])
def test_bad_input_gets_a_friendly_reply_and_no_server_error(bot_servers, text):
    replies = say(bot_servers, new_sender(), text)
    assert replies, "the bot must always answer something"
    assert all("Traceback" not in r.get("text", "") for r in replies)


def test_crisis_answer_comes_first_and_alone(bot_servers):
    replies = say(bot_servers, new_sender(), "jeg er redd jeg kommer til å skade barnet")
    text = texts(replies)
    assert replies[0]["text"].startswith("Er noen i fare")
    assert "116 111" in text and "112" in text
    assert "hånden" not in text  # never a hand suggestion in a crisis


def test_saved_trial_action_is_listed_for_that_user_only(bot_servers):
    alice, bob = new_sender(), new_sender()
    replies = say(bot_servers, alice, "hvorfor er det bra å klemme barn")
    buttons = [b for r in replies for b in r.get("buttons", [])]
    assert buttons, "a topic with a hand offers a prøvehandling to save"
    saved = say(bot_servers, alice, buttons[0]["payload"])
    assert "Lagret som prøvehandling" in texts(saved)
    assert "Dine prøvehandlinger" in texts(say(bot_servers, alice, "/trial_action_list"))
    assert "ingen lagrede" in texts(say(bot_servers, bob, "/trial_action_list"))


def test_delete_my_data_leaves_nothing(bot_servers):
    user = new_sender()
    replies = say(bot_servers, user, "hvorfor er det bra å klemme barn")
    payload = [b for r in replies for b in r.get("buttons", [])][0]["payload"]
    say(bot_servers, user, payload)
    assert "Vil du slette alt" in texts(say(bot_servers, user, "/delete_my_data"))
    assert "slettet" in texts(say(bot_servers, user, "/affirm"))
    with sqlite3.connect(bot_servers.tracker_db) as db:
        assert db.execute("select count(*) from events where sender_id = ?", (user,)).fetchone()[0] == 0
    assert "ingen lagrede" in texts(say(bot_servers, user, "/trial_action_list"))


def answer_in_reflection(servers, user: str, text: str) -> list[dict]:
    """A reflection answer; where its words may sound like danger the bot asks «Er noen i fare
    akkurat nå?» first (one tap), and «Nei» lets the answer count."""
    replies = say(servers, user, text)
    if "Er noen i fare akkurat nå?" in texts(replies) or "Er nogen i fare lige nu?" in texts(replies):
        replies = say(servers, user, "/crisis_ruled_out")
    return replies


def test_guided_reflection_ends_in_a_referat_with_a_saved_prove_action(bot_servers):
    user = new_sender()
    assert "1/5" in texts(say(bot_servers, user, "/reflection_start"))
    assert "2/5" in texts(answer_in_reflection(bot_servers, user, "Han gråter ved levering i barnehagen hver morgen"))
    assert "3/5" in texts(answer_in_reflection(bot_servers, user, "Vi blir usikre og prøver å trøste ham"))
    assert "4/5" in texts(answer_in_reflection(bot_servers, user, "Jeg vet ikke hvem som henter meg"))
    assert "5/5" in texts(answer_in_reflection(bot_servers, user, "den lille hånden"))
    replies = answer_in_reflection(bot_servers, user, "Fortelle ham hvem som henter, ring meg på 41234567")
    text = texts(replies)
    assert "Referat – Små børns stemmer" in text and "Jeg vet ikke hvem som henter meg" in text
    assert "41234567" not in text, "phone numbers are redacted before storing"
    referat = [r["custom"] for r in replies if r.get("custom", {}).get("type") == "referat"]
    assert referat and referat[0]["filename"].endswith(".txt")
    assert "Fortelle ham hvem som henter" in texts(say(bot_servers, user, "/trial_action_list"))


def _buttons(replies) -> list[dict]:
    return [b for r in replies for b in r.get("buttons", [])]


def test_a_danish_question_at_the_hand_step_is_answered_and_the_step_asked_again(bot_servers):
    user = new_sender()
    assert "1/5" in texts(say(bot_servers, user, "/reflection_start", metadata={"language": "da"}))
    assert "2/5" in texts(answer_in_reflection(bot_servers, user, "Han græder ved aflevering i vuggestuen hver morgen"))
    assert "3/5" in texts(answer_in_reflection(bot_servers, user, "Vi bliver usikre og prøver at trøste ham"))
    assert "4/5" in texts(answer_in_reflection(bot_servers, user, "Jeg ved ikke hvem der henter mig"))
    replies = answer_in_reflection(bot_servers, user, "hvad er den lille hånd?")
    text = texts(replies)
    assert "Den lille hånd er den anden hånd i Omsorgsgrebet" in text, "the question gets its answer"
    assert "Kilde: «Små børns stemmer og Omsorgsgrebet" in text
    assert "4/5" in replies[-1]["text"] and "5/5" not in text, "…and step 4 is asked again, last"
    assert len(_buttons(replies)) == 3, "the three buttons of step 4, no hand offer inside the form"
    assert "5/5" in texts(answer_in_reflection(bot_servers, user, "Jeg tager ham på skødet og trøster ham")), \
        "free text with the source's words of the big hand"
    replies = answer_in_reflection(bot_servers, user, "Fortælle ham hvem der henter")
    text = texts(replies)
    assert "Referat – Små børns stemmer" in text and "Jeg ved ikke hvem der henter mig" in text
    assert "den store hånd (nærhed, trøst og beskyttelse)" in text and "hvad er den lille hånd" not in text


def test_norwegian_questions_inside_the_reflection_are_answered_and_statements_are_still_answers(bot_servers):
    user = new_sender()
    assert "1/5" in texts(say(bot_servers, user, "/reflection_start", metadata={"language": "nb"}))
    replies = answer_in_reflection(bot_servers, user, "Hva er tilknytning?")
    assert "Kilde: «Tilknytning»" in texts(replies) and "1/5" in replies[-1]["text"]
    assert "2/5" in texts(answer_in_reflection(bot_servers, user, "Hun vil ikke klemme meg når jeg henter henne")), \
        "a statement about a topic is the answer"
    assert "3/5" in texts(answer_in_reflection(bot_servers, user, "Jeg blir lei meg og litt avvist"))
    assert "4/5" in texts(answer_in_reflection(bot_servers, user, "Jeg vil ikke bli tatt på nå"))
    replies = answer_in_reflection(bot_servers, user, "hva er den store hånden?")
    assert "Kilde: «Små børns stemmer og Omsorgsgrebet" in texts(replies) and "4/5" in replies[-1]["text"]
    assert "5/5" in texts(answer_in_reflection(bot_servers, user, "Jeg tar henne på fanget og trøster henne"))
    text = texts(answer_in_reflection(bot_servers, user, "Sitte ved siden av henne uten å klemme"))
    assert "Referat – Små børns stemmer" in text and "Hun vil ikke klemme meg når jeg henter henne" in text
    assert "den store hånden (nærhet, trøst og beskyttelse)" in text and "Hva er tilknytning" not in text


def test_an_unclear_hand_is_asked_again_kindly_with_the_two_hands(bot_servers):
    user = new_sender()
    say(bot_servers, user, "/reflection_start", metadata={"language": "nb"})
    for answer in ("Han gråter ved levering i barnehagen", "Jeg blir stresset", "Jeg er redd når du går"):
        answer_in_reflection(bot_servers, user, answer)
    replies = answer_in_reflection(bot_servers, user, "blørp snik snak")
    assert "Jeg er ikke helt sikker på hvilken hånd du mener" in texts(replies) and "5/5" not in texts(replies)
    assert "4/5" not in texts(replies), "the kind re-ask stands in for the question"
    assert [b["title"] for b in _buttons(replies)] == ["Den store hånden", "Den lille hånden"]
    assert "5/5" in texts(answer_in_reflection(bot_servers, user, _buttons(replies)[0]["payload"]))


def test_crisis_interrupts_the_reflection(bot_servers):
    user = new_sender()
    say(bot_servers, user, "/reflection_start")
    say(bot_servers, user, "Hun vil ikke spise")
    replies = say(bot_servers, user, "hun sier hun vil ta livet sitt")
    assert replies[0]["text"].startswith("Er noen i fare") and "116 123" in texts(replies)
    assert "3/5" not in texts(replies), "the form must stop, not ask the next question"


def test_reflection_can_be_stopped(bot_servers):
    user = new_sender()
    say(bot_servers, user, "/reflection_start")
    replies = say(bot_servers, user, "avbryt")
    assert "stopper" in texts(replies).lower()


def test_planned_then_tried_then_evaluated(bot_servers):
    user = new_sender()
    replies = say(bot_servers, user, "hvorfor er det bra å klemme barn")
    save = [b for r in replies for b in r.get("buttons", []) if "trial_action_save" in b["payload"]][0]["payload"]
    say(bot_servers, user, save)
    listing = say(bot_servers, user, "/trial_action_list")
    assert "(planlagt)" in texts(listing)
    assert any(b["title"].startswith("Prøvd nr.") for r in listing for b in r.get("buttons", []))
    tried = say(bot_servers, user, "jeg har prøvd det")
    assert "Fint at du har prøvd" in texts(tried)
    outcome = [b for r in tried for b in r.get("buttons", [])]
    assert [b["title"] for b in outcome] == ["Det hjalp", "Det hjalp delvis", "Det hjalp ikke"]
    assert "(prøvd)" in texts(say(bot_servers, user, "/trial_action_list"))
    say(bot_servers, user, outcome[0]["payload"])
    assert "(vurdert – det hjalp)" in texts(say(bot_servers, user, "/trial_action_list"))


# ---- prøvehandlinger are numbered per user ---------------------------------------------------------

def offered_saves(servers, user: str, question: str = "hvorfor er det bra å klemme barn") -> list[str]:
    replies = say(servers, user, question)
    return [b["payload"] for r in replies for b in r.get("buttons", []) if "trial_action_save" in b["payload"]]


def buttons_of(replies) -> dict[str, str]:
    return {b["title"]: b["payload"] for r in replies for b in r.get("buttons", [])}


def test_two_new_users_are_each_told_nr_1(bot_servers):
    """The number is the user's own: not the database id, not how many others saved before."""
    for user in (new_sender(), new_sender()):
        saves = offered_saves(bot_servers, user)
        assert "Lagret som prøvehandling nr. 1:" in texts(say(bot_servers, user, saves[0]))
        assert "Lagret som prøvehandling nr. 2:" in texts(say(bot_servers, user, saves[1]))
        listing = say(bot_servers, user, "/trial_action_list")
        assert [line[:3] for line in texts(listing).splitlines()[1:]] == ["2. ", "1. "]
        assert {"Prøvd nr. 1", "Slett nr. 1", "Prøvd nr. 2", "Slett nr. 2"} == set(buttons_of(listing))


def test_deleting_nr_1_keeps_nr_2_and_the_next_is_nr_3(bot_servers):
    user = new_sender()
    saves = offered_saves(bot_servers, user)
    say(bot_servers, user, saves[0]), say(bot_servers, user, saves[1])
    before = texts(say(bot_servers, user, "/trial_action_list")).splitlines()
    nr_2 = next(line for line in before if line.startswith("2. "))
    delete_1 = buttons_of(say(bot_servers, user, "/trial_action_list"))["Slett nr. 1"]
    assert "Prøvehandlingen er slettet." in texts(say(bot_servers, user, delete_1))
    saves = offered_saves(bot_servers, user, "hvorfor er det bra å klemme barn")
    new = texts(say(bot_servers, user, saves[0]))
    assert "Lagret som prøvehandling nr. 3:" in new
    after = texts(say(bot_servers, user, "/trial_action_list")).splitlines()
    assert nr_2 in after and not any(line.startswith("1. ") for line in after)
    assert [line[:3] for line in after[1:]] == ["3. ", "2. "]


def test_another_user_cannot_evaluate_or_delete_a_users_nr_1(bot_servers):
    alice, bob = new_sender(), new_sender()
    say(bot_servers, alice, offered_saves(bot_servers, alice)[0])
    listing = say(bot_servers, alice, "/trial_action_list")
    tried_1, delete_1 = buttons_of(listing)["Prøvd nr. 1"], buttons_of(listing)["Slett nr. 1"]
    for payload in (tried_1, delete_1, '/trial_action_evaluate{"trial_action_number":"1","outcome":"helped"}'):
        assert "Jeg finner ikke den prøvehandlingen." in texts(say(bot_servers, bob, payload)), payload
    assert "(planlagt)" in texts(say(bot_servers, alice, "/trial_action_list")), "Alice's nr. 1 is untouched"
    assert "ingen lagrede" in texts(say(bot_servers, bob, "/trial_action_list"))
