"""Custom dialogue policies (Rasa graph components)."""
