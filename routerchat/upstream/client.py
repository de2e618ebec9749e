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
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

import gevent
import requests

from ..citations import merge_citations
from ..errors import UpstreamError
from ..sse import DONE_SENTINEL, iter_event_data, split_lines
from ..text_safety import SurrogateJoiner, redact_secrets
from .catalog import catalog_from
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
    return UpstreamError(502, CONNECTION_FAILED, detail=detail)


def _dropped_before_answer(exc: requests.exceptions.ConnectionError) -> bool:
    return not isinstance(exc, requests.exceptions.Timeout) and "Connection aborted" in str(exc)


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


@dataclass(frozen=True)
class Delta:
    """A piece of the answer (`kind` CONTENT) or of the model's reasoning (`kind` REASONING)."""

    kind: str
    text: str


@dataclass
class ChatStream:
    """An open streaming answer: iterate for its deltas (answer and reasoning), read `result` afterwards."""

    response: requests.Response
    requested_model: str
    result: StreamResult = field(default_factory=StreamResult)
    secret: str = field(default="", repr=False)

    def __iter__(self) -> Iterator[Delta]:
        # JSON may escape one emoji as two halves in two chunks: one joiner per kind of text.
        joiners = {CONTENT: SurrogateJoiner(), REASONING: SurrogateJoiner()}
        try:
            for data in iter_event_data(split_lines(self.response.iter_content(chunk_size=None))):
                if data.strip() == DONE_SENTINEL:
                    self.result.saw_done = True
                    self._read_to_the_end()
                    break
                for kind, raw in self._handle_chunk(data):
                    if text := joiners[kind].feed(raw):
                        yield Delta(kind, text)
        except requests.exceptions.RequestException as exc:
            raise transport_error(exc) from exc
        finally:
            self.close()
        for kind, joiner in joiners.items():
            if tail := joiner.flush():
                yield Delta(kind, tail)
        if not self.result.saw_done and self.result.finish_reason is None:
            raise UpstreamError(502, ANSWER_CUT_OFF, detail="stream ended without [DONE] or finish_reason")

    def _handle_chunk(self, data: str) -> list[tuple[str, str]]:
        """The chunk's reasoning and answer text (in that order), noting its model, usage,
        finish reason and citations."""
        try:
            chunk = json.loads(data)
        except ValueError:
            log.warning("ignoring unreadable stream chunk from OpenRouter")
            return []
        if not isinstance(chunk, dict):
            return []
        model = self.result.model or chunk.get("model") or self.requested_model
        self.result.model = model
        if chunk.get("usage"):
            self.result.usage = chunk["usage"]
        with redacting(self.secret):
            choice = _checked_first_choice(chunk, model)
        if choice.get("finish_reason"):
            self.result.finish_reason = choice["finish_reason"]
        delta = choice.get("delta")
        if not isinstance(delta, dict):
            return []
        for source in (delta, choice.get("message")):
            if isinstance(source, dict) and source.get("annotations"):
                self.result.citations = merge_citations(self.result.citations, source["annotations"])
        reasoning = delta.get("reasoning")
        if not (isinstance(reasoning, str) and reasoning):
            reasoning = _details_text(delta.get("reasoning_details"))
        pieces = [(REASONING, reasoning), (CONTENT, delta.get("content"))]
        return [(kind, text) for kind, text in pieces if isinstance(text, str) and text]

    def _read_to_the_end(self) -> None:
        """After [DONE] only the end of the body is left (the chunked encoding's last, empty
        chunk). Once it is read, `close` gives the connection back to the pool for the next
        message; closed, the next message paid a new TCP (and TLS) handshake before its request
        could go out. An upstream that keeps the body open longer than DRAIN_SECONDS after [DONE]
        has its connection closed, as before, and so has one that fails there: the answer is whole."""
        with gevent.Timeout(DRAIN_SECONDS, False), suppress(requests.exceptions.RequestException, OSError):
            for _ in self.response.iter_content(chunk_size=None):
                pass

    def close(self) -> None:
        """Closing the connection before the body's end tells OpenRouter to stop generating (and
        billing); after it, the connection goes back to the pool."""
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
        self.headers = self._headers()  # built once: every request sends the same

    def _headers(self) -> dict[str, str]:
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
                    f"{self.base_url}/chat/completions", json=body, headers=self.headers,
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
        response.request.body = None  # sent; the response would keep it (attachments: megabytes) for the answer
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
            response = self.session.get(f"{self.base_url}{path}", headers=self.headers,
                                        timeout=(self.connect_timeout, self.read_timeout))
        except requests.exceptions.RequestException as exc:
            raise transport_error(exc) from exc
        if response.status_code != 200:
            with redacting(self.api_key):
                raise _error_from_response(response, None)
        try:
            data: object = response.json().get("data")
        except (ValueError, AttributeError) as exc:
            raise UpstreamError(502, UNREADABLE_MODEL_LIST, detail="invalid JSON") from exc
        return data


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
