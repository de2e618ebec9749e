"""Server-sent events as a Flask response."""
from __future__ import annotations

from collections.abc import Iterator

from flask import Response


def event_stream(events: Iterator[str]) -> Response:
    """An SSE response that no proxy buffers."""
    return Response(events, mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
