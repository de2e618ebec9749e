"""Ports and processes, shared by the tests and bench/."""
from __future__ import annotations

import socket
import subprocess
import time

import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process(process: subprocess.Popen, timeout: float = 10) -> None:
    """Ask a server to stop (SIGTERM); kill it if it has not gone within `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def answers_health(url: str, process: subprocess.Popen, seconds: float = 30.0) -> bool:
    """Whether the server started as `process` answers `url`/healthz within `seconds`; False at
    once when the process has exited."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if requests.get(url + "/healthz", timeout=1).ok:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.1)
    return False
