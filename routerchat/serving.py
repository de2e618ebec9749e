"""gevent's WSGI handler with the guards the plain one lacks (used by `python main.py`), and the
request deadline as WSGI middleware for gunicorn's gevent workers (gunicorn_conf.py)."""
from __future__ import annotations

import contextlib
import gc
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import gevent
from gevent.pywsgi import WSGIHandler
from werkzeug.exceptions import RequestTimeout

URL_TOO_LONG_BODY = b'{"error": "The URL is too long."}'
URL_TOO_LONG_RESPONSE = (
    b"HTTP/1.1 414 Request URI Too Long\r\nConnection: close\r\nContent-Type: application/json\r\n"
    b"X-Content-Type-Options: nosniff\r\nContent-Length: %d\r\n\r\n%s"
    % (len(URL_TOO_LONG_BODY), URL_TOO_LONG_BODY)
)


class HeaderTimeout(TimeoutError, ValueError):
    """The client did not finish its request line and headers in time (a ValueError, so gevent
    treats it as the client's fault: a short 400, no traceback)."""


class GuardedHandler(WSGIHandler):  # type: ignore[misc]  # gevent ships no type information
    """A client must send its request line and headers within `header_timeout` seconds, and a
    request with a body must be read whole within `request_timeout` seconds of its start (a slow
    or idle client cannot hold a socket forever, with or without logging in); a URL too long for
    the server is answered in JSON like every other error. Streaming answers are not limited: the
    deadlines end once the application has read the request and returned its response.

    A body the application did not read (a 401 before the login, a 413) is not read afterwards
    either: the connection is closed after the response instead."""

    header_timeout = 30.0
    request_timeout = 120.0
    _deadline: gevent.Timeout | None = None
    _body_deadline: gevent.Greenlet | None = None

    def read_requestline(self) -> str:
        self._deadline = gevent.Timeout.start_new(self.header_timeout, HeaderTimeout)
        line: str = super().read_requestline()
        return line

    def read_request(self, raw_requestline: str) -> bool:
        try:
            parsed: bool = super().read_request(raw_requestline)
            return parsed
        finally:
            assert self._deadline is not None  # read_requestline started it
            self._deadline.close()

    def run_application(self) -> None:
        if self._has_body():
            self._body_deadline = gevent.spawn_later(self.request_timeout, self._cut_off)
        try:
            super().run_application()
        finally:
            self._end_body_deadline()

    def process_result(self) -> None:
        """The application has returned: the request is read (or never will be); now the response."""
        self._end_body_deadline()
        if self._has_body() and not self._body_read():
            self.wsgi_input.content_length = self.wsgi_input.position  # gevent would read the rest: do not
            self.wsgi_input.chunked_input = False
            self.close_connection = True
            self._say_the_connection_closes()
        super().process_result()

    def _say_the_connection_closes(self) -> None:
        """`Connection: close` on the response: gevent adds it only for HTTP/1.0, and a client that
        thinks the connection stays open sends its next request on it, racing the close (the next
        request then fails with "Remote end closed connection without response")."""
        if not self.headers_sent and all(name.lower() != b"connection" for name, _ in self.response_headers):
            self.response_headers.append((b"Connection", b"close"))

    def _has_body(self) -> bool:
        return bool(self.wsgi_input is not None and (self.wsgi_input.content_length or self.wsgi_input.chunked_input))

    def _body_read(self) -> bool:
        return bool(not self.wsgi_input.chunked_input and self.wsgi_input.position >= self.wsgi_input.content_length)

    def _cut_off(self) -> None:
        """The request took too long to arrive: the application's read fails (a 400 from it) and
        the connection ends. A body that has arrived whole is left alone: the application is
        working on it (a large import takes minutes), and its answer is still owed."""
        if self._body_read():
            return
        self.close_connection = True
        with contextlib.suppress(OSError):  # already gone
            self.socket.shutdown(socket.SHUT_RDWR)

    def _end_body_deadline(self) -> None:
        if self._body_deadline is not None:
            self._body_deadline.kill(block=False)
            self._body_deadline = None

    def handle_one_request(self) -> tuple[str, bytes] | bool | None:
        try:
            result: tuple[str, bytes] | bool | None = super().handle_one_request()
        finally:
            if self._deadline is not None:
                self._deadline.close()  # also when the request ended before its headers were read
        if isinstance(result, tuple) and result[0] == "414":
            return "414", URL_TOO_LONG_RESPONSE
        return result


def guarded_handler(header_timeout: float, request_timeout: float) -> type[GuardedHandler]:
    return type("GuardedHandler", (GuardedHandler,), {"header_timeout": header_timeout,
                                                      "request_timeout": request_timeout})


WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class BodyDeadline:
    """The whole-request deadline under gunicorn's gevent workers: a request's body must have
    arrived `timeout` seconds after the application was called (gunicorn bounds the request line
    and headers by its keep-alive time, but waits for a body as long as the client likes: slow
    bodies once exhausted the file descriptors). A read past the deadline fails with 408 and shuts
    the socket's reading side, so the answer still goes out and the connection then ends. A body
    the application does not read (a 401 before the login) is drained by gunicorn within its
    keep-alive time, then the connection closes. Streaming answers are not limited."""

    def __init__(self, app: WsgiApp, timeout: float) -> None:
        self.app, self.timeout = app, timeout

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("wsgi.input") is not None:
            environ["wsgi.input"] = _DeadlineInput(environ["wsgi.input"], self.timeout, environ.get("gunicorn.socket"))
        return self.app(environ, start_response)


class _DeadlineInput:
    """A request body whose every read ends by the request's deadline."""

    def __init__(self, stream: Any, timeout: float, sock: socket.socket | None) -> None:
        self._stream, self._timeout, self._socket = stream, timeout, sock
        self._deadline = time.monotonic() + timeout

    def read(self, size: int | None = -1) -> bytes:
        data: bytes = self._bounded(self._stream.read, size)
        return data

    def readline(self, size: int | None = -1) -> bytes:
        line: bytes = self._bounded(self._stream.readline, size)
        return line

    def readlines(self, hint: int | None = -1) -> list[bytes]:
        lines: list[bytes] = self._bounded(self._stream.readlines, hint)
        return lines

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.readline, b"")

    def _bounded(self, read: Callable[[int | None], Any], size: int | None) -> Any:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            self._expire()
        timer = gevent.Timeout(remaining)
        timer.start()
        try:
            return read(size)
        except gevent.Timeout as exc:
            if exc is not timer:
                raise
            self._expire()
        finally:
            timer.close()

    def _expire(self) -> None:
        if self._socket is not None:
            with contextlib.suppress(OSError):  # already gone
                self._socket.shutdown(socket.SHUT_RD)
        raise RequestTimeout(f"The request did not arrive within {self._timeout:g} seconds (REQUEST_READ_TIMEOUT).")


def freeze_start_up_objects() -> None:
    """Take what start-up left alive (modules, classes, SQLAlchemy's metadata and compiled
    statements: ~120,000 objects) out of the garbage collector's sight, and collect young objects
    after 10,000 allocations instead of 700. Every full collection scanned start-up's objects
    again, with the event loop stopped: over rounds of 100, 500 and 500 new chats on main.py
    (`bench/gc_pauses.py`) the collector took 0.94 s, 4.8% of the CPU, one pause 146 ms; frozen
    and collected less often, 0.47 s (2.3%), the longest pause 91 ms.
    Called once the server is ready, before it serves."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
