"""A busy port is one clear line naming it and the PORT setting, not a traceback (main.py and gunicorn)."""
from __future__ import annotations

import errno
import socket


def port_in_use_message(host: str, port: int) -> str:
    return (f"routerchat cannot listen on {host}:{port}: the port is already in use (another routerchat "
            f"or another program). Stop it, or choose another port: PORT={port + 1} ./scripts/run.sh")


def busy_port_message(error: OSError, host: str, port: int) -> str | None:
    """The line to print when `error` (from binding host:port) means the port is taken, else None."""
    return port_in_use_message(host, port) if error.errno == errno.EADDRINUSE else None


def check_port_free(host: str, port: int) -> str | None:
    """Try to bind host:port as a server would (SO_REUSEADDR, so a port left in TIME_WAIT counts as
    free); the message for a busy port, None when it is free or the check cannot tell."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as error:
        return busy_port_message(error, host, port)
    return None
