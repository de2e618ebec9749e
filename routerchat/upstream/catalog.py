"""OpenRouter's model list as routerchat shows it: each model's entry and whether it is free
(pure: no Flask, no database, no network)."""
from __future__ import annotations

import re
from typing import Any

from ..constants import MODEL_ID_MAX_CHARS

MODEL_ID_PATTERN = re.compile(r"^[A-Za-z0-9][\w.\-]*/[\w.\-:]+$")
LOCAL_PREFIX = "local/"
# A local server names its models as it likes ("qwen2.5:0.5b", "hf.co/org/model:Q4_K_M"): any
# printable text without spaces after the prefix.
LOCAL_MODEL_PATTERN = re.compile(r"^local/[^\s\x00-\x1f\x7f]+$")
CREDIT_FIELDS = ("limit", "limit_remaining", "usage", "usage_daily", "is_free_tier", "free_model_daily_requests")
LOCAL_PARAMETERS = ["max_tokens", "temperature", "top_p"]  # what OpenAI-compatible servers take


def is_local_model(model_id: str) -> bool:
    return model_id.startswith(LOCAL_PREFIX)


def model_id_problem(model: object) -> str | None:
    """Why `model` cannot be a model id (words for the person), or None when it can."""
    if not isinstance(model, str) or not model.strip():
        return "model must be a non-empty OpenRouter model id such as “openai/gpt-5”."
    model = model.strip()
    pattern = LOCAL_MODEL_PATTERN if is_local_model(model) else MODEL_ID_PATTERN
    if len(model) > MODEL_ID_MAX_CHARS or not pattern.match(model):
        return (f"“{model[:MODEL_ID_MAX_CHARS]}” does not look like an OpenRouter model id (provider/name) "
                "or a local one (local/name).")
    return None


def is_free_model(model: dict[str, Any]) -> bool:
    """Free when the id ends with `:free` (or is the free router) or both prices are zero."""
    model_id = str(model.get("id", ""))
    if model_id.endswith(":free") or model_id == "openrouter/free" or is_local_model(model_id):
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
        "supported_parameters": _strings(item.get("supported_parameters")),
        "input_modalities": _input_modalities(item.get("architecture")),
    }


def _input_modalities(architecture: object) -> list[str] | None:
    """What the model reads (`text`, `image`, `file`…), from `input_modalities` or else the older
    `modality` ("text+image->text"); None when the list says neither."""
    if not isinstance(architecture, dict):
        return None
    if isinstance(architecture.get("input_modalities"), list):
        return _strings(architecture["input_modalities"])
    modality = architecture.get("modality")
    if isinstance(modality, str) and "->" in modality:
        return [part for part in modality.split("->", 1)[0].split("+") if part]
    return None


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def catalog_from(data: object) -> list[dict[str, Any]]:
    """The `data` list of OpenRouter's /models answer as entries sorted by name; items without an id are skipped."""
    items = data if isinstance(data, list) else []
    entries = [model_entry(item) for item in items if isinstance(item, dict) and item.get("id")]
    entries.sort(key=lambda m: m["name"].lower())
    return entries


def local_entries(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A local server's models as GET /models lists them beside OpenRouter's: `local/<its id>`,
    free, marked local, taking the parameters every OpenAI-compatible server takes."""
    return [{**entry, "id": LOCAL_PREFIX + entry["id"], "name": f"{entry['name']} (local)", "free": True,
             "local": True, "pricing": {"prompt": "0", "completion": "0"},
             "supported_parameters": entry["supported_parameters"] or list(LOCAL_PARAMETERS)}
            for entry in entries]


def credit_fields(data: object) -> dict[str, Any]:
    """The fields of OpenRouter's GET /key `data` that the Usage panel shows, as they come
    (missing ones as None)."""
    found = data if isinstance(data, dict) else {}
    return {name: found.get(name) for name in CREDIT_FIELDS}
