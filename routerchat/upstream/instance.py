"""The app's one OpenRouter: `create_app` puts an `OpenRouter` in `app.extensions["openrouter"]`,
and `openrouter()` is how every caller reaches it.

It holds the client (client.py) on one pooled HTTP session whose every request first
checks, through the connection guard, that the greenlet holds no database connection; and the
model list, cached (a cache only: nothing depends on it for correctness). Each app has its own,
so two apps in one process (the tests do this) share neither connections nor the cache.
"""
from __future__ import annotations

import time
from collections.abc import Mapping
from functools import partial
from os import getpid
from typing import Any

import requests
from flask import Flask, current_app
from requests.adapters import HTTPAdapter

from ..db.guard import guard
from ..extensions import db
from .client import OpenRouterClient

EXTENSION_KEY = "openrouter"


class GuardedSession(requests.Session):
    """Every request to OpenRouter first checks that this greenlet holds no database connection:
    the answer may take minutes, and the pool is shared by every other request."""

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        guard.check(f"{request.method} {request.url}")
        return super().send(request, **kwargs)


def guarded_session() -> GuardedSession:
    """A pool of connections to OpenRouter: chats reuse open connections (and TLS sessions)
    instead of paying a new handshake per message."""
    session = GuardedSession()
    for scheme in ("https://", "http://"):
        session.mount(scheme, HTTPAdapter(pool_connections=4, pool_maxsize=200))
    return session


class OpenRouter:
    """The configured client, one connection pool per process, and the model list cache."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self._new_client = partial(
            OpenRouterClient,
            config["OPENROUTER_BASE_URL"],
            config["OPENROUTER_API_KEY"],
            connect_timeout=config["UPSTREAM_CONNECT_TIMEOUT"],
            read_timeout=config["UPSTREAM_READ_TIMEOUT"],
            app_url=config["APP_URL"],
            app_title=config["APP_TITLE"],
        )
        self._client = self._new_client(session=guarded_session())
        self._client_pid = getpid()
        self.models_cache_seconds: float = config["MODELS_CACHE_SECONDS"]
        self._models: list[dict[str, Any]] | None = None
        self._models_fetched_at = 0.0

    @property
    def client(self) -> OpenRouterClient:
        """This process's client. gunicorn's workers and main.py create the app in the process
        that serves it; an app created before a fork still never shares its sockets with the
        child, which opens a pool of its own on first use."""
        if self._client_pid != getpid():
            self._client = self._new_client(session=guarded_session())
            self._client_pid = getpid()
        return self._client

    def list_models(self) -> list[dict[str, Any]]:
        """OpenRouter's models sorted by name, refreshed after MODELS_CACHE_SECONDS; raises
        UpstreamError when they cannot be fetched. Needs an app context (it ends the session's
        transaction before fetching)."""
        fresh = time.monotonic() - self._models_fetched_at < self.models_cache_seconds
        if self._models is None or not fresh:
            db.session.commit()  # ends the request's transaction: no connection held while OpenRouter answers
            self._models = self.client.list_models()
            self._models_fetched_at = time.monotonic()
        return self._models

    def find_model(self, model_id: str) -> dict[str, Any] | None:
        return next((m for m in self.list_models() if m["id"] == model_id), None)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = OpenRouter(app.config)


def openrouter(app: Flask | None = None) -> OpenRouter:
    """The OpenRouter of `app`, or of the current app."""
    found: OpenRouter = (app or current_app).extensions[EXTENSION_KEY]
    return found
