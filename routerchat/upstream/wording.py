"""Plain words for OpenRouter's failures, written for the person using the app: what happened
and what to do (pure: no Flask, no database, no network).

`describe_error` turns an error status and what OpenRouter said into a sentence; the constants
below it word the failures that carry no status of OpenRouter's (a broken connection, a cut
stream, an unreadable answer).
"""
from __future__ import annotations

import re
import time
from typing import Any


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def _retry_hint(metadata: dict[str, Any] | None, retry_after: str | None) -> str:
    seconds: float | None = None
    headers = (metadata or {}).get("headers") or {}
    reset = headers.get("X-RateLimit-Reset") if isinstance(headers, dict) else None
    try:
        if reset is not None:
            seconds = float(reset) / 1000.0 - time.time()
        elif retry_after:
            seconds = float(retry_after)
    except (TypeError, ValueError):
        seconds = None
    if seconds is None or seconds <= 0:
        return "Wait a little and try again"
    if seconds < 90:
        return f"Try again in about {_plural(max(1, round(seconds)), 'second')}"
    return f"Try again in about {_plural(round(seconds / 60), 'minute')}"


RATE_LIMIT_PREFIX = re.compile(r"^\s*rate limit(?: exceeded| reached)?\s*[:.,-]?\s*", re.IGNORECASE)

# Plain words for each error status OpenRouter documents ({model}: the model, in quotes).
ERROR_WORDING: dict[int, str] = {
    401: ("OpenRouter did not accept the API key (it is missing or invalid). "
          "Set OPENROUTER_API_KEY on the server and restart routerchat."),
    402: ("Your OpenRouter account is out of credits. Add credits on openrouter.ai; "
          "a negative balance blocks free models too."),
    403: "OpenRouter's moderation flagged this message, so the model did not answer. Rephrase it and try again.",
    404: ("{model} is not available on OpenRouter any more (no endpoints found). "
          "Choose another model in the preset settings."),
    408: "OpenRouter timed out before the model answered. Try again in a moment.",
    413: "The conversation is too long for this model. Start a new chat or pick a model with a larger context.",
    502: "The model's provider returned an error. Try again, or pick another model.",
    503: "No provider can serve this model right now. Try again later or pick another model.",
    504: "OpenRouter stopped responding in time. Try again in a moment.",
}


def describe_error(
    status: int,
    upstream_message: str,
    model: str | None = None,
    metadata: dict[str, Any] | None = None,
    retry_after: str | None = None,
) -> str:
    """Plain words for an OpenRouter error status: the table above, plus the cases that depend on
    what OpenRouter said (a bad model id, a rate limit and when it resets, an unknown status)."""
    model_name = f"“{model}”" if model else "this model"
    said = upstream_message.strip()
    if status == 400 and "model" in said.lower() and "valid" in said.lower():
        return f"{model_name} is not a valid OpenRouter model ID. Pick another model in the preset settings."
    if status == 400:
        return f"OpenRouter rejected the request: {said.rstrip('.') or 'bad request'}."
    if status == 429:
        which = RATE_LIMIT_PREFIX.sub("", said).rstrip(". ")  # "Rate limit exceeded: free-models-per-min."
        limit = f" ({which})" if which else ""
        return f"OpenRouter's rate limit is reached{limit}. {_retry_hint(metadata, retry_after)}, or use a paid model."
    if status in ERROR_WORDING:
        return ERROR_WORDING[status].format(model=model_name)
    return f"OpenRouter answered with an error (status {status}){': ' + said.rstrip('.') if said else ''}. Try again."


CONNECTION_FAILED = ("The connection to OpenRouter failed. Try again; if it keeps failing, "
                     "check the server's network and OPENROUTER_BASE_URL.")
ANSWER_CUT_OFF = "The answer was cut off: the connection to OpenRouter ended early. Try again."
UNREADABLE_ANSWER = "OpenRouter sent an answer routerchat could not read."
UNREADABLE_MODEL_LIST = "OpenRouter sent a model list routerchat could not read."


LOCAL_SERVER = "the local model server"


def for_local_server(message: str) -> str:
    """The same words for a failure of the local model server (LOCAL_BASE_URL) instead of OpenRouter."""
    worded = message.replace("OPENROUTER_BASE_URL", "LOCAL_BASE_URL").replace("OpenRouter's", f"{LOCAL_SERVER}'s")
    worded = worded.replace("on OpenRouter", f"on {LOCAL_SERVER}").replace("OpenRouter", LOCAL_SERVER)
    return worded[:1].upper() + worded[1:]
