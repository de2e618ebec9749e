"""The app's one OpenRouter: `create_app` puts an `OpenRouter` in `app.extensions["openrouter"]`,
and `openrouter()` is how every caller reaches it.

It holds the client (client.py) with this process's pool of connections, whose every request
first checks, through the connection guard, that the greenlet holds no database connection; and the
model list, cached (a cache only: nothing depends on it for correctness). Each app has its own,
so two apps in one process (the tests do this) share neither connections nor the cache.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from os import getpid
from typing import Any

from flask import Flask, current_app

from ..db.guard import guard
from ..errors import UpstreamError
from ..extensions import db
from .catalog import LOCAL_PREFIX, credit_fields, is_local_model, local_entries
from .client import OpenRouterClient
from .wording import for_local_server

log = logging.getLogger(__name__)

EXTENSION_KEY = "openrouter"
CREDITS_CACHE_SECONDS = 60.0


class ProcessClient:
    """A client whose connection pool belongs to this process. gunicorn's workers and main.py
    create the app in the process that serves it; an app created before a fork still never shares
    its sockets with the child, which opens a pool of its own on first use."""

    def __init__(self, new_client: Callable[[], OpenRouterClient]) -> None:
        self._new_client = new_client
        self._client = new_client()
        self._pid = getpid()

    def get(self) -> OpenRouterClient:
        if self._pid != getpid():
            self._client = self._new_client()
            self._pid = getpid()
        return self._client


@dataclass(frozen=True)
class Route:
    """Where a model's requests go: the client, the id that server knows the model by, and whether
    it is the local server (no OpenRouter key, plugins or fallback models; costs unknown)."""

    client: OpenRouterClient
    model_id: str
    local: bool = False

    def failure(self, exc: UpstreamError) -> UpstreamError:
        """The failure as the person is told it: a local server's is named as such."""
        if self.local:
            exc.message = for_local_server(exc.message)
            exc.args = (exc.message,)
        return exc

    def usage(self, usage: dict[str, Any] | None) -> dict[str, Any] | None:
        """The usage as routerchat keeps it: a local server's answers cost nothing known (no `cost`,
        whatever it sent)."""
        if usage is None or not self.local:
            return usage
        return {**usage, "cost": None}


class Cached:
    """One value fetched over the network, kept for `seconds` (failures are not kept)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.value: Any = None
        self.fetched_at = float("-inf")

    def get(self, fetch: Callable[[], Any]) -> Any:
        if self.value is None or time.monotonic() - self.fetched_at >= self.seconds:
            db.session.commit()  # ends the request's transaction: no connection held while the server answers
            self.value = fetch()
            self.fetched_at = time.monotonic()
        return self.value


class OpenRouter:
    """The configured clients (OpenRouter, and the local server when LOCAL_BASE_URL is set), one
    connection pool per process each, and the caches of the model lists and of the key's credits."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        # Every request first checks, through the connection guard, that its greenlet holds no
        # database connection: the answer may take minutes, and the pool is shared by every request.
        options = {"connect_timeout": config["UPSTREAM_CONNECT_TIMEOUT"],
                   "read_timeout": config["UPSTREAM_READ_TIMEOUT"], "app_title": config["APP_TITLE"],
                   "check": guard.check}
        self._openrouter = ProcessClient(partial(
            OpenRouterClient, config["OPENROUTER_BASE_URL"], config["OPENROUTER_API_KEY"], app_url=config["APP_URL"],
            **options))
        local_url = config.get("LOCAL_BASE_URL") or ""
        self._local = ProcessClient(partial(
            OpenRouterClient, local_url, config.get("LOCAL_API_KEY") or "", **options)) if local_url else None
        self.has_key = bool(config["OPENROUTER_API_KEY"])
        self.models_cache_seconds: float = config["MODELS_CACHE_SECONDS"]
        self._models = Cached(self.models_cache_seconds)
        self._local_models = Cached(self.models_cache_seconds)
        self._credits = Cached(CREDITS_CACHE_SECONDS)

    @property
    def client(self) -> OpenRouterClient:
        """This process's OpenRouter client."""
        return self._openrouter.get()

    @property
    def has_local(self) -> bool:
        return self._local is not None

    def route(self, model: str) -> Route:
        """Where requests for `model` go: `local/<id>` to the local server (as `<id>`), the rest to OpenRouter."""
        if self._local is not None and is_local_model(model):
            return Route(self._local.get(), model.removeprefix(LOCAL_PREFIX), local=True)
        return Route(self.client, model)

    def list_models(self) -> list[dict[str, Any]]:
        """OpenRouter's models sorted by name, then the local server's (as `local/<id>`), each list
        refreshed after MODELS_CACHE_SECONDS. A local server that is down leaves its models out;
        OpenRouter's failing raises UpstreamError unless local models are there to show. Needs an
        app context (it ends the session's transaction before fetching)."""
        local = self.local_models_or_none() or []
        try:
            remote: list[dict[str, Any]] = self._models.get(lambda: self.client.list_models())
        except UpstreamError:
            if not local:
                raise
            log.warning("OpenRouter's model list is unavailable; listing the local models only")
            remote = []
        return remote + local if local else remote

    def local_models(self) -> list[dict[str, Any]]:
        """The local server's models (none without LOCAL_BASE_URL); raises UpstreamError when it is down."""
        if self._local is None:
            return []
        local = self._local
        found: list[dict[str, Any]] = self._local_models.get(lambda: local_entries(local.get().list_models()))
        return found

    def local_models_or_none(self) -> list[dict[str, Any]] | None:
        try:
            return self.local_models()
        except UpstreamError as exc:
            log.warning("the local model server's list is unavailable: %s", exc.detail)
            return None

    def find_model(self, model_id: str) -> dict[str, Any] | None:
        models = self.local_models() if is_local_model(model_id) else self.list_models()
        return next((m for m in models if m["id"] == model_id), None)

    def credits(self) -> dict[str, Any] | None:
        """The key's credits (OpenRouter's GET /key, cached about a minute); None without a key, or
        when the upstream has no such endpoint or fails."""
        if not self.has_key:
            return None
        try:
            found: dict[str, Any] = self._credits.get(lambda: credit_fields(self.client.key_info()))
            return found
        except UpstreamError as exc:
            log.info("no credits from the upstream: %s", exc.detail)
            return None


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = OpenRouter(app.config)


def openrouter(app: Flask | None = None) -> OpenRouter:
    """The OpenRouter of `app`, or of the current app."""
    found: OpenRouter = (app or current_app).extensions[EXTENSION_KEY]
    return found
