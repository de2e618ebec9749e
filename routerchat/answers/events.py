"""The last SSE event of an answer, as `/chat` and a re-attach send it (pure)."""
from __future__ import annotations

from typing import Any

STOPPED_NOTE = "Stopped — the answer above is partial."
STOPPED_STATUS = 499  # the request was ended on purpose (nginx's "client closed request")
STOPPED_EVENT: dict[str, Any] = {"type": "error", "error": STOPPED_NOTE, "status": STOPPED_STATUS, "stopped": True}
DELETED_EVENT: dict[str, Any] = {"type": "error", "error": "This answer was deleted.", "status": 404}
UNSAVED_EVENT: dict[str, Any] = {
    "type": "error", "status": 503,
    "error": "The answer arrived but could not be saved: the database did not respond. "
             "Copy what you need from it; after a reload it may be missing or cut short."}
FAILED_NOTE = "The answer failed."


def done_event(conversation_id: str, message_id: int, model: str | None,
               usage: dict[str, Any] | None, citations: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"type": "done", "conversation_id": conversation_id, "message_id": message_id, "model": model,
            "usage": usage, "citations": citations or []}


def error_event(error: str | None, status: int | None) -> dict[str, Any]:
    """A failed answer's end; rows from before error statuses were stored say 502."""
    return {"type": "error", "error": error or FAILED_NOTE, "status": status or 502}
