"""The page itself and the health check."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template
from sqlalchemy import text

from ..extensions import db

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    config = current_app.config
    return render_template("index.html", has_api_key=bool(config["OPENROUTER_API_KEY"]),
                           message_max_chars=config["MESSAGE_MAX_CHARS"])


@bp.get("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    return jsonify({"ok": True, "database": db.engine.dialect.name,
                    "api_key_configured": bool(current_app.config["OPENROUTER_API_KEY"])})
