"""The Trygg havn store: trial actions and reflections under a pseudonymous user key.

models.py – the tables; queries.py – the only way to read or change them (always per user_key);
db.py – engine, sessions, migrations; purge.py – the retention command.
"""
from trygg.store.db import downgrade, make_engine, session_scope, upgrade
from trygg.store.models import Reflection, TelegramChat, TrialAction, TrialActionNumber
from trygg.store.queries import (
    delete_trial_action,
    delete_user_data,
    due_followups,
    evaluate,
    has_waiting_followup,
    get_trial_action,
    get_trial_action_by_number,
    list_reflections,
    list_trial_actions,
    mark_followup_asked,
    mark_tried,
    purge_older_than,
    save_reflection,
    save_trial_action,
    sync_telegram_chat,
    telegram_followup_targets,
)

__all__ = [
    "Reflection",
    "TelegramChat",
    "TrialAction",
    "TrialActionNumber",
    "delete_trial_action",
    "delete_user_data",
    "downgrade",
    "due_followups",
    "evaluate",
    "has_waiting_followup",
    "get_trial_action",
    "get_trial_action_by_number",
    "list_reflections",
    "list_trial_actions",
    "make_engine",
    "mark_followup_asked",
    "mark_tried",
    "purge_older_than",
    "save_reflection",
    "save_trial_action",
    "session_scope",
    "sync_telegram_chat",
    "telegram_followup_targets",
    "upgrade",
]
