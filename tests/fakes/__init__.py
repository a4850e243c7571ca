"""Local stand-ins for external services used by the channel tests (Telegram Bot API, Rasa REST)."""
