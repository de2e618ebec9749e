"""Server-sent events: format our events for the browser, parse OpenRouter's stream."""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

PING = ": ping\n\n"
DONE_SENTINEL = "[DONE]"


def format_event(payload: dict[str, Any]) -> str:
    """One `data:` event; JSON never contains a raw newline, so one line is enough."""
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


def split_lines(chunks: Iterable[bytes]) -> Iterator[str]:
    """Turn arbitrary byte chunks into text lines (LF or CRLF), keeping multibyte chars whole."""
    pending = b""
    for chunk in chunks:
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for raw in complete:
            yield raw.rstrip(b"\r").decode("utf-8", errors="replace")
    if pending:
        yield pending.rstrip(b"\r").decode("utf-8", errors="replace")


def iter_event_data(lines: Iterable[str]) -> Iterator[str]:
    """Yield the data of each event: comment lines skipped, multi-line data joined.

    Follows the SSE rules: an empty line ends an event, `data:` lines accumulate, the single
    space after the colon is dropped, other fields (event, id, retry) are ignored. Data left
    over when the stream ends is still delivered so a missing final blank line loses nothing.
    """
    data_lines: list[str] = []
    for line in lines:
        if line == "":
            if data_lines:
                yield "\n".join(data_lines)
                data_lines = []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        if field == "data":
            data_lines.append(value[1:] if value.startswith(" ") else value)
    if data_lines:
        yield "\n".join(data_lines)
