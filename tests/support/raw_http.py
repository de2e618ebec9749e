"""Requests written byte by byte on a socket: for bodies that never finish arriving."""
from __future__ import annotations

import socket
import time

SLOW_LOGIN = (b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
              b"Content-Length: 100\r\n\r\n{\"user")


def send_and_read_until_closed(url: str, request: bytes) -> tuple[bytes, float]:
    """Send `request` (its body may stop short) and read until the server closes the connection:
    what the server answered, and how many seconds that took after sending."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=20) as sock:
        sock.sendall(request)
        started = time.monotonic()
        received = b""
        while chunk := sock.recv(4096):
            received += chunk
    return received, time.monotonic() - started
