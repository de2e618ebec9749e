"""Build the OpenRouter client from the app's configuration (the client itself knows no Flask)."""
from __future__ import annotations

from typing import Any

import requests
from flask import Flask, current_app
from requests.adapters import HTTPAdapter

from .database import guard
from .openrouter_client import OpenRouterClient


class GuardedSession(requests.Session):
    """Every request to OpenRouter first checks that this greenlet holds no database connection:
    the answer may take minutes, and the pool is shared by every other request."""

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        guard.check(f"{request.method} {request.url}")
        return super().send(request, **kwargs)


# One pool per process: chats reuse open connections (and TLS sessions) to OpenRouter instead
# of paying a new handshake per message. Worker processes each build their own after forking.
_session = GuardedSession()
_session.mount("https://", HTTPAdapter(pool_connections=4, pool_maxsize=200))
_session.mount("http://", HTTPAdapter(pool_connections=4, pool_maxsize=200))


def client_for(app: Flask | None = None) -> OpenRouterClient:
    config = (app or current_app).config
    return OpenRouterClient(
        config["OPENROUTER_BASE_URL"],
        config["OPENROUTER_API_KEY"],
        connect_timeout=config["UPSTREAM_CONNECT_TIMEOUT"],
        read_timeout=config["UPSTREAM_READ_TIMEOUT"],
        app_url=config["APP_URL"],
        app_title=config["APP_TITLE"],
        session=_session,
    )
