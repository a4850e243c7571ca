"""Play a user's message again after an action of ours, so the rules answer it as usual.

Used where the bot put a question in front of the answer – the follow-up «how did it go?» and
the safety question «is anyone in danger now?» – so that nothing the user wrote is lost.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk.events import ActionExecuted, UserUttered


def replay_message(parse_data: Dict[Text, Any], input_channel: Optional[Text]) -> List[Dict[Text, Any]]:
    """Events that make `parse_data` (text, intent, entities, ranking) the user's latest message."""
    return [ActionExecuted("action_listen"),
            UserUttered(parse_data.get("text"), parse_data=parse_data, input_channel=input_channel)]
