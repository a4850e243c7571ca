"""Text folding lives in trygg.text; this name stays for bot.nlu.typed_text."""
from trygg.text import fold  # noqa: F401
