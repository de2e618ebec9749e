"""The HTTP client for OpenRouter: streaming chat (SSE), plain completion and the model list.

Every failure surfaces as `UpstreamError` (errors.py; an ApiError, so a route that lets it through
answers 502): `message` is written for the person using the app (the words come from
wording.py), `detail` keeps OpenRouter's own words for the log and `upstream_status` its
status. No error leaves with the API key in it. The client knows nothing of Flask or the
database; instance.py builds it from the app's settings.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import gevent
import urllib3
from urllib3.exceptions import HTTPError, NewConnectionError, ProtocolError
from urllib3.exceptions import TimeoutError as UpstreamTimeout

from ..citations import merge_citations
from ..errors import UpstreamError
from ..sse import DONE_DATA, event_data
from ..text_safety import SurrogateJoiner, redact_secrets
from .catalog import catalog_from
from .pool import connection_pool, request_target
from .wording import (
    ANSWER_CUT_OFF,
    CONNECTION_FAILED,
    UNREADABLE_ANSWER,
    UNREADABLE_MODEL_LIST,
    describe_error,
)

log = logging.getLogger(__name__)


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


def _error_from_response(response: urllib3.BaseHTTPResponse, model: str | None) -> UpstreamError:
    try:
        body = response.json()
    except (ValueError, HTTPError, OSError):  # not JSON, or the body broke off
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if error is None:
        error = {"code": response.status, "message": response.reason or ""}
    elif isinstance(error, dict):
        error = {**error, "code": response.status}
    return _error_from_payload(error, model, response.status, response.headers.get("Retry-After"))


TRANSPORT_ERRORS = (HTTPError, OSError)  # urllib3 wraps the socket's errors; OSError for any it lets through


def transport_error(exc: Exception) -> UpstreamError:
    """A timeout (connecting, or reading: before the answer or mid-stream) or a broken connection."""
    detail = f"{type(exc).__name__}: {exc}"
    refused = isinstance(exc, NewConnectionError)  # urllib3 files it under timeouts; "timed out" says which
    if (isinstance(exc, UpstreamTimeout) and not refused) or "timed out" in str(exc).lower():
        return UpstreamError(504, describe_error(504, ""), detail=detail)
    return UpstreamError(502, CONNECTION_FAILED, detail=detail)


def _dropped_before_answer(exc: Exception) -> bool:
    """A pooled connection the server had closed: the request was never read (urllib3 says
    "Connection aborted" before any response came)."""
    return isinstance(exc, ProtocolError) and "Connection aborted" in str(exc)


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
    citations: list[dict[str, str]] = field(default_factory=list)


CONTENT = "chunk"
REASONING = "reasoning"
DRAIN_SECONDS = 1.0


class Delta(NamedTuple):
    """A piece of the answer (`kind` CONTENT) or of the model's reasoning (`kind` REASONING)."""

    kind: str
    text: str


@dataclass
class ChatStream:
    """An open streaming answer: iterate for its deltas (answer and reasoning), read `result` afterwards."""

    response: urllib3.BaseHTTPResponse
    requested_model: str
    result: StreamResult = field(default_factory=StreamResult)
    secret: str = field(default="", repr=False)

    def __iter__(self) -> Iterator[Delta]:
        # JSON may escape one emoji as two halves in two chunks: one joiner per kind of text.
        joiners = {CONTENT: SurrogateJoiner(), REASONING: SurrogateJoiner()}
        with redacting(self.secret):  # once for the whole stream, not per chunk
            try:
                for data in event_data(self.response.stream(None)):
                    if data.strip() == DONE_DATA:
                        self.result.saw_done = True
                        self._read_to_the_end()
                        break
                    for kind, raw in self._handle_chunk(data):
                        if text := joiners[kind].feed(raw):
                            yield Delta(kind, text)
            except TRANSPORT_ERRORS as exc:
                raise transport_error(exc) from exc
            finally:
                self.close()
        for kind, joiner in joiners.items():
            if tail := joiner.flush():
                yield Delta(kind, tail)
        if not self.result.saw_done and self.result.finish_reason is None:
            raise UpstreamError(502, ANSWER_CUT_OFF, detail="stream ended without [DONE] or finish_reason")

    def _handle_chunk(self, data: bytes) -> list[tuple[str, str]]:
        """The chunk's reasoning and answer text (in that order), noting its model, usage,
        finish reason and citations."""
        chunk = _json_of(data)
        if not isinstance(chunk, dict):
            return []
        model = self.result.model or chunk.get("model") or self.requested_model
        self.result.model = model
        if chunk.get("usage"):
            self.result.usage = chunk["usage"]
        choice = _checked_first_choice(chunk, model)
        if choice.get("finish_reason"):
            self.result.finish_reason = choice["finish_reason"]
        delta = choice.get("delta")
        if not isinstance(delta, dict):
            return []
        for source in (delta, choice.get("message")):
            if isinstance(source, dict) and source.get("annotations"):
                self.result.citations = merge_citations(self.result.citations, source["annotations"])
        content = delta.get("content")
        answer = [(CONTENT, content)] if isinstance(content, str) and content else []
        reasoning = delta.get("reasoning")
        if not (isinstance(reasoning, str) and reasoning):
            if "reasoning_details" not in delta:
                return answer  # most chunks: text only
            reasoning = _details_text(delta["reasoning_details"])
        return [(REASONING, reasoning), *answer] if reasoning else answer

    def _read_to_the_end(self) -> None:
        """After [DONE] only the end of the body is left (the chunked encoding's last, empty
        chunk). Once it is read, `close` gives the connection back to the pool for the next
        message; closed, the next message paid a new TCP (and TLS) handshake before its request
        could go out. An upstream that keeps the body open longer than DRAIN_SECONDS after [DONE]
        has its connection closed, as before, and so has one that fails there: the answer is whole."""
        with gevent.Timeout(DRAIN_SECONDS, False), suppress(*TRANSPORT_ERRORS):
            for _ in self.response.stream(None):
                pass

    def close(self) -> None:
        """Closing the connection before the body's end tells OpenRouter to stop generating (and
        billing). A body read to its end gave its connection back to the pool already (urllib3
        does that); there, closing does nothing."""
        close_response(self.response)


def close_response(response: urllib3.BaseHTTPResponse) -> None:
    """Close the response's connection unless the pool has it back: a closed one is put back as an
    empty slot (the pool opens a new connection there when it needs one)."""
    response.close()
    response.release_conn()


def _no_check(_request: str) -> None:
    return None


class OpenRouterClient:
    """`pool`: where connections come from (`connection_pool`, one per process); `check`: called
    with "METHOD url" before each request is sent (the app's connection guard)."""

    def __init__(self, base_url: str, api_key: str, *, connect_timeout: float = 10.0,
                 read_timeout: float = 120.0, app_url: str = "", app_title: str = "routerchat",
                 pool: urllib3.PoolManager | None = None, check: Callable[[str], None] = _no_check):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.app_url = app_url
        self.app_title = app_title
        self.pool = pool or connection_pool(self.base_url)
        self.connections, self.prefix = request_target(self.pool, self.base_url)
        self.check = check
        self.headers = self._headers()  # built once: every request sends the same
        self.timeout = urllib3.Timeout(connect=connect_timeout, read=read_timeout)

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept-Encoding": "gzip, deflate",
                   "User-Agent": "routerchat", "X-Title": self.app_title}
        if self.app_url:
            headers["HTTP-Referer"] = self.app_url
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    def _request(self, method: str, path: str, *, body: dict[str, Any] | None = None, stream: bool = False,
                 read_timeout: float | None = None) -> urllib3.BaseHTTPResponse:
        """One request (redirects are not followed); a streamed response's body is read by the caller."""
        url = f"{self.base_url}{path}"
        self.check(f"{method} {url}")
        timeout = self.timeout if read_timeout is None else urllib3.Timeout(
            connect=self.connect_timeout, read=read_timeout)
        payload = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        return self.connections.urlopen(method, self.prefix + path, body=payload, headers=self.headers,
                                        timeout=timeout, retries=False, redirect=False, preload_content=not stream)

    def _post(self, body: dict[str, Any], *, stream: bool,
              read_timeout: float | None = None) -> urllib3.BaseHTTPResponse:
        """POST to /chat/completions; retried once when the connection dropped before any answer.

        A pooled keep-alive connection that the server closed meanwhile fails this way; the
        request never reached the model, so sending it again cannot double a generation.
        """
        for attempt in (1, 2):
            try:
                return self._request("POST", "/chat/completions", body=body, stream=stream, read_timeout=read_timeout)
            except TRANSPORT_ERRORS as exc:
                if attempt == 1 and _dropped_before_answer(exc):
                    log.info("OpenRouter closed the connection before answering; retrying once")
                    continue
                raise transport_error(exc) from exc
        raise AssertionError("unreachable")

    def stream_chat(self, messages: list[dict[str, Any]], model: str, **extra: Any) -> ChatStream:
        """Start a streamed answer; HTTP errors raise before any text arrives."""
        with redacting(self.api_key):
            response = self._post({"model": model, "messages": messages, "stream": True, **extra}, stream=True)
            if response.status != 200:
                try:
                    raise _error_from_response(response, model)
                finally:
                    close_response(response)
        return ChatStream(response=response, requested_model=model, secret=self.api_key)

    def complete(self, messages: list[dict[str, Any]], model: str, *, models: list[str] | None = None,
                 timeout: float | None = None, **extra: Any) -> Completion:
        body = {"model": model, "messages": messages, "stream": False, **extra}
        if models:
            body["models"] = [model, *[m for m in models if m != model]]
        with redacting(self.api_key):
            try:
                response = self._post(body, stream=False, read_timeout=timeout)
                if response.status != 200:
                    raise _error_from_response(response, model)
                payload = response.json()
            except ValueError as exc:
                raise UpstreamError(502, UNREADABLE_ANSWER, detail="invalid JSON") from exc
            return _completion_from_payload(payload, model)

    def list_models(self) -> list[dict[str, Any]]:
        """OpenRouter's models as catalog.py shapes them (sorted by name)."""
        return catalog_from(self._get_data("/models"))

    def key_info(self) -> object:
        """OpenRouter's GET /key `data`: the key's limit, usage and free-tier state."""
        return self._get_data("/key")

    def _get_data(self, path: str) -> object:
        """The `data` member of a GET's JSON answer; UpstreamError when it cannot be had."""
        try:
            response = self._request("GET", path)
        except TRANSPORT_ERRORS as exc:
            raise transport_error(exc) from exc
        if response.status != 200:
            with redacting(self.api_key):
                raise _error_from_response(response, None)
        try:
            data: object = response.json().get("data")
        except (ValueError, AttributeError) as exc:
            raise UpstreamError(502, UNREADABLE_MODEL_LIST, detail="invalid JSON") from exc
        return data


def _json_of(data: bytes) -> object:
    """A chunk's JSON; text that is not UTF-8 is read with replacement characters, as a browser
    would show it; a chunk that is not JSON is skipped (None)."""
    try:
        return json.loads(data)
    except UnicodeDecodeError:
        return _json_of(data.decode("utf-8", errors="replace").encode())
    except ValueError:
        log.warning("ignoring unreadable stream chunk from OpenRouter")
        return None


def _details_text(details: object) -> str:
    """The readable text of `reasoning_details` (for providers that send no `reasoning` text):
    `reasoning.text` and `reasoning.summary` items; encrypted ones have none."""
    if not isinstance(details, list):
        return ""
    texts = [item.get("text") if item.get("type") == "reasoning.text" else item.get("summary")
             for item in details if isinstance(item, dict)]
    return "".join(text for text in texts if isinstance(text, str))


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
        raise UpstreamError(502, UNREADABLE_ANSWER, detail="not an object")
    choice = _checked_first_choice(payload, model)
    message = choice.get("message") or {}
    content = message.get("content")
    return Completion(
        content=content if isinstance(content, str) else "",
        model=payload.get("model") or model,
        finish_reason=choice.get("finish_reason"),
        usage=payload.get("usage") if isinstance(payload.get("usage"), dict) else None,
    )
