"""Server-sent events: format our events for the browser, parse OpenRouter's stream."""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

PING = ": ping\n\n"
DONE_DATA = b"[DONE]"


def format_event(payload: dict[str, Any]) -> str:
    """One `data:` event; JSON never contains a raw newline, so one line is enough."""
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


def event_data(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The data of each event of a byte stream, as bytes: `json.loads` reads UTF-8 bytes, so no
    line is decoded or copied into text on the way (a multibyte character split across chunks
    stays whole: lines are cut at LF bytes only).

    Follows the SSE rules: lines end with LF or CRLF, an empty line ends an event, `data:` lines
    accumulate (joined with LF), the single space after the colon is dropped, comments and other
    fields (event, id, retry) are ignored. Data left over when the stream ends is still
    delivered, so a missing final blank line loses nothing.
    """
    pending = b""
    data: list[bytes] = []
    for chunk in chunks:
        pending += chunk
        if b"\n" not in chunk:
            continue  # no line ended in this piece (pending held none before it)
        *lines, pending = pending.split(b"\n")
        for line in lines:
            if line.endswith(b"\r"):
                line = line[:-1]
            if line:
                _add_field(line, data)
            elif data:
                yield data[0] if len(data) == 1 else b"\n".join(data)
                data = []
    if pending.rstrip(b"\r"):
        _add_field(pending.rstrip(b"\r"), data)
    if data:
        yield b"\n".join(data)


def _add_field(line: bytes, data: list[bytes]) -> None:
    """Keep the value of a `data` line; skip comments (":…") and other fields."""
    if not line.startswith(b"data"):
        return
    field, _, value = line.partition(b":")
    if field == b"data":
        data.append(value[1:] if value.startswith(b" ") else value)
