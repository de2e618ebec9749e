"""bench/relay_floor.py, the bare relay the relay benchmark compares routerchat with, and its layers
of routerchat's required work: it must relay what the upstream sends and do the work each layer
names, or the floor it reports is no floor."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from tests.fake_openrouter import API_KEY, stream_tokens
from tests.support.processes import free_port, stop_process
from tests.support.waiting import wait_for

FLOOR = Path(__file__).resolve().parent.parent / "bench" / "relay_floor.py"


REQUIRED_LAYERS = "flask,rows,feed,title"
ALL_LAYERS = REQUIRED_LAYERS + ",guards,search,ledger"


@pytest.fixture(params=["", REQUIRED_LAYERS, ALL_LAYERS])
def layers(request) -> str:
    return request.param


@pytest.fixture
def floor_db(tmp_path) -> Path:
    return tmp_path / "floor.db"


@pytest.fixture
def floor(fake, layers, floor_db):
    port = free_port()
    env = {**os.environ, "PORT": str(port), "UPSTREAM": fake.url, "UPSTREAM_KEY": API_KEY,
           "FLOOR_LAYERS": layers, "FLOOR_DB": str(floor_db)}
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


def test_the_floor_relays_every_delta_as_a_chunk_then_done(fake, floor, layers):
    fake.stream_plans.append(stream_tokens(["Hello", " there", " ✓"]))
    received = events(floor, "hi")
    kinds = [e["type"] for e in received]
    assert kinds[0] == "conversation" and kinds[-1] == "done" and set(kinds[1:-1]) == {"chunk"}
    if not layers:
        assert len(kinds) == 5  # one event per delta; a feed may send deltas that came together as one
    assert "".join(e["content"] for e in received if e["type"] == "chunk") == "Hello there ✓"
    assert fake.chat_requests(stream=True)[-1].body["messages"] == [{"role": "user", "content": "hi"}]


@pytest.mark.parametrize("layers", [REQUIRED_LAYERS, ALL_LAYERS])
def test_the_layers_store_the_exchange_and_its_title(fake, floor, floor_db):
    fake.stream_plans.append(stream_tokens(["Hello", " there"]))
    received = events(floor, "hi")
    conversation = received[0]
    engine = sa.create_engine(f"sqlite:///{floor_db}")

    def titled() -> bool:
        with engine.connect() as connection:
            return connection.scalar(sa.text("SELECT title FROM conversation")) == "Echo Reply"
    wait_for(titled, message="the title layer stored no title")
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT id, role, content, status FROM message ORDER BY id")).all()
    assert [tuple(row) for row in rows] == [(conversation["user_message_id"], "user", "hi", "complete"),
                                            (received[-1]["message_id"], "assistant", "Hello there", "complete")]
    assert len(fake.chat_requests(stream=False)) == 1  # the title's completion


def test_an_upstream_refusal_is_an_error_event_not_an_empty_answer(fake, floor):
    fake.stream_plans.append(lambda h, body: h.send_error_body(429, "Rate limited"))
    assert events(floor, "hi") == [{"type": "error", "status": 429}]


@pytest.mark.parametrize("layers", [ALL_LAYERS])
def test_the_search_layer_indexes_folded_text_and_the_ledger_records_each_request(fake, floor, floor_db):
    fake.stream_plans.append(stream_tokens(["Crème", " brûlée"]))
    events(floor, "Dessert IDEAS")
    engine = sa.create_engine(f"sqlite:///{floor_db}")

    def ledger_kinds() -> list[str]:
        with engine.connect() as connection:
            return sorted(connection.scalars(sa.text("SELECT kind FROM usage_record")))
    wait_for(lambda: ledger_kinds() == ["answer", "title"], message="the ledger has no row per answer and title")
    found = sa.text("SELECT body FROM message_fts WHERE body MATCH :phrase")
    with engine.connect() as connection:
        assert connection.scalars(found, {"phrase": '"sert idea"'}).all() == ["dessert ideas"]
        assert connection.scalars(found, {"phrase": '"creme brulee"'}).all() == ["creme brulee"]
        assert connection.scalars(sa.text("SELECT body FROM conversation_fts")).all() == ["echo reply"]


@pytest.mark.parametrize("layers", [ALL_LAYERS])
def test_the_guards_layer_refuses_a_foreign_host_and_deep_json_and_sets_security_headers(fake, floor):
    assert requests.post(f"{floor}/chat", json={"message": "hi"}, headers={"Host": "evil.example"}, timeout=10
                         ).status_code == 400
    deep = '{"message": "hi", "x": ' + "[" * 40 + "]" * 40 + "}"
    assert requests.post(f"{floor}/chat", data=deep, headers={"Content-Type": "application/json"}, timeout=10
                         ).status_code == 400
    assert requests.post(f"{floor}/chat", json={"message": "hi"}, headers={"Origin": "http://evil.example"},
                         timeout=10).status_code == 403
    fake.stream_plans.append(stream_tokens(["ok"]))
    response = requests.post(f"{floor}/chat", json={"message": "hi"}, timeout=10)
    assert response.ok and response.headers["X-Content-Type-Options"] == "nosniff"
    assert not fake.chat_requests(stream=True)[:-1]  # the refused requests never reached the upstream


def test_a_layer_without_the_one_it_builds_on_is_refused(fake):
    env = {**os.environ, "PORT": str(free_port()), "UPSTREAM": fake.url, "FLOOR_LAYERS": "flask,guards"}
    result = subprocess.run([sys.executable, str(FLOOR)], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "guards needs rows" in result.stderr
