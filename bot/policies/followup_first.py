"""FollowupFirstPolicy: "how did it go?" comes before anything else when a user returns.

When a user comes back after the follow-up delay, `action_session_start` (action server) looks
in the store and, if a prøvehandling is due, puts its number (the user's own nr., not the
database id) in the slot `followup_due`. On the user's first message of that session this
policy predicts `action_ask_followup` before the rules answer. That action asks the question
(once: the store marks it asked), clears the slot and re-plays the user's message, so the answer
to what the user wrote follows right after – nothing the user wrote is lost.

Never before a crisis answer (the crisis answer stands alone), nor when the user is deleting
data, evaluating, stopping, or inside a form. No training: it reads only the tracker.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.core.constants import POLICY_PRIORITY
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

import bot.action_response_validation  # noqa: F401  (compiled once: see that module)
import bot.rule_lookup  # noqa: F401  (the rule lookup stops early: see that module)

ASK_ACTION = "action_ask_followup"
DUE_SLOT = "followup_due"
# Intents that must be answered directly, with nothing in front of them.
NOT_BEFORE = frozenset({
    "crisis", "crisis_possible", "crisis_confirmed", "crisis_ruled_out", "delete_my_data",
    "trial_action_evaluate", "trial_action_tried", "trial_action_delete", "stop",
    "followup",
    "affirm", "deny", "input_unreadable",
})
# Above RulePolicy (4): both predict with confidence 1.0, and the higher priority wins.
FOLLOWUP_FIRST_PRIORITY = 5


def should_ask_followup(
    followup_due: Optional[str], right_after_user_message: bool, intent: Optional[str], in_form: bool
) -> bool:
    """Ask the follow-up now? Only right after the user's message, never before those intents."""
    return bool(followup_due) and right_after_user_message and not in_form and intent not in NOT_BEFORE


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class FollowupFirstPolicy(Policy):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {POLICY_PRIORITY: FOLLOWUP_FIRST_PRIORITY}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 execution_context: ExecutionContext, featurizer: Any = None) -> None:
        super().__init__(config, model_storage, resource, execution_context, featurizer=featurizer)

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource  # nothing to learn

    def predict_action_probabilities(self, tracker: DialogueStateTracker, domain: Domain,
                                     rule_only_data: Optional[Dict[Text, Any]] = None,
                                     **kwargs: Any) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        intent = (tracker.latest_message.intent or {}).get("name") if tracker.latest_message else None
        if (ASK_ACTION in domain.action_names_or_texts and DUE_SLOT in domain.as_dict().get("slots", {})
                and should_ask_followup(tracker.get_slot(DUE_SLOT), tracker.latest_action_name == ACTION_LISTEN_NAME,
                                        intent, bool(tracker.active_loop_name))):
            probabilities[domain.index_for_action(ASK_ACTION)] = 1.0
        return self._prediction(probabilities)
