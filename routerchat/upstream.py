"""Build the OpenRouter client from the app's configuration (the client itself knows no Flask)."""
from __future__ import annotations

from flask import current_app

from .openrouter import OpenRouterClient


def client_for(app=None) -> OpenRouterClient:
    config = (app or current_app).config
    return OpenRouterClient(
        config["OPENROUTER_BASE_URL"],
        config["OPENROUTER_API_KEY"],
        connect_timeout=config["UPSTREAM_CONNECT_TIMEOUT"],
        read_timeout=config["UPSTREAM_READ_TIMEOUT"],
        app_url=config["APP_URL"],
        app_title=config["APP_TITLE"],
    )
