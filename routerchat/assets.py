"""The page's static files: fingerprinted URLs cached for a year, and compressed text responses.

Every static file is served under `/assets/<version>/…`, where the version is a hash of the whole
static folder: the page and the ES modules it imports (relative URLs) all carry it, so a browser
keeps them until routerchat is upgraded, and never mixes files of two versions. Text responses
(the page, JSON, scripts, styles) are compressed with Flask-Compress; the chat's event stream is
not (it must reach the browser chunk by chunk).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, send_from_directory, url_for
from flask_compress import Compress

YEAR_SECONDS = 365 * 24 * 3600

bp = Blueprint("assets", __name__)
compress = Compress()


def folder_fingerprint(folder: Path) -> str:
    """A short hash of every file's path and bytes: it changes whenever any static file does."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


@bp.get("/assets/<version>/<path:filename>")
def asset(version: str, filename: str) -> Response:
    """The current version is immutable; an older page asking for an old version gets today's file, uncached."""
    current = version == current_app.config["ASSET_VERSION"]
    response = send_from_directory(current_app.static_folder or "", filename, max_age=YEAR_SECONDS if current else 0)
    # A body in memory rather than a file stream: Flask-Compress gzips only those (the files are small).
    response.direct_passthrough = False
    response.set_data(response.get_data())
    if current:
        response.cache_control.immutable = True
        response.cache_control.public = True
    return response


def asset_url(filename: str) -> str:
    return url_for("assets.asset", version=current_app.config["ASSET_VERSION"], filename=filename)


def init_app(app: Flask) -> None:
    app.config["ASSET_VERSION"] = folder_fingerprint(Path(app.static_folder or ""))
    app.jinja_env.globals["asset_url"] = asset_url
    app.register_blueprint(bp)
    compress.init_app(app)
