"""GET/PUT /settings: the account's instructions, title model and title prompt."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify

from .. import settings, titles
from ..errors import json_object_body

bp = Blueprint("settings", __name__)


@bp.get("/settings")
def get_settings() -> Response:
    return jsonify(settings.current())


@bp.put("/settings")
def put_settings() -> Response:
    body = json_object_body()
    titles.check_title_prompt(body)  # a template the title job could not fill is refused, nothing stored
    return jsonify(settings.update(body))
