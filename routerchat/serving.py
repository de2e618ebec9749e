"""gevent's WSGI handler with two guards the plain one lacks (used by `python main.py`)."""
from __future__ import annotations

import gevent
from gevent.pywsgi import WSGIHandler

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
    """A client must send its request line and headers within `header_timeout` seconds (a
    slow or idle client cannot hold a socket forever), and a URL too long for the server is
    answered in JSON like every other error. Streaming answers are not limited: the deadline
    ends once the headers are read."""

    header_timeout = 30.0
    _deadline: gevent.Timeout | None = None

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

    def handle_one_request(self) -> tuple[str, bytes] | bool | None:
        try:
            result: tuple[str, bytes] | bool | None = super().handle_one_request()
        finally:
            if self._deadline is not None:
                self._deadline.close()  # also when the request ended before its headers were read
        if isinstance(result, tuple) and result[0] == "414":
            return "414", URL_TOO_LONG_RESPONSE
        return result


def guarded_handler(header_timeout: float) -> type[GuardedHandler]:
    return type("GuardedHandler", (GuardedHandler,), {"header_timeout": header_timeout})
