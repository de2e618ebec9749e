"""The one client for OpenRouter: streaming chat, plain completion and the model list.

Every failure surfaces as `UpstreamError`, whose `message` is written for the person using the
app (what happened and what to do), while `detail` keeps OpenRouter's own words for the log.
"""
from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import requests

from .sse import DONE_SENTINEL, iter_event_data, split_lines
from .text_safety import SurrogateJoiner, redact_secrets

log = logging.getLogger(__name__)

class UpstreamError(Exception):
    """OpenRouter (or the way to it) failed; `status` mirrors the HTTP status it implies."""

    def __init__(self, status: int, message: str, detail: str = ""):
        super().__init__(message)
        self.status = status
        self.message = message
        self.detail = detail or message


@contextmanager
def redacting(secret: str) -> Iterator[None]:
    """No UpstreamError leaves with the key in it: a proxy or an OpenAI-compatible server may
    echo the `Authorization` header in its error text, which is shown, stored and logged."""
    try:
        yield
    except UpstreamError as exc:
        exc.message = redact_secrets(exc.message, [secret])
        exc.detail = redact_secrets(exc.detail, [secret])
        exc.args = (exc.message,)
        raise


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

# Plain words for each status of OPENROUTER.md's table ({model}: the model, in quotes).
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


def _error_from_payload(error: object, model: str | None, default_status: int = 502,
                        retry_after: str | None = None) -> UpstreamError:
    """Build an UpstreamError from OpenRouter's `{"code", "message", "metadata"}` object."""
    if not isinstance(error, dict):
        error = {"message": str(error)}
    code = error.get("code")
    status = code if isinstance(code, int) and 400 <= code <= 599 else default_status
    raw = str(error.get("message") or "")
    found = error.get("metadata")
    metadata: dict[str, Any] | None = found if isinstance(found, dict) else None
    return UpstreamError(status, describe_error(status, raw, model, metadata, retry_after),
                         detail=f"{code}: {raw}")


def _error_from_response(response: requests.Response, model: str | None) -> UpstreamError:
    try:
        body = response.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if error is None:
        error = {"code": response.status_code, "message": response.reason or ""}
    elif isinstance(error, dict):
        error = {**error, "code": response.status_code}
    return _error_from_payload(error, model, response.status_code,
                               response.headers.get("Retry-After"))


def transport_error(exc: requests.exceptions.RequestException) -> UpstreamError:
    """A timeout or broken connection; a read timeout mid-stream arrives as ConnectionError."""
    detail = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, requests.exceptions.Timeout) or "timed out" in str(exc).lower():
        return UpstreamError(504, describe_error(504, ""), detail=detail)
    return UpstreamError(502, "The connection to OpenRouter failed. Try again; if it keeps failing, "
                              "check the server's network and OPENROUTER_BASE_URL.", detail=detail)


def _dropped_before_answer(exc: requests.exceptions.ConnectionError) -> bool:
    return not isinstance(exc, requests.exceptions.Timeout) and "Connection aborted" in str(exc)


def is_free_model(model: dict[str, Any]) -> bool:
    """Free when the id ends with `:free` (or is the free router) or both prices are zero."""
    model_id = str(model.get("id", ""))
    if model_id.endswith(":free") or model_id == "openrouter/free":
        return True
    pricing = model.get("pricing") or {}
    try:
        return float(pricing["prompt"]) == 0 and float(pricing["completion"]) == 0
    except (KeyError, TypeError, ValueError):
        return False


@dataclass
class Completion:
    content: str
    model: str | None
    finish_reason: str | None
    usage: dict[str, Any] | None


@dataclass
class StreamResult:
    """What is known once a stream has finished normally."""

    model: str | None = None
    finish_reason: str | None = None
    usage: dict[str, Any] | None = None
    saw_done: bool = False


@dataclass
class ChatStream:
    """An open streaming answer: iterate for text deltas, read `result` afterwards."""

    response: requests.Response
    requested_model: str
    result: StreamResult = field(default_factory=StreamResult)
    secret: str = field(default="", repr=False)

    def __iter__(self) -> Iterator[str]:
        joiner = SurrogateJoiner()  # JSON may escape one emoji as two halves in two chunks
        try:
            for data in iter_event_data(split_lines(self.response.iter_content(chunk_size=None))):
                if data.strip() == DONE_SENTINEL:
                    self.result.saw_done = True
                    break
                delta = joiner.feed(self._handle_chunk(data))
                if delta:
                    yield delta
        except requests.exceptions.RequestException as exc:
            raise transport_error(exc) from exc
        finally:
            self.close()
        if tail := joiner.flush():
            yield tail
        if not self.result.saw_done and self.result.finish_reason is None:
            raise UpstreamError(502, "The answer was cut off: the connection to OpenRouter ended early. Try again.",
                                detail="stream ended without [DONE] or finish_reason")

    def _handle_chunk(self, data: str) -> str:
        try:
            chunk = json.loads(data)
        except ValueError:
            log.warning("ignoring unreadable stream chunk from OpenRouter")
            return ""
        if not isinstance(chunk, dict):
            return ""
        model = self.result.model or chunk.get("model") or self.requested_model
        self.result.model = model
        if chunk.get("usage"):
            self.result.usage = chunk["usage"]
        with redacting(self.secret):
            choice = _checked_first_choice(chunk, model)
        if choice.get("finish_reason"):
            self.result.finish_reason = choice["finish_reason"]
        delta = choice.get("delta") or {}
        content = delta.get("content")
        return content if isinstance(content, str) else ""

    def close(self) -> None:
        """Closing the connection tells OpenRouter to stop generating (and billing)."""
        self.response.close()


class OpenRouterClient:
    def __init__(self, base_url: str, api_key: str, *, connect_timeout: float = 10.0,
                 read_timeout: float = 120.0, app_url: str = "", app_title: str = "routerchat",
                 session: requests.Session | None = None):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.app_url = app_url
        self.app_title = app_title
        self.session = session or requests.Session()

    def _headers(self) -> dict[str, Any]:
        headers = {"Content-Type": "application/json", "X-Title": self.app_title}
        if self.app_url:
            headers["HTTP-Referer"] = self.app_url
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    def _post(self, body: dict[str, Any], *, stream: bool, read_timeout: float | None = None) -> requests.Response:
        """POST to /chat/completions; retried once when the connection dropped before any answer.

        A pooled keep-alive connection that the server closed meanwhile fails this way; the
        request never reached the model, so sending it again cannot double a generation.
        """
        for attempt in (1, 2):
            try:
                return self.session.post(
                    f"{self.base_url}/chat/completions", json=body, headers=self._headers(),
                    stream=stream, timeout=(self.connect_timeout, read_timeout or self.read_timeout),
                )
            except requests.exceptions.ConnectionError as exc:
                if attempt == 1 and _dropped_before_answer(exc):
                    log.info("OpenRouter closed the connection before answering; retrying once")
                    continue
                raise transport_error(exc) from exc
            except requests.exceptions.RequestException as exc:
                raise transport_error(exc) from exc
        raise AssertionError("unreachable")

    def stream_chat(self, messages: list[dict[str, Any]], model: str, **extra: Any) -> ChatStream:
        """Start a streamed answer; HTTP errors raise before any text arrives."""
        with redacting(self.api_key):
            response = self._post({"model": model, "messages": messages, "stream": True, **extra}, stream=True)
            if response.status_code != 200:
                try:
                    raise _error_from_response(response, model)
                finally:
                    response.close()
        return ChatStream(response=response, requested_model=model, secret=self.api_key)

    def complete(self, messages: list[dict[str, Any]], model: str, *, models: list[str] | None = None,
                 timeout: float | None = None, **extra: Any) -> Completion:
        body = {"model": model, "messages": messages, "stream": False, **extra}
        if models:
            body["models"] = [model, *[m for m in models if m != model]]
        with redacting(self.api_key):
            try:
                response = self._post(body, stream=False, read_timeout=timeout)
                if response.status_code != 200:
                    raise _error_from_response(response, model)
                payload = response.json()
            except ValueError as exc:
                raise UpstreamError(502, "OpenRouter sent an answer routerchat could not read.",
                                    detail="invalid JSON") from exc
            return _completion_from_payload(payload, model)

    def list_models(self) -> list[dict[str, Any]]:
        try:
            response = self.session.get(f"{self.base_url}/models", headers=self._headers(),
                                        timeout=(self.connect_timeout, self.read_timeout))
        except requests.exceptions.RequestException as exc:
            raise transport_error(exc) from exc
        if response.status_code != 200:
            with redacting(self.api_key):
                raise _error_from_response(response, None)
        try:
            data = response.json().get("data")
        except (ValueError, AttributeError) as exc:
            raise UpstreamError(502, "OpenRouter sent a model list routerchat could not read.",
                                detail="invalid JSON") from exc
        return [_model_entry(item) for item in data or [] if isinstance(item, dict) and item.get("id")]


def _checked_first_choice(payload: dict[str, Any], model: str | None) -> dict[str, Any]:
    """The first choice of a completion or chunk, raising when the payload reports a failure
    (a top-level `error`, `choices[0].error`, or `finish_reason: "error"`, all seen with 200)."""
    choices = payload.get("choices") or []
    choice = choices[0] if choices and isinstance(choices[0], dict) else {}
    if payload.get("error") or choice.get("error") or choice.get("finish_reason") == "error":
        raise _error_from_payload(payload.get("error") or choice.get("error")
                                  or {"message": "finish_reason error"}, model)
    return choice


def _completion_from_payload(payload: object, model: str) -> Completion:
    if not isinstance(payload, dict):
        raise UpstreamError(502, "OpenRouter sent an answer routerchat could not read.", detail="not an object")
    choice = _checked_first_choice(payload, model)
    message = choice.get("message") or {}
    content = message.get("content")
    return Completion(
        content=content if isinstance(content, str) else "",
        model=payload.get("model") or model,
        finish_reason=choice.get("finish_reason"),
        usage=payload.get("usage") if isinstance(payload.get("usage"), dict) else None,
    )


def _model_entry(item: dict[str, Any]) -> dict[str, Any]:
    found = item.get("pricing")
    pricing: dict[str, Any] = found if isinstance(found, dict) else {}
    return {
        "id": item["id"],
        "name": item.get("name") or item["id"],
        "free": is_free_model(item),
        "context_length": item.get("context_length"),
        "pricing": {"prompt": pricing.get("prompt"), "completion": pricing.get("completion")},
    }
