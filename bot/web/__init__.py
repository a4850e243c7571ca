"""The public web entry of Trygg havn: demo pages, the chat widget and its small JSON API.

    from bot.web import create_app
    app = create_app()          # settings from the environment, RasaClient on settings.rasa_urls

Run it with `python -m bot.web` (uvicorn on WEB_HOST:WEB_PORT).
"""
from .app import create_app

__all__ = ["create_app"]
