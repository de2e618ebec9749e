"""Export (one conversation as Markdown or JSON, or everything) and import (routerchat or ChatGPT)."""
from __future__ import annotations

import io
import json
import re

from flask import Blueprint, Response, jsonify, request, send_file, stream_with_context

from .. import conversations
from ..errors import ApiError
from ..transfer import formats, store

bp = Blueprint("transfer", __name__)


def _file_name(title: str, extension: str) -> str:
    slug = re.sub(r"[^\w\-]+", "-", title, flags=re.UNICODE).strip("-")[:60] or "conversation"
    return f"{slug}.{extension}"


@bp.get("/conversation/<conversation_id>/export")
def export_conversation(conversation_id: str) -> Response:
    chosen = request.args.get("format", "md")
    if chosen not in ("md", "json"):
        raise ApiError(400, "format must be md (Markdown) or json.")
    conversation = store.exported(conversations.get_or_404(conversation_id))
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


@bp.post("/import")
def import_conversations() -> Response:
    try:
        archived, skipped = formats.read_archive(formats.load_json(_uploaded_bytes()))
    except formats.ArchiveError as exc:
        raise ApiError(400, f"Nothing was imported: {exc}") from exc
    return jsonify({"imported": store.import_archive(archived), "skipped": skipped})
