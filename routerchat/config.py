"""Settings read from the environment (and a `.env` file), with the documented defaults (README, "Configuration")."""
from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from dotenv import load_dotenv

from .titles.prompt import check_prompt_template
from .transfer.formats import DEFAULT_LIMITS

DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"
DEFAULT_FREE_MODEL = "meta-llama/llama-3.2-3b-instruct:free"
DEFAULT_MESSAGE_MAX_CHARS = 100_000
MAX_BODY_BYTES = 1024 * 1024
DEFAULT_IMPORT_MAX_MB = 50
DEFAULT_ATTACHMENT_MAX_MB = 20
MULTIPART_OVERHEAD_BYTES = 64 * 1024  # an upload's form around its file: boundaries, headers, the name


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


def _env_float(name: str, default: float) -> float:
    raw = _env(name)
    try:
        return float(raw) if raw else default
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, got {raw!r}") from exc


def _env_flag(name: str) -> bool:
    return _env(name).lower() in ("1", "true", "yes", "on")


def _env_list(name: str) -> list[str]:
    return [item.strip() for item in _env(name).split(",") if item.strip()]


def normalize_database_url(url: str) -> str:
    """Pick the gevent-friendly psycopg 3 driver for plain postgres URLs.

    psycopg >= 3.1.14 cooperates with gevent's monkey patching, so a query that waits on the
    server yields to other greenlets instead of blocking the whole process.
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_secret_key(instance_path: Path) -> str:
    """Use SECRET_KEY when given; otherwise make one once and keep it in the instance folder."""
    configured = _env("SECRET_KEY")
    if configured:
        return configured
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        _write_private_once(key_file, secrets.token_hex(32))
    return key_file.read_text().strip()


def _write_private_once(path: Path, text: str) -> None:
    """Write `path` readable by its owner only from its first byte, and whole or not at all:
    the text goes to a private temporary file (mkstemp makes it 0600) that is then linked into
    place, so another worker starting at the same moment reads either no file or all of it (the
    first one linked wins)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w") as file:
            file.write(text)
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


def _attachment_limits(megabytes: float) -> dict[str, int]:
    """The largest file, and the largest upload request carrying it (refused while it is read)."""
    file_bytes = int(megabytes * 1024 * 1024)
    return {"ATTACHMENT_MAX_BYTES": file_bytes, "ATTACHMENT_MAX_BODY_BYTES": file_bytes + MULTIPART_OVERHEAD_BYTES}


def settings_from_env(instance_path: Path) -> dict[str, Any]:
    """Everything the app reads from its environment, as Flask config keys."""
    if os.environ.get("ROUTERCHAT_DOTENV", "1") != "0":  # the test suite sets 0: a developer's .env stays out
        load_dotenv(Path.cwd() / ".env")
        load_dotenv(Path(__file__).resolve().parent.parent / ".env")
    sqlite_default = f"sqlite:///{instance_path / 'routerchat.db'}"
    return {
        "SECRET_KEY": load_secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": normalize_database_url(_env("DATABASE_URL", sqlite_default)),
        "OPENROUTER_API_KEY": _env("OPENROUTER_API_KEY"),
        "OPENROUTER_BASE_URL": _env("OPENROUTER_BASE_URL", DEFAULT_BASE_URL).rstrip("/"),
        "LOCAL_BASE_URL": _env("LOCAL_BASE_URL").rstrip("/"),
        "LOCAL_API_KEY": _env("LOCAL_API_KEY"),
        "APP_URL": _env("APP_URL", "https://github.com/routerchat/routerchat"),
        "APP_TITLE": _env("APP_TITLE", "routerchat"),
        "TITLE_MODEL_DEFAULT": _env("TITLE_MODEL_DEFAULT", DEFAULT_FREE_MODEL),
        "TITLE_FALLBACK_MODELS": _env_list("TITLE_FALLBACK_MODELS"),
        "TITLE_PROMPT": check_prompt_template(os.environ["TITLE_PROMPT"]) if _env("TITLE_PROMPT") else None,
        "FREE_MODEL_DEFAULT": _env("FREE_MODEL_DEFAULT", DEFAULT_FREE_MODEL),
        "MESSAGE_MAX_CHARS": int(_env_float("MESSAGE_MAX_CHARS", DEFAULT_MESSAGE_MAX_CHARS)),
        "MAX_CONTENT_LENGTH": MAX_BODY_BYTES,
        "IMPORT_MAX_CONVERSATIONS": int(_env_float("IMPORT_MAX_CONVERSATIONS", DEFAULT_LIMITS.conversations)),
        "IMPORT_MAX_MESSAGES": int(_env_float("IMPORT_MAX_MESSAGES", DEFAULT_LIMITS.messages)),
        "IMPORT_MAX_BYTES": int(_env_float("IMPORT_MAX_MB", DEFAULT_IMPORT_MAX_MB) * 1024 * 1024),
        **_attachment_limits(_env_float("ATTACHMENT_MAX_MB", DEFAULT_ATTACHMENT_MAX_MB)),
        "UPSTREAM_CONNECT_TIMEOUT": _env_float("UPSTREAM_CONNECT_TIMEOUT", 10.0),
        "UPSTREAM_READ_TIMEOUT": _env_float("UPSTREAM_READ_TIMEOUT", 120.0),
        "TITLE_TIMEOUT": _env_float("TITLE_TIMEOUT", 20.0),
        "TITLE_WAIT_SECONDS": _env_float("TITLE_WAIT_SECONDS", 10.0),
        "TITLE_CLAIM_STALE_SECONDS": _env_float("TITLE_CLAIM_STALE_SECONDS", 60.0),
        "DB_POOL_SIZE": int(_env_float("DB_POOL_SIZE", 10)),
        "DB_MAX_OVERFLOW": int(_env_float("DB_MAX_OVERFLOW", 20)),
        "RUNNING_ANSWERS_PER_ACCOUNT": int(_env_float("RUNNING_ANSWERS_PER_ACCOUNT", 10)),
        "SSE_PING_SECONDS": _env_float("SSE_PING_SECONDS", 15.0),
        "ANSWER_FLUSH_SECONDS": _env_float("ANSWER_FLUSH_SECONDS", 2.0),
        "MODELS_CACHE_SECONDS": _env_float("MODELS_CACHE_SECONDS", 600.0),
        "DB_CONNECTION_GUARD": _env("DB_CONNECTION_GUARD", "warn"),
        "HOST": _env("HOST", "127.0.0.1"),
        "ALLOWED_HOSTS": _env_list("ALLOWED_HOSTS"),
        "HEADER_READ_TIMEOUT": _env_float("HEADER_READ_TIMEOUT", 30.0),
        "REQUEST_READ_TIMEOUT": _env_float("REQUEST_READ_TIMEOUT", 120.0),
        "PORT": int(_env_float("PORT", 5000)),
        "TRUST_PROXY": _env_flag("TRUST_PROXY"),
        "ALLOW_NO_AUTH": _env_flag("ALLOW_NO_AUTH"),
        "SESSION_COOKIE_NAME": "routerchat_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # An absolute lifetime: the server's session row ends 30 days after the login, and the
        # cookie's expiry is not pushed forward by each request.
        "PERMANENT_SESSION_LIFETIME": timedelta(days=30),
        "SESSION_REFRESH_EACH_REQUEST": False,
    }
