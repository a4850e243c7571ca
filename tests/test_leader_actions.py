"""The custom actions of the referat to the leader (actions/leader_mail.py), run as the action
server runs them, on a fresh store and a real SMTP server: the Norwegian side and a user without
dagtilbud mail nothing, the dagtilbud is picked once and remembered, nothing leaves without «Send»,
the answer is «sendt» only when the mailer really sent it, and «slet mine data» forgets it all."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from actions import user_store
from actions.leader_mail import (ActionAskReferatCorrection, ActionChooseInstitution, ActionOfferReferatMail,
                                 ActionReferatCorrected, ActionReferatNotSent, ActionSendReferat)
from actions.privacy import ActionDeleteMyData
from trygg import outbox
from trygg.settings import get_settings
from trygg.store import leader as store
from trygg.store import queries
from trygg.store.db import MigratedEngine, session_scope
from trygg.store.models import OutboxMail, Reflection

from tests.action_harness import run_action, slots_set, tracker, user_event

SOLSIKKEN = "leder.solsikken@example.dk"


@pytest.fixture
def store_key(tmp_path, monkeypatch, smtp):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SENDER_HASH_SECRET", "test-secret")
    monkeypatch.setenv("TRYGG_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("MAIL_CONFIRM_SECONDS", "0.5")
    for name, value in smtp.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(user_store, "engine", MigratedEngine(url))
    yield user_store.user_key(tracker([]))
    user_store.engine.dispose()


def _reflect(key: str, action_text: str = "Tage Emil på skødet") -> int:
    with session_scope(user_store.engine()) as s:
        action = queries.save_trial_action(s, key, hand="big", action_text=action_text, followup_delay_days=2)
        return queries.save_reflection(s, key, situation="Emil græder", adult_perspective="Travlt",
                                       child_perspective="Bange", hand="big", trial_action_id=action.id).id


def _texts(messages):
    return "\n".join(m.get("text") or "" for m in messages)


def _buttons(messages):
    return [(b["title"], b["payload"]) for m in messages for b in m.get("buttons") or []]


def _outbox():
    with session_scope(user_store.engine()) as s:
        return s.execute(select(OutboxMail)).scalars().all()


def test_the_norwegian_side_and_a_conversation_without_a_referat_offer_nothing(store_key):
    _reflect(store_key)
    messages, events = run_action(ActionOfferReferatMail(), [], {"language": "nb"})
    assert messages == [] and events == []
    messages, events = run_action(ActionSendReferat(), [], {"language": "nb", "referat_pending": "1"})
    assert "Velg barnehagen din" in _texts(messages) and _buttons(messages) == [("Ikke send", "/referat_dont_send")]
    assert _outbox() == []


def test_no_reflection_no_offer(store_key):
    messages, events = run_action(ActionOfferReferatMail(), [], {"language": "da"})
    assert messages == [] and events == []


def test_the_dagtilbud_is_picked_once_then_the_send_question(store_key):
    reflection_id = _reflect(store_key)
    messages, events = run_action(ActionOfferReferatMail(), [], {"language": "da"})
    assert "Vælg først dit dagtilbud" in _texts(messages)
    assert _buttons(messages) == [
        ("Børnehuset Solsikken", '/institution_choose{"institution":"solsikken"}'),
        ("Vuggestuen Mælkebøtten", '/institution_choose{"institution":"maelkebotten"}'),
        ("Send ikke", "/referat_dont_send")]
    assert slots_set(events)["referat_pending"] == str(reflection_id)

    messages, _ = run_action(ActionChooseInstitution(), [], {"language": "da", "institution": "solsikken",
                                                             "referat_pending": str(reflection_id)})
    assert "Dit dagtilbud er nu Børnehuset Solsikken." in _texts(messages)
    assert "Send referatet til din leder i Børnehuset Solsikken?" in _texts(messages)
    assert [p for _, p in _buttons(messages)] == ["/referat_send", "/referat_edit", "/referat_dont_send"]
    assert _outbox() == [], "nothing leaves without «Send»"

    # remembered: the next referat goes straight to the question
    messages, _ = run_action(ActionOfferReferatMail(), [], {"language": "da"})
    assert _texts(messages) == "Send referatet til din leder i Børnehuset Solsikken?"


def test_change_the_dagtilbud_and_an_unknown_one(store_key):
    messages, _ = run_action(ActionChooseInstitution(), [user_event("skift dagtilbud", "institution_choose")],
                             {"language": "da"})
    assert _texts(messages) == "Vælg dit dagtilbud:" and len(_buttons(messages)) == 2
    messages, _ = run_action(ActionChooseInstitution(), [], {"language": "da", "institution": "findes-ikke"})
    assert "Det dagtilbud kender jeg ikke." in _texts(messages) and len(_buttons(messages)) == 2
    run_action(ActionChooseInstitution(), [], {"language": "da", "institution": "maelkebotten"})
    with session_scope(user_store.engine()) as s:
        assert store.get_institution(s, store_key) == "maelkebotten"
    messages, _ = run_action(ActionChooseInstitution(), [], {"language": "nb", "institution": "solsikken"})
    assert "ingen barnehager" in _texts(messages)


def test_send_without_a_mailer_is_honestly_queued_and_linked_to_the_dagtilbud(store_key, smtp):
    reflection_id = _reflect(store_key)
    run_action(ActionChooseInstitution(), [], {"language": "da", "institution": "solsikken"})
    messages, events = run_action(ActionSendReferat(), [], {"language": "da", "referat_pending": str(reflection_id)})
    assert "sendes til din leder i Børnehuset Solsikken, så snart det er muligt" in _texts(messages)
    assert slots_set(events) == {"referat_pending": None, "referat_correction": None}
    [mail] = _outbox()
    assert (mail.status, mail.recipient, mail.kind) == ("queued", SOLSIKKEN, "referat")
    with session_scope(user_store.engine()) as s:
        assert s.get(Reflection, reflection_id).institution_id == "solsikken"
        assert [a.action_text for a in store.institution_trial_actions(s, "solsikken")] == ["Tage Emil på skødet"]
    assert smtp.received == []
    assert outbox.deliver_due(user_store.engine(), get_settings()) == 1
    assert len(smtp.wait_for(SOLSIKKEN)) == 1


def test_send_with_the_mailer_running_is_sent_with_the_correction(store_key, smtp):
    reflection_id = _reflect(store_key)
    run_action(ActionChooseInstitution(), [], {"language": "da", "institution": "solsikken"})
    slots = {"language": "da", "referat_pending": str(reflection_id)}
    messages, _ = run_action(ActionAskReferatCorrection(), [], slots)
    assert "Skriv din rettelse" in _texts(messages)
    slots["referat_correction"] = "Mor hedder Eva, ring 22334455"
    messages, _ = run_action(ActionReferatCorrected(), [], slots)
    assert "Tak – rettelsen kommer med." in _texts(messages) and ("Send", "/referat_send") in _buttons(messages)

    stop = threading.Event()

    def mailer():  # what `python -m trygg.outbox` does, every 0.1 s
        while not stop.is_set():
            outbox.deliver_due(user_store.engine(), get_settings())
            stop.wait(0.1)

    thread = threading.Thread(target=mailer)
    thread.start()
    try:
        messages, _ = run_action(ActionSendReferat(), [], slots)
    finally:
        stop.set()
        thread.join()
    assert _texts(messages) == "Referatet er sendt til din leder i Børnehuset Solsikken."
    [mail] = smtp.wait_for(SOLSIKKEN)
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Rettelse: Mor hedder Eva, ring [telefon]" in body and "22334455" not in mail.as_string()


def test_dont_send_sends_nothing_and_send_afterwards_has_nothing_to_send(store_key):
    reflection_id = _reflect(store_key)
    messages, events = run_action(ActionReferatNotSent(), [], {"language": "da", "referat_pending": str(reflection_id)})
    assert "referatet sendes ikke" in _texts(messages) and slots_set(events)["referat_pending"] is None
    messages, _ = run_action(ActionSendReferat(), [], {"language": "da"})
    assert "Der er ikke noget referat, der venter" in _texts(messages)
    assert _outbox() == []
    # a forged pending id (another user's reflection) sends nothing either
    other = _reflect("f" * 64)
    run_action(ActionChooseInstitution(), [], {"language": "da", "institution": "solsikken"})
    messages, _ = run_action(ActionSendReferat(), [], {"language": "da", "referat_pending": str(other)})
    assert "Der er ikke noget referat" in _texts(messages) and _outbox() == []


def test_delete_my_data_forgets_the_dagtilbud(store_key):
    run_action(ActionChooseInstitution(), [], {"language": "da", "institution": "solsikken"})
    run_action(ActionDeleteMyData(), [], {"language": "da"})
    _reflect(store_key)
    messages, _ = run_action(ActionOfferReferatMail(), [], {"language": "da"})
    assert "Vælg først dit dagtilbud" in _texts(messages)

