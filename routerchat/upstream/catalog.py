"""OpenRouter's model list as routerchat shows it: each model's entry and whether it is free
(pure: no Flask, no database, no network)."""
from __future__ import annotations

from typing import Any


def is_free_model(model: dict[str, Any]) -> bool:
    """Free when the id ends with `:free` (or is the free router) or both prices are zero."""
    model_id = str(model.get("id", ""))
    if model_id.endswith(":free") or model_id == "openrouter/free":
        return True
    pricing = model.get("pricing") or {}
    try:
        return float(pricing["prompt"]) == 0 and float(pricing["completion"]) == 0
    except (KeyError, TypeError, ValueError):
        return False


def model_entry(item: dict[str, Any]) -> dict[str, Any]:
    """One model as GET /models lists it: id, name, free, context length and the two prices."""
    found = item.get("pricing")
    pricing: dict[str, Any] = found if isinstance(found, dict) else {}
    return {
        "id": item["id"],
        "name": item.get("name") or item["id"],
        "free": is_free_model(item),
        "context_length": item.get("context_length"),
        "pricing": {"prompt": pricing.get("prompt"), "completion": pricing.get("completion")},
    }


def catalog_from(data: object) -> list[dict[str, Any]]:
    """The `data` list of OpenRouter's /models answer as entries sorted by name; items without an id are skipped."""
    items = data if isinstance(data, list) else []
    entries = [model_entry(item) for item in items if isinstance(item, dict) and item.get("id")]
    entries.sort(key=lambda m: m["name"].lower())
    return entries
