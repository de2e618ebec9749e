"""bench/relay_floor.py, the bare relay the relay benchmark compares routerchat with: it must relay
what the upstream sends, or the floor it reports is no floor."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.fake_openrouter import API_KEY, stream_tokens
from tests.support.processes import free_port, stop_process
from tests.support.waiting import wait_for

FLOOR = Path(__file__).resolve().parent.parent / "bench" / "relay_floor.py"


@pytest.fixture
def floor(fake):
    port = free_port()
    env = {**os.environ, "PORT": str(port), "UPSTREAM": fake.url, "UPSTREAM_KEY": API_KEY}
    process = subprocess.Popen([sys.executable, str(FLOOR)], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return requests.get(f"{url}/healthz", timeout=1).ok
        except requests.RequestException:
            return False
    wait_for(up, timeout=20, message="the floor relay did not start")
    yield url
    stop_process(process)


def events(url: str, message: str) -> list[dict]:
    body = requests.post(f"{url}/chat", json={"message": message}, timeout=10).text
    return [json.loads(line[6:]) for line in body.splitlines() if line.startswith("data: ")]


def test_the_floor_relays_every_delta_as_a_chunk_then_done(fake, floor):
    fake.stream_plans.append(stream_tokens(["Hello", " there", " ✓"]))
    received = events(floor, "hi")
    assert [e["type"] for e in received] == ["start", "chunk", "chunk", "chunk", "done"]
    assert "".join(e["text"] for e in received if e["type"] == "chunk") == "Hello there ✓"
    assert fake.chat_requests(stream=True)[-1].body["messages"] == [{"role": "user", "content": "hi"}]


def test_an_upstream_refusal_is_an_error_event_not_an_empty_answer(fake, floor):
    fake.stream_plans.append(lambda h, body: h.send_error_body(429, "Rate limited"))
    assert events(floor, "hi") == [{"type": "error", "status": 429}]
