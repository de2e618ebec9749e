"""Export (one conversation as Markdown or JSON, or everything) and import (routerchat or ChatGPT)."""
from __future__ import annotations

import io
import json
import re

import gevent
from flask import Blueprint, Response, current_app, jsonify, request, send_file, stream_with_context

from .. import conversations
from ..errors import ApiError
from ..transfer import collector, formats, store

bp = Blueprint("transfer", __name__)


def _file_name(title: str, extension: str) -> str:
    slug = re.sub(r"[^\w\-]+", "-", title, flags=re.UNICODE).strip("-")[:60] or "conversation"
    return f"{slug}.{extension}"


@bp.get("/conversation/<conversation_id>/export")
def export_conversation(conversation_id: str) -> Response:
    chosen = request.args.get("format", "md")
    if chosen not in ("md", "json"):
        raise ApiError(400, "format must be md (Markdown) or json.")
    conversation = store.exported(conversations.get_or_404(conversation_id), embed_files=chosen == "json")
    if chosen == "md":
        body, mimetype = formats.to_markdown(conversation), "text/markdown"
    else:
        body = json.dumps(store.archive_of([conversation]), ensure_ascii=False, indent=1)
        mimetype = "application/json"
    return send_file(io.BytesIO(body.encode()), mimetype=mimetype, as_attachment=True,
                     download_name=_file_name(conversation["title"], chosen))


@bp.get("/export")
def export_everything() -> Response:
    return Response(stream_with_context(store.export_chunks()), mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="routerchat-export.json"'})


def _uploaded_bytes() -> bytes:
    """The file from a multipart form (field `file`) or a JSON body (security.py sets the size limit)."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise ApiError(400, "Attach the export as the form field “file”.")
        data: bytes = upload.read()
        return data
    if request.is_json:
        return request.get_data()
    raise ApiError(415, "Send the export as a file (multipart/form-data) or as a JSON body.")


def _read_file(raw: bytes, limits: formats.Limits) -> tuple[list[formats.Archived], list[dict[str, str]]]:
    return formats.read_archive(formats.load_json(raw), limits)


@bp.post("/import")
def import_conversations() -> Response:
    """The file is parsed and checked whole in gevent's thread pool (a 50 MB file takes seconds of
    CPU, during which this worker's other requests and streaming answers keep going), then stored
    in short transactions (store.import_archive)."""
    config = current_app.config
    limits = formats.Limits(config["IMPORT_MAX_CONVERSATIONS"], config["IMPORT_MAX_MESSAGES"],
                            config["MESSAGE_MAX_CHARS"])
    raw = _uploaded_bytes()
    with collector.archive_held() as archive_built:
        try:
            archived, skipped = gevent.get_hub().threadpool.apply(_read_file, (raw, limits))
        except formats.ArchiveError as exc:
            raise ApiError(400, f"Nothing was imported: {exc}") from exc
        finally:
            del raw
            archive_built()
        imported = store.import_archive(archived)
        del archived
    return jsonify({"imported": imported, "skipped": skipped})
