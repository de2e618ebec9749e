"""POST /chat through the real server (main.py under gevent) against the fake OpenRouter."""
import json

import pytest
import requests
import sqlalchemy as sa

from routerchat.answers import store
from routerchat.db.models import Message
from routerchat.extensions import db
from tests import fake_openrouter as fo
from tests.support.waiting import settle, wait_for


def counts(db_engine) -> tuple[int, int]:
    with db_engine.connect() as conn:
        return (conn.execute(sa.text("SELECT count(*) FROM conversation")).scalar(),
                conn.execute(sa.text("SELECT count(*) FROM message")).scalar())


def test_streams_conversation_chunks_done_and_stores_both_messages(api, fake):
    fake.stream_plans.append(fo.stream_tokens(fo.echo_tokens({"messages": [
        {"role": "user", "content": "What is two plus two?"}]}), delay=0.02))
    result = api.chat("What is two plus two?")
    assert result.status == 200
    assert result.headers["Content-Type"].startswith("text/event-stream")
    assert result.types[0] == "conversation" and result.types[-1] == "done"
    assert result.events[0]["model"] == "anthropic/claude-sonnet-4.5"   # named from the start (issue 19)
    assert set(result.types[1:-1]) == {"chunk"} and len(result.types) > 4
    assert result.text == "Echo: What is two plus two?"
    done = result.last
    assert done["conversation_id"] == result.conversation_id
    assert done["usage"]["total_tokens"] == 19
    assert done["model"] == "anthropic/claude-sonnet-4.5"

    stored = api.get(f"/conversation/{result.conversation_id}").json()
    user, assistant = stored["messages"]
    assert (user["role"], user["content"], user["status"]) == ("user", "What is two plus two?", "complete")
    assert user["id"] == result.events[0]["user_message_id"]
    assert (assistant["role"], assistant["status"], assistant["id"]) == ("assistant", "complete", done["message_id"])
    assert assistant["content"] == result.text
    assert assistant["model"] == "anthropic/claude-sonnet-4.5"
    assert assistant["usage"] == {"prompt_tokens": 12, "completion_tokens": 7, "total_tokens": 19, "cost": 0}


def test_done_carries_null_usage_when_upstream_sent_none(api, fake):
    fake.stream_plans.append(fo.stream_tokens(["ok"], usage=None))
    result = api.chat("hi")
    assert result.last["type"] == "done" and result.last["usage"] is None


def test_whole_history_is_sent_upstream(api, fake):
    first = api.chat("My name is Ada.")
    api.chat("What is my name?", conversation_id=first.conversation_id)
    sent = fake.chat_requests(stream=True)[-1].body["messages"]
    assert sent == [
        {"role": "user", "content": "My name is Ada."},
        {"role": "assistant", "content": "Echo: My name is Ada."},
        {"role": "user", "content": "What is my name?"},
    ]


def test_preset_and_model_choose_the_upstream_model(api, fake):
    api.chat("a", preset=6)
    assert fake.chat_requests(stream=True)[-1].body["model"] == fo.FREE_MODEL
    api.chat("b", preset=3)
    assert fake.chat_requests(stream=True)[-1].body["model"] == "google/gemini-2.5-pro"
    result = api.chat("c", model="openai/gpt-5")
    assert fake.chat_requests(stream=True)[-1].body["model"] == "openai/gpt-5"
    assert result.last["model"] == "openai/gpt-5"


def test_answering_model_from_fallback_routing_is_stored(api, fake):
    fake.stream_plans.append(fo.stream_tokens(["hi"], model="other/answering-model"))
    result = api.chat("hi")
    assert result.last["model"] == "other/answering-model"
    stored = api.get(f"/conversation/{result.conversation_id}").json()["messages"][1]
    assert stored["model"] == "other/answering-model"


@pytest.mark.parametrize("plan,expected_status,partial", [
    (fo.stream_midstream_error(["Half", " an"], where="both"), 502, "Half an"),
    (fo.stream_midstream_error(["x"], code=429, message="Rate limit exceeded: free-models-per-min."), 429, "x"),
    (fo.stream_cut(["Cut", " short"]), 502, "Cut short"),
    (fo.stream_cut(["Cut"], abrupt=True), 502, "Cut"),
    (fo.http_error(404, "No endpoints found for x/y:free."), 404, ""),
    (fo.http_error(402, "Insufficient credits"), 402, ""),
    (fo.http_error(503, "No available model provider that meets your routing requirements"), 503, ""),
])
def test_upstream_failures_end_with_an_error_event_and_keep_the_chat_usable(api, app, fake, plan,
                                                                           expected_status, partial):
    fake.stream_plans.append(plan)
    result = api.chat("Tell me something")
    assert result.types[0] == "conversation" and result.types[-1] == "error"
    assert "done" not in result.types
    assert result.text == partial
    error = result.last
    assert error["status"] == expected_status and len(error["error"]) > 20

    messages = api.get(f"/conversation/{result.conversation_id}").json()["messages"]
    assert [m["status"] for m in messages] == ["complete", "error"]
    assert messages[1]["content"] == partial and messages[1]["error"] == error["error"]
    with app.app_context():  # re-attaching, or another worker, rebuilds the event from the row: the same event
        assert store.final_event(db.session.get(Message, messages[1]["id"])) == error
        db.session.close()

    again = api.chat("Try again", conversation_id=result.conversation_id)
    assert again.last["type"] == "done"


def test_error_messages_are_in_plain_words(api, fake):
    fake.stream_plans.append(fo.http_error(400, "bogus/model is not a valid model ID"))
    result = api.chat("hi", model="bogus/model")
    assert "“bogus/model” is not a valid OpenRouter model ID" in result.last["error"]
    assert "preset settings" in result.last["error"]


def test_keepalive_pings_while_upstream_is_silent(api, fake):
    fake.stream_plans.append(fo.stream_then_wait(["Thinking"], seconds=1.5))
    result = api.chat("slow please")
    assert result.last["type"] == "done"
    assert ": ping" in result.comments
    assert result.text == "Thinking end"


BAD_BODIES = [
    ("not json", {"data": "{message: hi", "headers": {"Content-Type": "application/json"}}, 400, "not valid JSON"),
    ("wrong content type", {"data": "message=hi", "headers": {"Content-Type": "text/plain"}}, 415, "JSON"),
    ("array body", {"json": ["hi"]}, 400, "JSON object"),
    ("missing message", {"json": {}}, 400, "message is missing"),
    ("empty message", {"json": {"message": ""}}, 400, "empty"),
    ("blank message", {"json": {"message": "  \n\t "}}, 400, "empty"),
    ("number message", {"json": {"message": 42}}, 400, "string"),
    ("too long", {"json": {"message": "x" * 100_001}}, 413, "limit is 100,000"),
    ("over one megabyte", {"json": {"message": "x" * 1_100_000}}, 413, "1 MB"),
    ("unknown conversation", {"json": {"message": "hi", "conversation_id": "0" * 32}}, 404, "No conversation"),
    ("conversation id not a string", {"json": {"message": "hi", "conversation_id": 5}}, 400, "conversation_id"),
    ("preset zero", {"json": {"message": "hi", "preset": 0}}, 400, "1 to 6"),
    ("preset seven", {"json": {"message": "hi", "preset": 7}}, 400, "1 to 6"),
    ("preset string", {"json": {"message": "hi", "preset": "2"}}, 400, "1 to 6"),
    ("preset bool", {"json": {"message": "hi", "preset": True}}, 400, "1 to 6"),
    ("model and preset", {"json": {"message": "hi", "preset": 1, "model": "a/b"}}, 400, "not both"),
    ("bad model id", {"json": {"message": "hi", "model": "no spaces allowed"}}, 400, "model id"),
]


@pytest.mark.parametrize("name,kwargs,status,words", BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_bad_input_is_a_json_4xx_and_changes_nothing(client, stored_conversation, fake, db_engine, name, kwargs,
                                                     status, words):
    snapshot = client.get(f"/conversation/{stored_conversation}").get_json()
    before = counts(db_engine)
    upstream_calls = len(fake.chat_requests())

    response = client.post("/chat", **kwargs)
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/json")
    assert words in response.get_json()["error"]

    settle(fake)  # an answer or title job started by mistake would run (and call) now
    assert counts(db_engine) == before
    assert client.get(f"/conversation/{stored_conversation}").get_json() == snapshot
    assert len(fake.chat_requests()) == upstream_calls


def test_bad_input_on_an_existing_conversation_changes_nothing(client, stored_conversation):
    snapshot = client.get(f"/conversation/{stored_conversation}").get_json()
    response = client.post("/chat", json={"message": "", "conversation_id": stored_conversation})
    assert response.status_code == 400
    assert client.get(f"/conversation/{stored_conversation}").get_json() == snapshot


def test_get_on_chat_is_a_json_405(client):
    response = client.get("/chat")
    assert response.status_code == 405 and "error" in response.get_json()


def test_unknown_route_is_a_json_404(client):
    response = client.get("/no/such/route")
    assert response.status_code == 404 and response.get_json() == {"error": "Not found."}


def test_many_concurrent_chats_all_complete(api, app_server, fake):
    """gevent serves streams side by side; SQLite (WAL + busy timeout) never reports a lock."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.support.client import Api

    fake.answer_model = None

    def one(i: int):
        return Api(app_server.url).chat(f"parallel {i}")
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(one, range(32)))
    assert all(r.last["type"] == "done" for r in results)
    assert sorted(r.text for r in results) == sorted(f"Echo: parallel {i}" for i in range(32))
    assert "database is locked" not in app_server.log_text()


def test_api_key_never_appears_in_responses_or_logs(api, app_server, fake):
    fake.stream_plans.append(fo.http_error(401, "User not found."))
    bodies = [api.get("/").text, api.get("/presets").text, api.get("/healthz").text,
              api.get("/models").text, json.dumps(api.chat("hi").events)]
    for body in bodies:
        assert fake.api_key not in body
    settle(fake)  # the failed answer's title job has run: its log lines are in the log too
    assert fake.api_key not in app_server.log_text()
    assert fake.chat_requests()[-1].headers["Authorization"] == f"Bearer {fake.api_key}"


def test_a_key_that_reaches_a_log_call_is_redacted_in_the_log_line(api, app_server, fake):
    """A title model whose text quotes the request's credentials: no UpstreamError carries it, so
    the raw output reaches the title's log call with the key in it, and only the log filter
    (logging_setup) keeps it out of the log."""
    fake.completion_plans.append(fo.completion_echoing_authorization())
    result = api.chat("Echo my headers")
    settled = api.settled_title(result.conversation_id)
    settle(fake)
    [line] = wait_for(lambda: [line for line in app_server.log_text().splitlines()
                               if f"title conversation={result.conversation_id} " in line])
    assert "raw=" in line and "Invalid request headers" in line
    assert "[redacted-api-key]" in line and fake.api_key not in line and "Bearer sk" not in line
    assert fake.api_key not in app_server.log_text()
    assert fake.api_key not in json.dumps(settled)


def test_without_a_key_the_page_explains_and_chat_refuses_cleanly(launch, db_engine):
    server = launch(OPENROUTER_API_KEY="")
    page = requests.get(server.url + "/", timeout=10).text
    assert "OPENROUTER_API_KEY" in page and "openrouter.ai/keys" in page
    before = counts(db_engine)
    response = requests.post(server.url + "/chat", json={"message": "hi"}, timeout=10)
    assert response.status_code == 503 and "OPENROUTER_API_KEY" in response.json()["error"]
    assert counts(db_engine) == before
    assert requests.get(server.url + "/healthz", timeout=10).json()["api_key_configured"] is False


@pytest.mark.parametrize("existing", [False, True], ids=["new", "existing"])
def test_the_upstream_request_leaves_with_no_database_connection_held(client, stored_conversation, monkeypatch,
                                                                      existing):
    """The request goes out, and other messages are read meanwhile, while this message's rows wait
    to be written: a connection held across that was one per message arriving together."""
    from routerchat.answers.hub import AnswerHub
    from routerchat.db.guard import guard

    held_at_open = []
    open_request = AnswerHub.open
    monkeypatch.setattr(AnswerHub, "open", lambda hub, request: (held_at_open.append(guard.held()),
                                                                 open_request(hub, request))[1])
    body = {"message": "hello", **({"conversation_id": stored_conversation} if existing else {})}
    events = [json.loads(line[6:]) for line in client.post("/chat", json=body).get_data(as_text=True).splitlines()
              if line.startswith("data: ")]
    assert events[-1]["type"] == "done" and held_at_open == [0]
