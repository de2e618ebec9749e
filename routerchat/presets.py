"""The six model presets: defaults from code, each account's changes in the database."""
from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from .constants import FREE_SLOT
from .db import prepared
from .db.models import Preset
from .db.rows import table_of
from .errors import ApiError, UpstreamError
from .extensions import db
from .ownership import preset_owner
from .upstream import is_free_model, model_id_problem, openrouter
from .values import is_whole_number

log = logging.getLogger(__name__)

SLOTS = range(1, 7)
SLOT_NUMBERS = {str(slot): slot for slot in SLOTS}  # "²".isdigit() is true, so match the exact text

# Popular OpenRouter models for slots 1-5; slot 6 (free) comes from FREE_MODEL_DEFAULT.
DEFAULT_PRESETS = {
    1: ("anthropic/claude-sonnet-4.5", "Claude Sonnet 4.5"),
    2: ("openai/gpt-5", "GPT-5"),
    3: ("google/gemini-2.5-pro", "Gemini 2.5 Pro"),
    4: ("google/gemini-2.5-flash", "Gemini 2.5 Flash"),
    5: ("deepseek/deepseek-chat-v3.1", "DeepSeek V3.1"),
}


def default_preset(slot: int) -> dict[str, Any]:
    if slot == FREE_SLOT:
        return {"slot": slot, "model": current_app.config["FREE_MODEL_DEFAULT"], "label": "Free"}
    model, label = DEFAULT_PRESETS[slot]
    return {"slot": slot, "model": model, "label": label}


PRESETS = table_of(Preset)
PRESET_MODEL = select(PRESETS.c.model).where(PRESETS.c.account_id == bindparam("owner"),
                                             PRESETS.c.slot == bindparam("slot"))


def _stored(slot: int) -> Preset | None:
    return db.session.get(Preset, (preset_owner(), slot))


def list_presets() -> list[dict[str, Any]]:
    stored = {p.slot: p for p in db.session.scalars(db.select(Preset).where(Preset.account_id == preset_owner()))}
    return [
        {"slot": slot, "model": stored[slot].model, "label": stored[slot].label}
        if slot in stored else default_preset(slot)
        for slot in SLOTS
    ]


def check_slot(slot: object) -> int:
    if not is_whole_number(slot) or slot not in SLOTS:
        raise ApiError(400, "preset must be a number from 1 to 6.")
    return slot


def preset_model(slot: int) -> str:
    """The preset's model (one Core SELECT built once: it runs before every answer's request)."""
    stored: str | None = prepared.first_value(PRESET_MODEL, {"owner": preset_owner(), "slot": slot})
    return stored if stored is not None else default_preset(slot)["model"]


def check_model_id(model: object) -> str:
    problem = model_id_problem(model)
    if problem is not None or not isinstance(model, str):
        raise ApiError(400, problem or "model must be a string.")
    return model.strip()


def _catalog_entry(model: str) -> dict[str, Any] | None:
    """The model's catalog entry; None when the catalog cannot be reached right now."""
    try:
        entry = openrouter().find_model(model)
    except UpstreamError as exc:
        log.warning("model list unavailable while saving a preset: %s", exc.detail)
        return None
    if entry is None:
        raise ApiError(400, f"OpenRouter does not list a model “{model}”. Pick one from the list.")
    return entry


def label_for(model: str, entry: dict[str, Any] | None) -> str:
    """A short button label: the catalog name without its "Provider: " prefix."""
    name = entry["name"] if entry else model.split("/", 1)[-1].removesuffix(":free")
    return name.split(": ", 1)[-1][:100]


def set_preset(slot: int, model: object, label: object = None) -> dict[str, Any]:
    model = check_model_id(model)
    if label is not None and (not isinstance(label, str) or not label.strip() or len(label) > 100):
        raise ApiError(400, "label must be a non-empty string of at most 100 characters.")
    entry = _catalog_entry(model)
    free = is_free_model(entry) if entry else is_free_model({"id": model})
    if slot == FREE_SLOT and not free:
        raise ApiError(400, f"Preset 6 is the free tier: “{model}” is not a free model. "
                            "Pick a model whose id ends with “:free”.")
    return _store(slot, model, label.strip() if isinstance(label, str) else label_for(model, entry))


def _store(slot: int, model: str, label: str) -> dict[str, Any]:
    """Insert or update the slot; when two requests create the same slot at once, the loser's
    insert fails on the primary key and it updates the row the winner made instead."""
    for attempt in (1, 2):
        preset = _stored(slot) or Preset(account_id=preset_owner(), slot=slot)
        preset.model, preset.label = model, label
        db.session.add(preset)
        try:
            db.session.commit()
            break
        except IntegrityError:
            db.session.rollback()
            if attempt == 2:
                raise
    return {"slot": slot, "model": model, "label": label}
