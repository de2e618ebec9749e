"""Credits (GET /usage) and local models (LOCAL_BASE_URL): a second fake server stands in for
llama.cpp, Ollama or vLLM, on SQLite and PostgreSQL."""
import json

import pytest

import tests.fake_openrouter as fo
from routerchat.upstream.catalog import credit_fields, local_entries, model_id_problem
from routerchat.upstream.wording import CONNECTION_FAILED, describe_error, for_local_server
from tests.support.databases import backend_of, fresh_database
from tests.support.servers import in_process_app

LOCAL_KEY = "local-secret-key-0123456789"


@pytest.fixture
def local_server():
    server = fo.FakeOpenRouter(api_key="", models_plan=fo.local_models_ok).start()
    yield server
    server.stop()


@pytest.fixture
def local_app(database_url, fake, local_server, tmp_path_factory):
    """An app with OpenRouter (the usual fake) and a local server (a second fake, no key)."""
    with fresh_database(backend_of(database_url), tmp_path_factory) as url:
        app = in_process_app(url, fake.url, tmp_path_factory.mktemp("local"), LOCAL_BASE_URL=local_server.url)
        yield app
        from routerchat.extensions import db
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def chat(client, **body) -> list[dict]:
    text = client.post("/chat", json=body).get_data(as_text=True)
    return [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")]


def test_usage_carries_the_keys_credits_cached_for_a_minute(client, fake):
    first = client.get("/usage").get_json()["credits"]
    assert first == {"limit": 10, "limit_remaining": 7.25, "usage": 2.75, "usage_daily": 0.5,
                     "is_free_tier": False, "free_model_daily_requests": 1000}
    assert client.get("/usage").get_json()["credits"] == first
    assert len([r for r in fake.requests if r.path == "/key"]) <= 1  # the second came from the cache


@pytest.mark.parametrize("plan", [fo.http_error(404, "Not found"), fo.http_error(500, "boom"), fo.drop_connection()])
def test_credits_are_null_when_the_upstream_has_no_key_endpoint_or_fails(fake, database_url, tmp_path_factory, plan):
    app = in_process_app(database_url, fake.url, tmp_path_factory.mktemp("credits"))
    fake.key_plan = plan
    response = app.test_client().get("/usage")
    assert response.status_code == 200 and response.get_json()["credits"] is None
    assert "total_cost" in response.get_json()


def test_credit_fields_keep_the_documented_ones_as_they_come():
    assert credit_fields({"limit": None, "usage": 1, "label": "x"}) == {
        "limit": None, "limit_remaining": None, "usage": 1, "usage_daily": None, "is_free_tier": None,
        "free_model_daily_requests": None}
    assert credit_fields("nonsense")["limit"] is None


def test_local_ids_may_hold_slashes_and_colons_but_no_spaces():
    assert model_id_problem("local/hf.co/org/model:Q4_K_M") is None
    assert model_id_problem("local/qwen2.5:0.5b") is None
    for bad in ("local/", "local/two words", "local/tab\there", "local/\x00"):
        assert model_id_problem(bad) is not None
    [entry] = local_entries([{"id": "a/b:c", "name": "a/b:c", "free": False, "context_length": None,
                              "pricing": {"prompt": None, "completion": None}, "supported_parameters": []}])
    assert entry["id"] == "local/a/b:c" and entry["free"] is True and entry["local"] is True
    assert entry["supported_parameters"] == ["max_tokens", "temperature", "top_p"]


def test_local_models_are_listed_beside_openrouters(local_app):
    models = local_app.test_client().get("/models").get_json()["models"]
    local = [m for m in models if m.get("local")]
    assert [m["id"] for m in local] == ["local/hf.co/bartowski/SmolLM2-135M-Instruct-GGUF:Q4_K_M", "local/qwen2.5:0.5b"]
    assert all(m["free"] for m in local) and any(m["id"] == "openai/gpt-5" for m in models)
    assert {m["id"] for m in local_app.test_client().get("/models?free=1").get_json()["models"]} >= {
        m["id"] for m in local}


def test_a_local_model_answers_without_the_openrouter_key_and_costs_nothing_known(local_app, local_server, fake):
    client = local_app.test_client()
    events = chat(client, message="Hello local", model="local/qwen2.5:0.5b", web_search=True)
    assert events[-1]["type"] == "done" and events[-1]["model"] == "local/qwen2.5:0.5b"
    [request] = local_server.chat_requests(stream=True)
    assert request.body["model"] == "qwen2.5:0.5b" and "plugins" not in request.body
    assert "Authorization" not in request.headers and fo.API_KEY not in json.dumps(request.headers)
    assert not fake.chat_requests(stream=True)
    shown = client.get(f"/conversation/{events[0]['conversation_id']}").get_json()
    assert shown["model"] == "local/qwen2.5:0.5b" and shown["messages"][1]["usage"]["cost"] is None
    assert shown["messages"][1]["model"] == "local/qwen2.5:0.5b"


def test_a_local_key_is_sent_to_the_local_server_only(database_url, fake, tmp_path_factory):
    local = fo.FakeOpenRouter(api_key=LOCAL_KEY, models_plan=fo.local_models_ok).start()
    try:
        app = in_process_app(database_url, fake.url, tmp_path_factory.mktemp("keyed"), LOCAL_BASE_URL=local.url,
                             LOCAL_API_KEY=LOCAL_KEY)
        assert chat(app.test_client(), message="hi", model="local/qwen2.5:0.5b")[-1]["type"] == "done"
        assert local.chat_requests()[-1].headers["Authorization"] == f"Bearer {LOCAL_KEY}"
    finally:
        local.stop()


def test_a_local_model_can_be_preset_6_and_writes_the_title(local_app, local_server, fake):
    client = local_app.test_client()
    answer = client.put("/presets/6", json={"model": "local/qwen2.5:0.5b"})
    assert answer.status_code == 200 and answer.get_json()["model"] == "local/qwen2.5:0.5b"
    local_server.completion_plans.append(fo.completion("Local Banana Bread"))
    events = chat(client, message="banana bread without eggs", preset=1)
    conversation_id = events[0]["conversation_id"]
    title = client.post(f"/conversation/{conversation_id}/summarize").get_json()
    [request] = local_server.chat_requests(stream=False)
    assert request.body["model"] == "qwen2.5:0.5b" and "models" not in request.body
    assert "Authorization" not in request.headers
    assert title["title"] == "Local Banana Bread"
    assert not fake.chat_requests(stream=False)


@pytest.mark.parametrize("body,status,words", [
    ({"model": "local/not-there"}, 400, "does not list"),
    ({"model": "local/has space"}, 400, "local/name"),
])
def test_unknown_local_models_are_refused_before_anything_is_stored(local_app, body, status, words):
    client = local_app.test_client()
    before = client.get("/conversations").get_json()["conversations"]
    response = client.post("/chat", json={"message": "hi", **body})
    assert response.status_code == status and words in response.get_json()["error"]
    assert client.put("/presets/2", json=body).status_code == 400
    assert client.get("/conversations").get_json()["conversations"] == before


def test_a_local_model_without_a_local_server_is_400(client):
    response = client.post("/chat", json={"message": "hi", "model": "local/qwen2.5:0.5b"})
    assert response.status_code == 400 and "LOCAL_BASE_URL" in response.get_json()["error"]


def test_a_local_server_that_is_down_is_an_inline_error_and_openrouter_still_lists(database_url, fake,
                                                                                   tmp_path_factory):
    down = fo.FakeOpenRouter(api_key="").start()
    down_url = down.url
    down.stop()
    app = in_process_app(database_url, fake.url, tmp_path_factory.mktemp("down"), LOCAL_BASE_URL=down_url)
    client = app.test_client()
    events = chat(client, message="anyone there?", model="local/qwen2.5:0.5b")
    assert events[0]["type"] == "conversation" and events[-1]["type"] == "error"
    assert events[-1]["status"] in (502, 504)
    assert "local model server" in events[-1]["error"] and "LOCAL_BASE_URL" in events[-1]["error"]
    assert "OpenRouter" not in events[-1]["error"]
    stored = client.get(f"/conversation/{events[0]['conversation_id']}").get_json()["messages"][-1]
    assert stored["status"] == "error"
    models = client.get("/models").get_json()["models"]
    assert models and not any(m.get("local") for m in models)


def test_local_failures_name_the_local_server_not_openrouter():
    assert for_local_server(CONNECTION_FAILED) == ("The connection to the local model server failed. Try again; if it "
                                                   "keeps failing, check the server's network and LOCAL_BASE_URL.")
    worded = for_local_server(describe_error(400, "context_length_exceeded"))
    assert worded.startswith("The local model server rejected the request") and "OpenRouter" not in worded
