"""The referat to the leader (issue 13): after the reflection the bot asks «Send referatet til din
leder i <dagtilbud>?» [Send] [Ret først] [Send ikke]; nothing leaves without «Send».

The pedagogue picks their dagtilbud once (buttons; remembered under their pseudonym, trygg.store.leader;
«skift dagtilbud» changes it, «slet mine data» forgets it). Only institutions of the conversation's
language are offered: a Norwegian conversation (no Norwegian institutions in the file) and a user
without institution never mail anything. The mail goes into the outbox in the same transaction
that links the reflection to the institution; the mailer process sends it (trygg.outbox) and the
user is told honestly «sendt» or «sendes, så snart det er muligt» (it retries with back-off).
Texts: content/leader.yml (chat)."""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import DBAPIError

from actions.conversation_language import language_of
from actions.referat import format_referat, hand_name, referat_filename
from actions import user_store
from actions.user_store import in_store, user_key
from trygg import institutions as registry
from trygg import outbox
from trygg.buttons import button
from trygg.leader_texts import say as _say
from trygg.mail import referat_mail
from trygg.settings import get_settings
from trygg.store import leader as store
from trygg.store.models import TrialAction

log = logging.getLogger(__name__)
PENDING = "referat_pending"
CORRECTION = "referat_correction"


def say(language: str, key: str, **values: Any) -> str:
    return _say("chat", language, key, **values)


def _institution_buttons(language: str) -> List[Dict[str, str]]:
    return [button(i.name, "institution_choose", institution=i.id) for i in registry.for_language(language)]


def _offer(dispatcher: CollectingDispatcher, language: str, institution: registry.Institution) -> None:
    dispatcher.utter_message(text=say(language, "offer", institution=institution.name), buttons=[
        button(say(language, "send"), "referat_send"),
        button(say(language, "edit"), "referat_edit"),
        button(say(language, "dont_send"), "referat_dont_send"),
    ])


def _pick(dispatcher: CollectingDispatcher, language: str, key: str, with_dont_send: bool) -> None:
    buttons = _institution_buttons(language)
    if with_dont_send:
        buttons.append(button(say(language, "dont_send"), "referat_dont_send"))
    dispatcher.utter_message(text=say(language, key), buttons=buttons)


async def _chosen(tracker: Tracker, language: str) -> Optional[registry.Institution]:
    """The user's dagtilbud, if it is (still) in the file and of the conversation's language."""
    key = user_key(tracker)
    chosen = registry.find(await in_store(lambda session: store.get_institution(session, key)))
    return chosen if chosen is not None and chosen.language == language else None


class ActionOfferReferatMail(Action):
    """Right after the referat: ask to send it (or first to pick the dagtilbud)."""

    def name(self) -> Text:
        return "action_offer_referat_mail"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        language = language_of(tracker)
        if not registry.for_language(language):
            return []  # no dagtilbud to mail to (e.g. the Norwegian side): the referat stays as it is
        key = user_key(tracker)
        latest = await in_store(lambda session: store.latest_reflection(session, key))
        if latest is None:
            return []
        institution = await _chosen(tracker, language)
        if institution is None:
            _pick(dispatcher, language, "pick", with_dont_send=True)
        else:
            _offer(dispatcher, language, institution)
        return [SlotSet(PENDING, str(latest.id)), SlotSet(CORRECTION, None)]


class ActionChooseInstitution(Action):
    """A dagtilbud button (remember it; then the send question if a referat waits), or «skift
    dagtilbud» typed (the buttons)."""

    def name(self) -> Text:
        return "action_choose_institution"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        language = language_of(tracker)
        if not registry.for_language(language):
            dispatcher.utter_message(text=say(language, "no_institutions"))
            return [SlotSet("institution", None)]
        wanted = registry.find(tracker.get_slot("institution"))
        pending = tracker.get_slot(PENDING)
        if wanted is None or wanted.language != language:
            if tracker.get_slot("institution"):
                dispatcher.utter_message(text=say(language, "unknown_institution"))
            _pick(dispatcher, language, "pick_again", with_dont_send=bool(pending))
            return [SlotSet("institution", None)]
        key = user_key(tracker)
        await in_store(lambda session: store.set_institution(session, key, wanted.id))
        dispatcher.utter_message(text=say(language, "chosen", institution=wanted.name))
        if pending:
            _offer(dispatcher, language, wanted)
        return [SlotSet("institution", None)]


class ActionSendReferat(Action):
    """«Send»: the waiting referat into the outbox (linked to the dagtilbud in the same
    transaction), a moment's wait for the mailer's first attempt, and the honest answer."""

    def name(self) -> Text:
        return "action_send_referat"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        language = language_of(tracker)
        pending = tracker.get_slot(PENDING)
        institution = await _chosen(tracker, language) if pending else None
        if not pending or not str(pending).isdigit():
            dispatcher.utter_message(text=say(language, "nothing_to_send"))
            return []
        if institution is None:
            _pick(dispatcher, language, "pick_again", with_dont_send=True)
            return []
        key, settings = user_key(tracker), get_settings()
        correction = tracker.get_slot(CORRECTION)

        def queue(session) -> Optional[int]:
            reflection = store.get_reflection(session, key, int(pending))
            if reflection is None:
                return None
            action = session.get(TrialAction, reflection.trial_action_id) if reflection.trial_action_id else None
            fields = {"situation": reflection.situation, "adult_perspective": reflection.adult_perspective,
                      "child_perspective": reflection.child_perspective, "hand": reflection.hand,
                      "trial_action": action.action_text if action else None, "created_at": reflection.created_at}
            lang = institution.language
            message = referat_mail(
                settings, institution, referat_text=format_referat(fields, lang),
                filename=referat_filename(reflection.created_at, lang), when=reflection.created_at,
                hand=hand_name(reflection.hand, lang) or "–", action=fields["trial_action"] or "–",
                correction=correction)
            store.mark_sent_to(session, key, reflection.id, institution.id)
            return store.enqueue_mail(session, kind="referat", institution_id=institution.id,
                                      recipient=institution.leader_email, message=message.as_string(), user_key=key)

        try:
            mail_id = await in_store(queue, retry=True)
        except DBAPIError:
            dispatcher.utter_message(text=say(language, "store_failed"))
            return []
        if mail_id is None:
            dispatcher.utter_message(text=say(language, "nothing_to_send"))
            return [SlotSet(PENDING, None), SlotSet(CORRECTION, None)]
        try:  # the mailer sends it (trygg.outbox); wait a moment for its first attempt
            sent = await asyncio.to_thread(outbox.first_attempt, user_store.engine(), mail_id,
                                           settings.mail_confirm_seconds)
        except Exception as error:  # queued all the same
            log.warning("referat mail: no word from the mailer (%s)", type(error).__name__)
            sent = False
        dispatcher.utter_message(text=say(language, "sent" if sent else "queued", institution=institution.name))
        return [SlotSet(PENDING, None), SlotSet(CORRECTION, None)]


class ActionReferatNotSent(Action):
    def name(self) -> Text:
        return "action_referat_not_sent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        language = language_of(tracker)
        key = "not_sent" if tracker.get_slot(PENDING) else "nothing_to_send"
        dispatcher.utter_message(text=say(language, key))
        return [SlotSet(PENDING, None), SlotSet(CORRECTION, None)]


class ActionAskReferatCorrection(Action):
    """«Ret først»: the one question of referat_correction_form."""

    def name(self) -> Text:
        return "action_ask_referat_correction"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(text=say(language_of(tracker), "ask_correction"))
        return []


class ActionReferatCorrected(Action):
    """After the correction: the send question again (the correction goes with the mail)."""

    def name(self) -> Text:
        return "action_referat_corrected"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        language = language_of(tracker)
        if not tracker.get_slot(PENDING):
            dispatcher.utter_message(text=say(language, "nothing_to_send"))
            return [SlotSet(CORRECTION, None)]
        dispatcher.utter_message(text=say(language, "correction_noted"))
        institution = await _chosen(tracker, language)
        if institution is None:
            _pick(dispatcher, language, "pick_again", with_dont_send=True)
        else:
            _offer(dispatcher, language, institution)
        return []


