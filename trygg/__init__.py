"""What the channels (`bot/`) and the action server (`actions/`) both need, depending on neither:
settings, the key derivation and pseudonyms, redaction, text folding, button payloads and the
store. The one allowed direction: `bot` → `trygg` and `actions` → `trygg`; `bot` and `actions`
never import each other, and `trygg` imports neither (tests/test_package_boundaries.py)."""
