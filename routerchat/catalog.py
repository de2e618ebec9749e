"""OpenRouter's model list, cached in-process (a cache only: nothing depends on it for correctness)."""
from __future__ import annotations

import time
from typing import Any

from flask import current_app

from .extensions import db
from .upstream import client_for

_cache: dict[str, Any] = {"models": None, "fetched_at": 0.0, "base_url": None}


def list_models() -> list[dict[str, Any]]:
    """The cached list, refreshed after MODELS_CACHE_SECONDS; raises UpstreamError when unavailable."""
    config = current_app.config
    fresh = time.monotonic() - _cache["fetched_at"] < config["MODELS_CACHE_SECONDS"]
    if _cache["models"] is None or not fresh or _cache["base_url"] != config["OPENROUTER_BASE_URL"]:
        db.session.commit()  # ends the request's transaction: no connection held while OpenRouter answers
        models = client_for().list_models()
        models.sort(key=lambda m: m["name"].lower())
        _cache.update(models=models, fetched_at=time.monotonic(), base_url=config["OPENROUTER_BASE_URL"])
    models_now: list[dict[str, Any]] = _cache["models"]
    return models_now


def find_model(model_id: str) -> dict[str, Any] | None:
    return next((m for m in list_models() if m["id"] == model_id), None)
