"""The page itself and the health check."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..constants import DEFAULT_TITLE, FREE_SLOT, INSTRUCTIONS_MAX_CHARS, TITLE_MAX_CHARS
from ..errors import ApiError
from ..extensions import db

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> str:
    config = current_app.config
    return render_template("index.html", has_api_key=bool(config["OPENROUTER_API_KEY"]),
                           message_max_chars=config["MESSAGE_MAX_CHARS"],
                           import_max_mb=f"{config['IMPORT_MAX_BYTES'] / (1024 * 1024):g}",
                           default_title=DEFAULT_TITLE, title_max_chars=TITLE_MAX_CHARS, free_slot=FREE_SLOT,
                           instructions_max_chars=INSTRUCTIONS_MAX_CHARS)


@bp.get("/healthz")
def healthz() -> Response:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        raise ApiError(503, "The database is unreachable.") from exc
    return jsonify({"ok": True, "database": db.engine.dialect.name,
                    "api_key_configured": bool(current_app.config["OPENROUTER_API_KEY"])})
