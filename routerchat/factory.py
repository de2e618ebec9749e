"""The application factory: config, extensions, the OpenRouter, the answer hub, blueprints,
security, JSON errors."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, cast

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from . import answers, assets, search, upstream
from .config import settings_from_env
from .db.engine import MIGRATIONS_DIR, configure_engine, engine_options, is_model_table
from .errors import register_error_handlers
from .extensions import db, migrate
from .logging_setup import install_secret_redaction
from .security import register_body_check, register_security


def create_app(test_config: dict[str, Any] | None = None, instance_path: str | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    Path(app.instance_path).mkdir(mode=0o700, parents=True, exist_ok=True)  # private when it is made
    app.config.from_mapping(settings_from_env(Path(app.instance_path)))
    if test_config:
        app.config.update(test_config)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config["DB_POOL_SIZE"], app.config["DB_MAX_OVERFLOW"]))
    cast(DefaultJSONProvider, app.json).sort_keys = False

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Alembic's INFO lines are its internals; upgrade_database logs what changed.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    install_secret_redaction(app.config["OPENROUTER_API_KEY"])
    install_secret_redaction(app.config.get("LOCAL_API_KEY", ""))

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, include_name=is_model_table)
    configure_engine(app)
    search.init_app(app)
    register_error_handlers(app)
    assets.init_app(app)
    upstream.init_app(app)
    answers.init_app(app)
    register_security(app)

    from .views import (
        attachments,
        auth,
        chat,
        conversations,
        folders,
        pages,
        presets,
        settings,
        shares,
        transfer,
        usage,
    )

    for module in (pages, chat, conversations, folders, shares, presets, settings, transfer, usage, attachments):
        app.register_blueprint(module.bp)
    auth.init_app(app)
    app.register_blueprint(auth.bp)
    register_body_check(app)
    return app
