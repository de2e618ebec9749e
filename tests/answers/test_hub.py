"""Answers that outlive the page: generation belongs to the server, responses only follow it.
Real server (main.py under gevent) against the fake OpenRouter, on SQLite and PostgreSQL."""
import json
import threading
import time
import uuid
from collections.abc import Iterator

import gevent
import pytest
import requests
import sqlalchemy as sa

from routerchat import accounts
from routerchat.answers.hub import QUIET_ANSWERS, TITLE_WAIT_SECONDS
from routerchat.db.models import Message
from routerchat.extensions import db
from tests import fake_openrouter as fo
from tests.support.client import Api
from tests.support.factories import store_conversation
from tests.support.servers import in_process_app
from tests.support.waiting import settle, wait_for

LONG = [f" w{i}" for i in range(200)]


class Events:
    """An open SSE response read event by event (the rest stays unread until asked for)."""

    def __init__(self, response: requests.Response):
        self.response = response
        self.lines = response.iter_lines(decode_unicode=True)

    def close(self) -> None:
        self.response.close()


def open_chat(api: Api, message: str = "long answer", **body) -> tuple[Events, dict]:
    """Start a chat and read only its first event; the response stays open, unread."""
    response = Events(api.session.post(api.base_url + "/chat", json={"message": message, **body},
                                       stream=True, timeout=30))
    first = next(json.loads(line[6:]) for line in response.lines if line.startswith("data: "))
    return response, first


def read_events(response: Events, stop_after_chunks: int | None = None) -> list[dict]:
    events = []
    for line in response.lines:
        if line.startswith("data: "):
            events.append(json.loads(line[6:]))
            if stop_after_chunks and sum(e["type"] == "chunk" for e in events) >= stop_after_chunks:
                break
    return events


def read_events_for(response: Events, seconds: float) -> list[dict]:
    """The events that arrive within `seconds` (the server's pings keep the lines coming)."""
    deadline = time.monotonic() + seconds
    events = []
    for line in response.lines:
        if line.startswith("data: "):
            events.append(json.loads(line[6:]))
        if time.monotonic() > deadline:
            break
    return events


def stored_answer(api: Api, conversation_id: str) -> dict:
    return api.get(f"/conversation/{conversation_id}").json()["messages"][-1]


def settled_answer(api: Api, conversation_id: str) -> dict:
    return wait_for(lambda: (m := stored_answer(api, conversation_id))["status"] != "streaming" and m, timeout=20)


def test_leaving_mid_answer_still_stores_the_whole_answer_as_complete(api, fake):
    fake.stream_plans.append(fo.stream_tokens(LONG[:40], delay=0.02))
    response, first = open_chat(api)
    read_events(response, stop_after_chunks=2)
    response.close()
    answer = settled_answer(api, first["conversation_id"])
    assert answer["status"] == "complete" and answer["content"] == "".join(LONG[:40])
    assert not fake.chat_requests(stream=True)[-1].disconnected


def test_while_it_runs_the_answer_is_streaming_with_the_text_so_far(api, fake):
    fake.stream_plans.append(fo.stream_then_wait([" first", " words"], seconds=1.5))
    response, first = open_chat(api)
    read_events(response, stop_after_chunks=1)
    conversation_id = first["conversation_id"]
    during = wait_for(lambda: (m := stored_answer(api, conversation_id))["content"] == " first words" and m)
    assert during["status"] == "streaming" and during["id"] == first["message_id"]
    assert during["role"] == "assistant"
    response.close()
    assert settled_answer(api, conversation_id)["content"] == " first words end"


def test_a_reader_that_stalls_does_not_delay_the_save(api, fake):
    big = [" " + "x" * 20_000 for _ in range(100)]  # 2 MB: far more than the socket buffers hold
    fake.stream_plans.append(fo.stream_tokens(big))
    response, first = open_chat(api)  # never read further
    answer = settled_answer(api, first["conversation_id"])
    assert answer["status"] == "complete" and len(answer["content"]) == len("".join(big))
    response.close()


def test_re_attach_replays_the_text_so_far_then_follows_to_done(api, fake):
    fake.stream_plans.append(fo.stream_then_wait([" one", " two"], seconds=1.0))
    response, first = open_chat(api)
    read_events(response, stop_after_chunks=1)
    response.close()
    conversation_id = first["conversation_id"]
    wait_for(lambda: stored_answer(api, conversation_id)["content"] == " one two")

    follower = api.get(f"/conversation/{conversation_id}/stream", stream=True)
    assert follower.status_code == 200 and follower.headers["Content-Type"].startswith("text/event-stream")
    events = read_events(Events(follower))
    assert events[0] == {"type": "chunk", "content": " one two"}
    assert [e["type"] for e in events[1:]] == ["chunk", "done"]
    assert events[1]["content"] == " end" and events[-1]["message_id"] == first["message_id"]
    assert api.get(f"/conversation/{conversation_id}/stream").status_code == 204


def test_stop_closes_the_upstream_and_keeps_the_partial_answer_as_stopped(api, fake):
    fake.stream_plans.append(fo.stream_tokens(LONG, delay=0.05))
    response, first = open_chat(api)
    conversation_id = first["conversation_id"]
    follower_events = read_events(response, stop_after_chunks=3)
    assert api.post(f"/conversation/{conversation_id}/stop").json() == {"stopped": True}
    upstream = fake.chat_requests(stream=True)[-1]
    assert wait_for(lambda: upstream.disconnected, timeout=1.0), "upstream still open 1 s after stop"
    rest = read_events(response)
    assert rest[-1]["type"] == "error" and rest[-1]["stopped"] is True
    answer = stored_answer(api, conversation_id)
    text = "".join(e["content"] for e in follower_events + rest if e["type"] == "chunk")
    assert answer["status"] == "stopped" and answer["content"] == text
    assert answer["content"].startswith(" w0 w1 w2") and len(answer["content"].split()) < 200
    assert api.post(f"/conversation/{conversation_id}/stop").json() == {"stopped": False}


def test_stop_and_stream_of_an_unknown_conversation_are_404_json(client):
    for response in (client.post("/conversation/" + "0" * 32 + "/stop"),
                     client.get("/conversation/" + "0" * 32 + "/stream")):
        assert response.status_code == 404 and "No conversation" in response.get_json()["error"]


def test_a_server_start_marks_streaming_answers_stopped(launch, fake, db_engine):
    server = launch()
    fake.stream_plans.append(fo.stream_then_wait([" cut"], seconds=30))  # the fake notices the kill
    response, first = open_chat(Api(server.url))
    read_events(response, stop_after_chunks=1)
    server.process.kill()  # a crash: nothing gets the chance to store the answer
    server.process.wait()
    response.close()
    with db_engine.connect() as conn:
        status = conn.execute(sa.text("SELECT status FROM message WHERE id = :id"),
                              {"id": first["message_id"]}).scalar()
    assert status == "streaming"
    restarted = launch()
    answer = stored_answer(Api(restarted.url), first["conversation_id"])
    assert answer["status"] == "stopped"


def count_statements(app, action) -> list[str]:
    """The SQL statements `action` sends, across every greenlet of this process (except the
    accounts feature's "is there any account?" check that every request makes), and the moment
    the upstream request goes out, as "POST <url>"."""
    from routerchat.extensions import db
    from routerchat.upstream import openrouter

    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        statement = " ".join(statement.split())
        if not statement.startswith("SELECT account.id FROM account"):  # the access check, not the chat
            seen.append(statement)
    with app.app_context():
        engine = db.engine
    client = openrouter(app).client
    real_check = client.check

    def check(request: str) -> None:
        seen.append(request)
        real_check(request)
    sa.event.listen(engine, "before_cursor_execute", record)
    client.check = check
    try:
        action()
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
        client.check = real_check
    return seen


def chat_in_process(client, **body) -> list[dict]:
    text = client.post("/chat", json=body).get_data(as_text=True)
    return [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")]


def statement_heads(statements: list[str]) -> list[str]:
    """Each statement as its verb and first table: "INSERT message", "SELECT account_settings";
    the upstream request as "POST upstream"."""
    heads = []
    for statement in statements:
        words = statement.replace(",", " ").replace("(", " ").split()
        if words[0] == "POST":  # the request to the upstream
            table = "upstream"
        elif words[0] == "SELECT":
            table = words[1].split(".")[0] if "." in words[1] else words[1]
        else:
            table = words[2] if words[0] in ("INSERT", "DELETE") else words[1]
        heads.append(f"{words[0]} {table}")
    return heads


def test_a_new_conversation_asks_the_model_first_then_costs_five_statements_to_done(app, client, fake):
    """The account's instructions read, the request sent upstream, then the conversation, question
    and `streaming` row inserted while the model starts, then the answer stored and its request
    written to the usage ledger (one transaction): no query per chunk and none while waiting (the
    title job that follows an answer is not counted)."""
    events = []
    seen = count_statements(app, lambda: events.extend(
        chat_in_process(client, message="count me", model="openai/gpt-5")))
    assert events[-1]["type"] == "done"
    assert statement_heads(seen[:7]) == [
        "SELECT account_settings", "POST upstream", "INSERT conversation", "INSERT message", "INSERT message",
        "UPDATE message", "INSERT usage_record"]
    assert seen[1].endswith("/chat/completions")
    assert seen[5].startswith("UPDATE message SET content")


def test_a_follow_up_asks_the_model_first_then_costs_six_statements_to_done(app, client, fake):
    """The preset, the conversation with its messages and their files, and the account's
    instructions read; the request sent; then the chat's model and its place at the top of the list
    in one UPDATE, the question, the `streaming` row, and at the end the answer and its usage
    record (no attachment query for a message without files, none for whether the chat holds
    images)."""
    conversation_id = chat_in_process(client, message="first")[0]["conversation_id"]
    settle(fake)  # the first answer's title job runs to its end before counting
    seen = count_statements(app, lambda: chat_in_process(client, message="again", conversation_id=conversation_id))
    assert statement_heads(seen[:10]) == [
        "SELECT preset", "SELECT conversation", "SELECT message_attachment", "SELECT account_settings",
        "POST upstream", "UPDATE conversation", "INSERT message", "INSERT message", "UPDATE message",
        "INSERT usage_record"]
    assert seen[5].startswith("UPDATE conversation SET updated_at")
    assert seen[8].startswith("UPDATE message SET content")
    assert all(s.startswith("SELECT conversation.") for s in seen[10:])  # only "does it want a title?"


def test_a_question_that_cannot_be_stored_ends_the_stream_with_an_error_and_closes_the_upstream(
        app, client, fake, db_engine, monkeypatch):
    """The request went upstream before the rows: when they cannot be written, nothing is kept
    and the model is not left generating (and billing) for nobody."""
    from sqlalchemy.exc import OperationalError

    from routerchat.db.models import Message
    from routerchat.views import chat

    stored = chat.insert_row

    def fail_on_the_answer_row(mapped, values):
        if mapped is Message and values["role"] == "assistant":
            raise OperationalError("INSERT", {}, Exception("the database is gone"))
        return stored(mapped, values)
    monkeypatch.setattr(chat, "insert_row", fail_on_the_answer_row)
    fake.stream_plans.append(fo.stream_then_wait([" never", " read"], seconds=8))
    with db_engine.connect() as conn:
        before = conn.execute(sa.text("SELECT count(*) FROM conversation")).scalar()
    events = list(stream_events(client.post("/chat", json={"message": "not kept"}, buffered=False)))
    assert [(e["type"], e["status"]) for e in events] == [("error", 503)]
    assert "could not be saved" in events[0]["error"]
    with db_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM conversation")).scalar() == before
        assert conn.execute(sa.text("SELECT count(*) FROM message WHERE content = 'not kept'")).scalar() == 0
    request = fake.chat_requests(stream=True)[-1]
    wait_for(lambda: request.finished, timeout=5, message="the upstream request was left open")
    assert request.disconnected


def test_the_list_says_which_conversations_are_answering(api, fake):
    fake.stream_plans.append(fo.stream_then_wait([" busy"], seconds=1.5))
    response, first = open_chat(api)
    read_events(response, stop_after_chunks=1)
    response.close()
    conversation_id = first["conversation_id"]

    def listed() -> dict:
        return next(c for c in api.get("/conversations").json()["conversations"] if c["id"] == conversation_id)
    assert listed()["answering"] is True
    settled_answer(api, conversation_id)
    assert wait_for(lambda: listed()["answering"] is False)


# --- a save that fails after its commit (in-process: the failure is injected with monkeypatch) ------


def fail_after_commit(monkeypatch) -> list[str]:
    """Make the answer's save raise right after its commit; returns the statuses it saved."""
    from routerchat.answers import store

    saved: list[str] = []
    save_end = store.save_end

    def store_then_fail(message_id, end):
        save_end(message_id, end)
        saved.append(end.status)
        raise RuntimeError("the connection broke after the commit")
    monkeypatch.setattr(store, "save_end", store_then_fail)
    return saved


def stream_events(response, max_pings: int = 10) -> Iterator[dict]:
    """The events of an in-process SSE response, read lazily (the app runs as they are read);
    a stream that only pings for `max_pings` pings in a row is taken as hanging and left."""
    pings = 0
    for piece in response.response:
        for line in (piece.decode() if isinstance(piece, bytes) else piece).splitlines():
            if line.startswith("data: "):
                pings = 0
                yield json.loads(line[6:])
            elif line.startswith(":"):
                pings += 1
        if pings >= max_pings:
            return


def answer_rows(db_engine, conversation_id: str) -> list[tuple[str, str]]:
    with db_engine.connect() as conn:
        return [tuple(row) for row in conn.execute(sa.text(
            "SELECT status, content FROM message WHERE conversation_id = :c AND role = 'assistant' ORDER BY id"),
            {"c": conversation_id})]


@pytest.mark.parametrize("plan,status,end", [
    (fo.stream_tokens([" saved", " once"]), "complete", "done"),
    (fo.stream_midstream_error([" saved", " once"]), "error", "error"),
], ids=["complete", "upstream error"])
def test_a_save_that_fails_after_its_commit_keeps_one_answer_and_ends_the_stream(app, client, fake, db_engine,
                                                                                monkeypatch, plan, status, end):
    saved = fail_after_commit(monkeypatch)
    monkeypatch.setitem(app.config, "SSE_PING_SECONDS", 0.1)  # a stream left without its end fails in 1 s
    fake.stream_plans.append(plan)
    events = list(stream_events(client.post("/chat", json={"message": "save me once"}, buffered=False)))
    assert saved == [status]
    assert [e["type"] for e in events] == ["conversation", "chunk", end]
    conversation_id = events[0]["conversation_id"]
    assert answer_rows(db_engine, conversation_id) == [(status, " saved once")]
    stored = client.get(f"/conversation/{conversation_id}").get_json()["messages"][-1]
    assert stored["id"] == events[0]["message_id"] and stored["status"] == status
    assert client.get(f"/conversation/{conversation_id}/stream").status_code == 204  # nothing left running


def fail_before_commit(monkeypatch, times: int) -> list[str]:
    """The answer's save raises before it writes anything, the first `times` times (a database
    that restarts); returns the outcomes it was asked to store."""
    from routerchat.answers import generation, store

    asked: list[str] = []
    save_end = store.save_end

    def fail_then_store(message_id, end):
        asked.append(end.status)
        if len(asked) <= times:
            raise RuntimeError("the database is restarting")
        save_end(message_id, end)
    monkeypatch.setattr(store, "save_end", fail_then_store)
    monkeypatch.setattr(generation, "STORE_RETRY_SECONDS", 0.01)
    return asked


def test_a_save_that_fails_before_its_commit_is_tried_again(app, client, fake, db_engine, monkeypatch):
    asked = fail_before_commit(monkeypatch, times=1)
    fake.stream_plans.append(fo.stream_tokens([" saved", " later"]))
    events = list(stream_events(client.post("/chat", json={"message": "save me"}, buffered=False)))
    assert asked == ["complete", "complete"]
    assert events[-1]["type"] == "done"
    assert answer_rows(db_engine, events[0]["conversation_id"]) == [("complete", " saved later")]


def test_an_answer_the_database_never_takes_ends_with_an_error_not_done(app, client, fake, db_engine, monkeypatch):
    from routerchat.answers.generation import STORE_ATTEMPTS

    asked = fail_before_commit(monkeypatch, times=99)
    fake.stream_plans.append(fo.stream_tokens([" never", " saved"]))
    events = list(stream_events(client.post("/chat", json={"message": "lose me"}, buffered=False)))
    assert asked == ["complete"] * STORE_ATTEMPTS
    assert events[-1]["type"] == "error" and events[-1]["status"] == 503
    assert "could not be saved" in events[-1]["error"]
    assert "".join(e["content"] for e in events if e["type"] == "chunk") == " never saved"  # shown, to copy


def test_a_stop_whose_save_fails_after_its_commit_keeps_one_stopped_answer_and_ends_every_stream(
        app, client, fake, db_engine, monkeypatch):
    from routerchat.answers import store

    saved = fail_after_commit(monkeypatch)
    # In this process the upstream read blocks until the answer ends; the answer is flushed after
    # each chunk instead and pauses there, so that the test can follow and stop it mid-answer.
    monkeypatch.setitem(app.config, "ANSWER_FLUSH_SECONDS", 0.0)
    monkeypatch.setitem(app.config, "SSE_PING_SECONDS", 0.1)
    save_text = store.save_text
    monkeypatch.setattr(store, "save_text", lambda *args: (save_text(*args), gevent.sleep(0.01)))
    fake.stream_plans.append(fo.stream_tokens(LONG[:30], delay=0.02))
    chat = stream_events(client.post("/chat", json={"message": "stop me"}, buffered=False))
    first = next(chat)
    conversation_id = first["conversation_id"]
    assert next(chat)["type"] == "chunk"
    follower = stream_events(client.get(f"/conversation/{conversation_id}/stream", buffered=False))
    assert next(follower)["type"] == "chunk"
    assert client.post(f"/conversation/{conversation_id}/stop").get_json() == {"stopped": True}
    assert saved == ["stopped"]
    [(status, content)] = answer_rows(db_engine, conversation_id)
    assert status == "stopped" and content.startswith(" w0") and len(content.split()) < 30
    for stream in (chat, follower):
        rest = list(stream)
        assert rest and rest[-1]["type"] == "error" and rest[-1]["stopped"] is True
    assert client.get(f"/conversation/{conversation_id}/stream").status_code == 204


def test_an_answer_shown_running_that_no_process_runs_is_stored_as_stopped(app, client, database_url):
    """One process (SQLite): a row left `streaming` (its end could not be saved) is not followed
    for ever, nor shown as answering in the list: re-attaching finds nothing and stops it."""
    if not database_url.startswith("sqlite"):
        pytest.skip("across processes, the owner is asked first: see tests/answers/test_relay.py")
    stored = store_conversation(app, ("question", "half an ans"), answer={"status": "streaming"})
    listed = client.get("/conversations").get_json()["conversations"]
    assert next(c for c in listed if c["id"] == stored.id)["answering"] is True
    assert client.get(f"/conversation/{stored.id}/stream").status_code == 204
    answer = client.get(f"/conversation/{stored.id}").get_json()["messages"][-1]
    assert answer["status"] == "stopped" and answer["content"] == "half an ans"
    listed = client.get("/conversations").get_json()["conversations"]
    assert next(c for c in listed if c["id"] == stored.id)["answering"] is False


def test_one_account_may_keep_only_so_many_answers_running(own_database_url, fake, tmp_path):
    """Answers outlive the page, so an account that leaves them running must meet a limit (429),
    counted from the database (every worker's answers), and another account is not affected."""
    app = in_process_app(own_database_url, fake.url, tmp_path / "instance", RUNNING_ANSWERS_PER_ACCOUNT=2)
    with app.app_context():
        accounts.add("alice", "correct horse battery")
        accounts.add("bob", "correct horse battery")
    for _ in range(2):
        store_conversation(app, ("still going?", ""), owner="alice", answer={"status": "streaming"})
    alice, bob = app.test_client(), app.test_client()
    for client, name in ((alice, "alice"), (bob, "bob")):
        assert client.post("/login", json={"username": name, "password": "correct horse battery"}).status_code == 200
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(Message))
    refused = alice.post("/chat", json={"message": "one more"})
    assert refused.status_code == 429
    assert refused.get_json()["error"] == ("You already have 2 answers being written (the limit is 2). "
                                           "Wait for one to finish, or stop one, and send again.")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Message)) == before  # nothing stored
    answered = bob.post("/chat", json={"message": "mine runs"})
    assert answered.status_code == 200 and '"type": "done"' in answered.get_data(as_text=True)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def done_then_hold_open(seconds: float) -> fo.Plan:
    """An answer whose body stays open after its [DONE] (the upstream does not end it)."""
    def plan(h: fo.FakeHandler, body: dict) -> None:
        h.start_stream()
        h.write_data(h.chunk(" held"))
        h.write_data(h.chunk("", finish="stop"))
        h.write_data("[DONE]")
        h.think(seconds)
        h.end_stream()
    return plan


def test_an_upstream_that_keeps_the_body_open_after_done_delays_the_end_by_a_second_at_most(api, fake):
    """The end of the body is read after [DONE] (for the connection's reuse) for one second at most:
    then the connection is closed and the answer ends as it would have."""
    fake.stream_plans.append(done_then_hold_open(10))
    started = time.monotonic()
    response, first = open_chat(api)
    events = read_events(response)
    assert events[-1]["type"] == "done" and time.monotonic() - started < 4
    request = fake.chat_requests(stream=True)[-1]
    wait_for(lambda: request.disconnected, timeout=3, message="the held connection was not closed")
    assert stored_answer(api, first["conversation_id"])["content"] == " held"



def test_a_title_waits_while_many_answers_stream_here_but_not_for_long(api, fake):
    """Many answers ending together would spend the CPU on titles that the answers still streaming
    (and new messages' first tokens) need: a title waits while more than QUIET_ANSWERS answers run
    in this process, TITLE_WAIT_SECONDS at most."""
    marker = uuid.uuid4().hex  # this test's chats (an earlier test's late title may come meanwhile)

    def titles_asked() -> list:
        return [r for r in fake.chat_requests(stream=False) if marker in json.dumps(r.body)]
    held = threading.Event()
    busy = QUIET_ANSWERS + 1
    fake.stream_plans.extend([fo.stream_tokens([" held"], hold=held) for _ in range(busy)])
    fake.stream_plans.append(fo.stream_tokens(["quick"]))
    streams = [open_chat(api, f"held {i} {marker}")[0] for i in range(busy)]
    try:
        quick, first = open_chat(api, f"quick {marker}")
        assert read_events(quick)[-1]["type"] == "done"
        ended = time.monotonic()
        time.sleep(1)
        assert titles_asked() == []  # its title waits: six answers ran, five still do
        assert wait_for(titles_asked, timeout=TITLE_WAIT_SECONDS + 3)
        assert time.monotonic() - ended >= TITLE_WAIT_SECONDS - 0.5  # then it went anyway
        assert len(titles_asked()) == 1
    finally:
        held.set()
    for stream in streams:
        assert read_events(stream)[-1]["type"] == "done"
    assert wait_for(lambda: len(titles_asked()) == busy + 1)  # the others titled at once
    settle(fake)
