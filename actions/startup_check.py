"""The action server's start: in production (TRYGG_ENV=production) it stops here, with a clear
message, when SENDER_HASH_SECRET or DATABASE_URL is missing – instead of failing at the first
user's message. `rasa run actions --actions actions` imports every module of this package at
start, this one too; elsewhere (tests, development) importing it does nothing.
"""
from __future__ import annotations

from trygg.settings import require_production_settings

PRODUCTION_SETTINGS = ("SENDER_HASH_SECRET", "DATABASE_URL")

require_production_settings(PRODUCTION_SETTINGS)
