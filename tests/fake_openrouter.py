"""A fake OpenRouter: a real HTTP server on 127.0.0.1 speaking the documented wire format.

Tests choose what it does next by queueing *plans* (`fake.stream_plans`, `fake.completion_plans`);
without one it answers normally: streams echo the last user message, completions say "Echo Reply".
Every request is recorded (`fake.requests`) so tests can check what the app sent.
Run it alone with `python -m tests.fake_openrouter --port 8999` for a manual session or a benchmark.
"""
from __future__ import annotations

import argparse
import json
import select
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_KEY = "sk-or-v1-test-0123456789abcdef"
FREE_MODEL = "meta-llama/llama-3.2-3b-instruct:free"

MODELS = [
    {"id": "anthropic/claude-sonnet-4.5", "name": "Anthropic: Claude Sonnet 4.5", "context_length": 1000000,
     "pricing": {"prompt": "0.000003", "completion": "0.000015"}},
    {"id": "openai/gpt-5", "name": "OpenAI: GPT-5", "context_length": 400000,
     "pricing": {"prompt": "0.00000125", "completion": "0.00001"},
     "supported_parameters": ["include_reasoning", "max_tokens", "reasoning", "tools"]},
    {"id": "google/gemini-2.5-pro", "name": "Google: Gemini 2.5 Pro", "context_length": 1048576,
     "pricing": {"prompt": "0.00000125", "completion": "0.00001"}},
    {"id": "google/gemini-2.5-flash", "name": "Google: Gemini 2.5 Flash", "context_length": 1048576,
     "pricing": {"prompt": "0.0000003", "completion": "0.0000025"}},
    {"id": "deepseek/deepseek-chat-v3.1", "name": "DeepSeek: DeepSeek V3.1", "context_length": 163840,
     "pricing": {"prompt": "0.0000002", "completion": "0.0000008"}},
    {"id": "mistralai/mistral-small-3.2-24b-instruct", "name": "Mistral: Mistral Small 3.2 24B",
     "context_length": 131072, "pricing": {"prompt": "0.00000005", "completion": "0.0000001"}},
    {"id": FREE_MODEL, "name": "Meta: Llama 3.2 3B Instruct (free)", "context_length": 131072,
     "pricing": {"prompt": "0", "completion": "0"}},
    {"id": "google/gemma-3-27b-it:free", "name": "Google: Gemma 3 27B (free)", "context_length": 96000,
     "pricing": {"prompt": "0", "completion": "0"}},
    {"id": "qwen/qwen3-4b", "name": "Qwen: Qwen3 4B", "context_length": 40960,
     "pricing": {"prompt": "0", "completion": "0"}},
    {"id": "openrouter/free", "name": "Free Models Router", "context_length": 200000,
     "pricing": {"prompt": "0", "completion": "0"}},
]

# Models whose list entry says they read images (architecture.input_modalities); the others read text only.
READS_IMAGES = {"anthropic/claude-sonnet-4.5", "openai/gpt-5", "google/gemini-2.5-pro", "google/gemini-2.5-flash",
                "google/gemma-3-27b-it:free"}

Plan = Callable[["FakeHandler", dict], None]


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict
    body: dict | None
    disconnected: bool = False
    finished: bool = False
    peer_port: int | None = None  # the client's side of the TCP connection: the same on a reused one


class FakeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    # --- writing helpers used by plans -------------------------------------------------------
    def send_json(self, status: int, payload: object, headers: dict | None = None) -> None:
        raw = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(raw)

    def send_error_body(self, status: int, message: str, metadata: dict | None = None,
                        headers: dict | None = None) -> None:
        error = {"code": status, "message": message}
        if metadata:
            error["metadata"] = metadata
        self.send_json(status, {"error": error, "user_id": "user_fake"}, headers)

    def start_stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def write_raw(self, text: str) -> None:
        """One HTTP chunk; a browser that left shows up here as a broken pipe."""
        data = text.encode()
        try:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError) as exc:
            self.record.disconnected = True
            raise ClientGone from exc

    def think(self, seconds: float) -> None:
        """Wait as an upstream that is still working on the answer. A client that hangs up ends the
        wait (ClientGone), as a real server notices a closed connection, so no test waits out a
        long plan its client left."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            readable, _, _ = select.select([self.connection], [], [], min(left, 0.1))
            if readable and self._peer_closed():
                self.record.disconnected = True
                raise ClientGone
            if readable:  # bytes from the client, not a hang-up: plain sleep, or select spins
                time.sleep(min(left, 0.1))

    def think_until(self, released: threading.Event, seconds: float = 30.0) -> None:
        """Think until the test releases the plan (or `seconds` pass): a test that must see the
        upstream still working holds it this way instead of racing a fixed delay."""
        deadline = time.monotonic() + seconds
        while not released.is_set() and time.monotonic() < deadline:
            self.think(0.05)

    def _peer_closed(self) -> bool:
        try:
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def write_data(self, payload: object) -> None:
        self.write_raw(f"data: {payload if isinstance(payload, str) else json.dumps(payload)}\n\n")

    def end_stream(self) -> None:
        try:
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.record.disconnected = True

    def chunk(self, content: str | None = None, finish: str | None = None, **delta_extra) -> dict:
        delta = {"role": "assistant", **delta_extra}
        if content is not None:
            delta["content"] = content
        return {"id": "gen-fake", "provider": "Fake", "model": self.answer_model, "object": "chat.completion.chunk",
                "created": int(time.time()),
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "native_finish_reason": finish}]}

    @property
    def answer_model(self) -> str:
        return self.server.fake.answer_model or (self.body or {}).get("model") or "unknown/model"

    # --- routing ---------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            self.body = json.loads(raw) if raw else None
        except ValueError:
            self.body = None
        path = self.path.split("?", 1)[0].removeprefix(self.server.fake.prefix)
        self.record = Recorded(self.command, path, dict(self.headers.items()), self.body,
                               peer_port=self.client_address[1])
        fake = self.server.fake
        with fake.lock:
            fake.requests.append(self.record)
        try:
            if path == "/models" and self.command == "GET":
                fake.models_plan(self, self.body or {})
            elif path == "/key" and self.command == "GET":
                fake.key_plan(self, self.body or {})
            elif path == "/chat/completions" and self.command == "POST":
                self._chat_completions(fake)
            elif path == "/_fake/requests" and self.command == "GET":
                self.send_json(200, {"requests": fake.request_summaries()})
            elif path == "/_fake/settings" and self.command == "PUT":
                fake.completion_delay = float((self.body or {}).get("completion_delay", 0))
                self.send_json(200, {"completion_delay": fake.completion_delay})
            else:
                self.send_error_body(404, f"Not found: {path}")
        except ClientGone:
            pass
        finally:
            self.record.finished = True

    def _chat_completions(self, fake: FakeOpenRouter) -> None:
        if not fake.api_key:  # a local server without a key: any credentials sent are a leak
            if self.headers.get("Authorization"):
                self.send_error_body(401, "This server takes no credentials.")
                return
        elif self.headers.get("Authorization") != f"Bearer {fake.api_key}":
            message = "No auth credentials found" if not self.headers.get("Authorization") else "User not found."
            self.send_error_body(401, message)
            return
        if not isinstance(self.body, dict) or not isinstance(self.body.get("messages"), list):
            self.send_error_body(400, "Input required: specify \"messages\"")
            return
        plan = fake.next_plan(bool(self.body.get("stream")))
        plan(self, self.body)


class ClientGone(Exception):
    pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # the default 5 drops simultaneous connects (1 s SYN retries)
    fake: FakeOpenRouter

    def handle_error(self, request, client_address) -> None:
        """A client dropping its keep-alive connection is normal; anything else is shown."""
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


# --- plans: streaming ----------------------------------------------------------------------
def text_of(content: object) -> str:
    """A message's text: the content itself, or its text parts (a message with attachments)."""
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return content if isinstance(content, str) else ""


def last_user_text(body: dict) -> str:
    users = [text_of(m.get("content", "")) for m in body.get("messages", []) if m.get("role") == "user"]
    return users[-1] if users else ""


def echo_tokens(body: dict) -> list[str]:
    words = f"Echo: {last_user_text(body)}".split(" ")
    return [w if i == 0 else " " + w for i, w in enumerate(words)]


USAGE = {"prompt_tokens": 12, "completion_tokens": 7, "total_tokens": 19, "cost": 0}


def stream_tokens(tokens: list[str] | None = None, *, delay: float = 0.0, usage: dict | None = USAGE,
                  finish: str = "stop", done: bool = True, usage_choice: bool = False,
                  model: str | None = None, hold: threading.Event | None = None) -> Plan:
    """A normal answer with every documented quirk: processing comments before the first data,
    a role-only chunk with empty content, a chunk without `content`, keep-alive comments
    between deltas, the finish chunk, then a usage chunk (choices `[]` or one empty choice).
    `hold`: the last token waits until the test sets it."""
    def plan(h: FakeHandler, body: dict) -> None:
        words = tokens if tokens is not None else echo_tokens(body)
        h.start_stream()
        h.write_raw(": OPENROUTER PROCESSING\n\n")
        h.write_raw(": OPENROUTER PROCESSING\n\n")
        first = h.chunk("")
        if model:
            first["model"] = model
        h.write_data(first)
        h.write_data(h.chunk(None))
        for i, word in enumerate(words):
            if delay:
                h.think(delay)
            if hold and i == len(words) - 1:
                h.think_until(hold)
            h.write_data(h.chunk(word))
            if i == 0:
                h.write_raw(": OPENROUTER PROCESSING\n\n")
        h.write_data(h.chunk("", finish=finish))
        if usage is not None:
            h.write_data({"id": "gen-fake", "model": h.answer_model, "object": "chat.completion.chunk",
                          "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": None}]
                          if usage_choice else [], "usage": usage})
        if done:
            h.write_data("[DONE]")
        h.end_stream()
    return plan


def stream_reasoning(thoughts: list[str], tokens: list[str], *, delay: float = 0.0,
                     annotations: list[dict] | None = None, usage: dict | None = None,
                     between: list[str] | None = None, details_only: bool = False,
                     hold: threading.Event | None = None) -> Plan:
    """A reasoning model's answer: `delta.reasoning` (with `reasoning_details`) first, then the
    answer's text (with `between` more reasoning after its first token; `details_only`: the
    reasoning in `reasoning_details` alone, as some providers send it), URL citations as
    `delta.annotations` on the last text chunk, and usage with reasoning tokens. `hold`: the
    answer's text waits until the test sets it."""
    def plan(h: FakeHandler, body: dict) -> None:
        h.start_stream()
        h.write_data(h.chunk(""))
        for thought in thoughts:
            if delay:
                h.think(delay)
            details = [{"type": "reasoning.text", "text": thought, "index": 0}]
            h.write_data(h.chunk(None, reasoning_details=details) if details_only
                         else h.chunk(None, reasoning=thought, reasoning_details=details))
        if hold:
            h.think_until(hold)
        for i, word in enumerate(tokens):
            if delay:
                h.think(delay)
            extra = {"annotations": annotations} if annotations and i == len(tokens) - 1 else {}
            h.write_data(h.chunk(word, **extra))
            if i == 0:
                for thought in between or []:
                    h.write_data(h.chunk(None, reasoning=thought))
        h.write_data(h.chunk("", finish="stop"))
        h.write_data({"id": "gen-fake", "model": h.answer_model, "object": "chat.completion.chunk", "choices": [],
                      "usage": usage or {"prompt_tokens": 20, "completion_tokens": 50, "total_tokens": 70,
                                         "cost": 0.0004, "completion_tokens_details": {"reasoning_tokens": 42}}})
        h.write_data("[DONE]")
        h.end_stream()
    return plan


def url_citation(url: str, title: str = "") -> dict:
    """One annotation as OpenRouter's web plugin sends it."""
    return {"type": "url_citation", "url_citation": {"url": url, "title": title, "content": "…",
                                                     "start_index": 0, "end_index": 5}}


def stream_split_bytes(text: str) -> Plan:
    """A normal answer whose bytes arrive in tiny pieces, splitting lines and UTF-8 characters."""
    def plan(h: FakeHandler, body: dict) -> None:
        events = [h.chunk(text), h.chunk("", finish="stop")]
        raw = "".join(f"data: {json.dumps(e, ensure_ascii=False)}\r\n\r\n" for e in events) + "data: [DONE]\r\n\r\n"
        data = raw.encode()
        h.start_stream()
        for i in range(0, len(data), 3):
            piece = data[i:i + 3]
            h.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            h.wfile.flush()
        h.end_stream()
    return plan


def stream_midstream_error(tokens: list[str], *, code: int | str = 502,
                           message: str = "Provider returned error", where: str = "top",
                           done_after: bool = False) -> Plan:
    """Some text, then an error chunk (top-level `error`, `choices[0].error`, or both)."""
    def plan(h: FakeHandler, body: dict) -> None:
        h.start_stream()
        for word in tokens:
            h.write_data(h.chunk(word))
        chunk = h.chunk("", finish="error")
        error = {"code": code, "message": message}
        if where in ("top", "both"):
            chunk["error"] = error
        if where in ("choice", "both"):
            chunk["choices"][0]["error"] = error
        h.write_data(chunk)
        if done_after:
            h.write_data("[DONE]")
        h.end_stream()
    return plan


def stream_cut(tokens: list[str], *, abrupt: bool = False) -> Plan:
    """Some text, then the body just ends (no finish reason, no [DONE]); with `abrupt` the socket
    closes without even ending the chunked body."""
    def plan(h: FakeHandler, body: dict) -> None:
        h.start_stream()
        for word in tokens:
            h.write_data(h.chunk(word))
        h.close_connection = True
        if abrupt:
            h.wfile.flush()
            h.connection.shutdown(socket.SHUT_RDWR)
        else:
            h.end_stream()
    return plan


def stream_then_wait(tokens: list[str], *, seconds: float, comments: bool = False) -> Plan:
    """Some text, then silence (or only keep-alive comments) for `seconds`, then the rest."""
    def plan(h: FakeHandler, body: dict) -> None:
        h.start_stream()
        for word in tokens:
            h.write_data(h.chunk(word))
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            h.think(0.1)
            if comments:
                h.write_raw(": OPENROUTER PROCESSING\n\n")
        h.write_data(h.chunk(" end", finish="stop"))
        h.write_data("[DONE]")
        h.end_stream()
    return plan


def drop_connection() -> Plan:
    """Read the request, then close the socket without a word (a stale keep-alive connection)."""
    def plan(h: FakeHandler, body: dict) -> None:
        h.close_connection = True
        h.connection.shutdown(socket.SHUT_RDWR)
    return plan


def http_error(status: int, message: str, *, metadata: dict | None = None, headers: dict | None = None) -> Plan:
    def plan(h: FakeHandler, body: dict) -> None:
        h.send_error_body(status, message, metadata, headers)
    return plan


def stream_surrogate_halves(before: str, halves: list[str], after: str) -> Plan:
    """An answer whose JSON escapes characters as UTF-16 halves (`"\\ud83d"`), each half in a
    chunk of its own, as a byte-oriented proxy or a tokenizer boundary can produce."""
    def plan(h: FakeHandler, body: dict) -> None:
        h.start_stream()
        for content in (before, *halves, after):
            h.write_data(h.chunk(content))  # json.dumps escapes each half as \uXXXX
        h.write_data(h.chunk("", finish="stop"))
        h.write_data("[DONE]")
        h.end_stream()
    return plan


def echoed_credentials(h: FakeHandler) -> str:
    """An error text quoting the request's credentials, as some proxies and compatible servers do."""
    auth = h.headers.get("Authorization", "")
    return f"Invalid request headers {{'Authorization': '{auth}'}}; key {auth.removeprefix('Bearer ')} refused"


def echo_authorization(status: int = 400, *, midstream: bool = False) -> Plan:
    """Fail with the Authorization header in the error message: as an HTTP error (streams,
    completions and the model list), or `midstream` as an error chunk after some text."""
    def plan(h: FakeHandler, body: dict) -> None:
        if midstream:
            stream_midstream_error(["Partial"], code=status, message=echoed_credentials(h))(h, body)
        else:
            h.send_error_body(status, echoed_credentials(h))
    return plan


# --- plans: completions --------------------------------------------------------------------
TITLE_USAGE = {"prompt_tokens": 40, "completion_tokens": 5, "total_tokens": 45, "cost": 0}


def completion(content: str | None, *, delay: float = 0.0, finish: str = "stop",
               reasoning: str | None = None, model: str | None = None, usage: dict | None = TITLE_USAGE,
               hold: threading.Event | None = None) -> Plan:
    """A whole answer at once, after `delay` seconds (or, with `hold`, once the test sets it)."""
    def plan(h: FakeHandler, body: dict) -> None:
        if delay:
            h.think(delay)
        if hold:
            h.think_until(hold)
        h.send_json(200, {"id": "gen-fake", "provider": "Fake", "model": model or body.get("model"),
                          "object": "chat.completion", "created": int(time.time()),
                          "choices": [{"index": 0, "finish_reason": finish, "native_finish_reason": finish,
                                       "message": {"role": "assistant", "content": content, "refusal": None,
                                                   "reasoning": reasoning}}],
                          "usage": usage})
    return plan


def completion_error_in_200(*, bare: bool = False) -> Plan:
    """Status 200 carrying a failure: `finish_reason: error` with `choices[0].error`, or only `{"error"}`."""
    def plan(h: FakeHandler, body: dict) -> None:
        error = {"code": 502, "message": "Provider returned error"}
        if bare:
            h.send_json(200, {"error": error})
            return
        h.send_json(200, {"id": "gen-fake", "model": body.get("model"), "object": "chat.completion",
                          "choices": [{"index": 0, "finish_reason": "error", "error": error,
                                       "message": {"role": "assistant", "content": "Partial"}}]})
    return plan


def completion_echoing_authorization() -> Plan:
    """A 200 completion whose *text* quotes the request's credentials: no error to redact, so
    only what is done with a model's text (the log of a title's raw output) stands in its way."""
    def plan(h: FakeHandler, body: dict) -> None:
        completion(echoed_credentials(h))(h, body)
    return plan


def architecture_of(model_id: str) -> dict:
    if model_id in READS_IMAGES:
        return {"modality": "text+image->text", "input_modalities": ["text", "image", "file"]}
    return {"modality": "text->text", "input_modalities": ["text"]}


KEY_DATA = {"label": "sk-or-v1-012...def", "limit": 10, "limit_remaining": 7.25, "limit_reset": None,
            "usage": 2.75, "usage_daily": 0.5, "usage_weekly": 1.5, "usage_monthly": 2.75,
            "is_free_tier": False, "free_model_daily_requests": 1000}


def key_ok(h: FakeHandler, body: dict) -> None:
    h.send_json(200, {"data": KEY_DATA})


# What a llama.cpp, Ollama or vLLM server lists: ids of its own shape, no names, no prices.
LOCAL_MODELS = [{"id": "qwen2.5:0.5b", "object": "model", "owned_by": "ollama"},
                {"id": "hf.co/bartowski/SmolLM2-135M-Instruct-GGUF:Q4_K_M", "object": "model", "owned_by": "ollama"}]


def local_models_ok(h: FakeHandler, body: dict) -> None:
    h.send_json(200, {"object": "list", "data": LOCAL_MODELS})


def models_ok(h: FakeHandler, body: dict) -> None:
    h.send_json(200, {"data": [{"architecture": architecture_of(m["id"]),
                                "supported_parameters": ["max_tokens", "temperature", "top_p"], **m} for m in MODELS]})


@dataclass
class FakeOpenRouter:
    api_key: str = API_KEY
    prefix: str = "/api/v1"
    requests: list[Recorded] = field(default_factory=list)
    stream_plans: deque = field(default_factory=deque)
    completion_plans: deque = field(default_factory=deque)
    models_plan: Plan = models_ok
    key_plan: Plan = key_ok
    answer_model: str | None = None
    completion_delay: float = 0.0  # seconds before a default completion (slow title models)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _server: _Server | None = None

    def start(self, port: int = 0) -> FakeOpenRouter:
        self._server = _Server(("127.0.0.1", port), FakeHandler)
        self._server.fake = self
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.prefix}"

    def next_plan(self, stream: bool) -> Plan:
        with self.lock:
            plans = self.stream_plans if stream else self.completion_plans
            if plans:
                return plans.popleft()
        return stream_tokens() if stream else completion("Echo Reply", delay=self.completion_delay)

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.stream_plans.clear()
            self.completion_plans.clear()
            self.models_plan = models_ok
            self.key_plan = key_ok
            self.answer_model = None
            self.completion_delay = 0.0

    def request_summaries(self) -> list[dict]:
        """What a separate process (the benchmark) needs to count requests: path, whether it
        streamed, the last user message (a title request's prompt holds the conversation) and the
        client's port (one per TCP connection)."""
        with self.lock:
            return [{"path": r.path, "stream": bool((r.body or {}).get("stream")), "peer_port": r.peer_port,
                     "user": last_user_text(r.body) if isinstance(r.body, dict) else ""} for r in self.requests]

    def wait_until_quiet(self, quiet: float = 0.1, limit: float = 10.0,
                         sleep: Callable[[float], object] = time.sleep) -> None:
        """Return once every request has finished and none arrived for `quiet` seconds. A test
        process that runs the app itself passes `gevent.sleep`, so that the app's background
        greenlets (answers, title jobs) get to run, and to call, meanwhile."""
        deadline = time.monotonic() + limit
        seen = -1
        while time.monotonic() < deadline:
            with self.lock:
                count = len(self.requests)
                busy = any(not r.finished for r in self.requests)
            if count == seen and not busy:
                return
            seen = count
            sleep(quiet)

    def chat_requests(self, *, stream: bool | None = None) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if r.path == "/chat/completions"
                    and (stream is None or bool((r.body or {}).get("stream")) == stream)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8999)
    parser.add_argument("--delay", type=float, default=0.02, help="seconds between streamed tokens")
    parser.add_argument("--tokens", type=int, default=0, help="fixed answer length (0: echo the message)")
    args = parser.parse_args()
    fake = FakeOpenRouter().start(args.port)
    tokens = [f" tok{i}" for i in range(args.tokens)] or None
    fake.next_plan = lambda stream: (stream_tokens(tokens, delay=args.delay) if stream
                                     else completion("Echo Reply", delay=fake.completion_delay))
    print(f"fake OpenRouter on {fake.url} (key {fake.api_key})", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
