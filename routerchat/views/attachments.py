"""POST /attachments (upload a file) and GET /attachment/<id> (download it, owner only)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import IO
from urllib.parse import quote

import gevent
from flask import Blueprint, Response, current_app, jsonify, request, stream_with_context

from ..attachments import store
from ..attachments.kinds import IMAGE_TYPES, PDF_TYPE
from ..errors import ApiError

bp = Blueprint("attachments", __name__)

INLINE_TYPES = IMAGE_TYPES | {PDF_TYPE}


class YieldingInput:
    """An upload's input stream that lets other greenlets run after each read. A fast client keeps
    data waiting in the socket, so a gevent read never blocks, and parsing 20 MB of form would
    otherwise hold the process for as long as it takes (every other chat waiting)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        gevent.sleep(0)
        return data


@bp.post("/attachments")
def upload() -> tuple[Response, int]:
    request.environ["wsgi.input"] = YieldingInput(request.environ["wsgi.input"])
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(400, "Send the file as the form field “file” (multipart/form-data).")
    attachment = store.save_upload(upload.stream, upload.filename, current_app.config["ATTACHMENT_MAX_BYTES"])
    return jsonify(attachment.summary()), 201


def content_disposition(name: str, inline: bool) -> str:
    """RFC 6266: an ASCII fallback name and the real one, UTF-8 percent-encoded."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\%' else "_" for ch in name)
    return f"{'inline' if inline else 'attachment'}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@bp.get("/attachment/<attachment_id>")
def download(attachment_id: str) -> Response:
    attachment = store.owned_or_404(attachment_id)
    mime = attachment.mime if attachment.mime in INLINE_TYPES else f"{attachment.mime}; charset=utf-8"
    headers = {
        "Content-Length": str(attachment.size),
        "Content-Disposition": content_disposition(attachment.name, attachment.mime in INLINE_TYPES),
        "Cache-Control": "private, max-age=86400",
    }
    body: Iterator[bytes] = stream_with_context(store.pieces(attachment.id, release=True))
    return Response(body, headers=headers, content_type=mime)
