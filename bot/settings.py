"""The settings live in trygg.settings; this name stays for older imports (tests/test_crisis_e2e.py)."""
from trygg.settings import Settings, get_settings, require_production_settings  # noqa: F401
