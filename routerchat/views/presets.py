"""Preset routes and the cached OpenRouter model list."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from .. import presets
from ..errors import ApiError, json_object_body
from ..upstream import openrouter

bp = Blueprint("presets", __name__)


@bp.get("/presets")
def list_presets() -> Response:
    return jsonify({"presets": presets.list_presets()})


@bp.put("/presets/<slot>")
def put_preset(slot: str) -> Response:
    number = presets.SLOT_NUMBERS.get(slot)
    if number is None:
        raise ApiError(404, "There are six presets, numbered 1 to 6.")
    body = json_object_body()
    return jsonify(presets.set_preset(number, body.get("model"), body.get("label")))


@bp.get("/models")
def list_models() -> Response:
    models = openrouter().list_models()  # an UpstreamError answers 502 with its words
    if request.args.get("free", "").lower() in ("1", "true", "yes"):
        models = [m for m in models if m["free"]]
    return jsonify({"models": models})
