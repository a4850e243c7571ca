"""action_show_theme: the topics of one help-menu theme as buttons (themes and titles: content/topics.yml;
the heading: content/menus.yml)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.catalogue import themes, title
from actions.conversation_language import language_of
from trygg.buttons import button
from trygg.content import load
from trygg.text import fold

HEADING = load("menus.yml")["theme_heading"]  # {nb, da}


def theme_from_text(value: str) -> str | None:
    """Map a theme entity or free text ('kram', 'samvær', 'refleksion') to a theme id."""
    folded = fold(value or "")
    aliases = {"kram": "klem", "klemme": "klem", "samvaer": "samvaer", "refleksion": "refleksjon",
               "provehandling": "provehandlinger", "tilknytning": "tilknytning", "omsorgsgrebet": "omsorgsgrebet",
               "omsorgsgrepet": "omsorgsgrebet"}
    for theme_id in themes():
        if theme_id in folded:
            return theme_id
    for alias, theme_id in aliases.items():
        if alias in folded:
            return theme_id
    return None


class ActionShowTheme(Action):
    def name(self) -> Text:
        return "action_show_theme"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        language = language_of(tracker)
        theme_id = (theme_from_text(tracker.get_slot("theme") or "")
                    or theme_from_text(tracker.latest_message.get("text") or ""))
        if theme_id is None:
            dispatcher.utter_message(response="utter_help")
            return []
        buttons = [button(title(t, language), t) for t in themes()[theme_id]["topics"]]
        dispatcher.utter_message(text=f"{themes()[theme_id][language]} – {HEADING[language]}", buttons=buttons)
        return []
