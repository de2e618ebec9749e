"""Re-attach and stop from another process (gunicorn workers share only PostgreSQL): the owner
of an answer hears follow and stop requests through LISTEN/NOTIFY."""
import json
import os
import signal
import time
from dataclasses import dataclass

import pytest

from tests import fake_openrouter as fo
from tests.answers.test_hub import LONG, Events, open_chat, read_events, read_events_for, stored_answer
from tests.support.client import Api
from tests.support.servers import AppServer, gunicorn_server, in_process_app
from tests.support.waiting import wait_for


@pytest.fixture
def two_processes(launch, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs one process: across processes needs PostgreSQL")
    return Api(launch().url), Api(launch().url)


def test_another_process_re_attaches_replays_and_follows_to_done(two_processes, fake):
    owner, other = two_processes
    fake.stream_plans.append(fo.stream_then_wait([" one", " two"], seconds=1.5))
    response, first = open_chat(owner)
    seen = ""
    while seen != " one two":
        seen += read_events(response, stop_after_chunks=1)[-1]["content"]
    response.close()

    follower = other.get(f"/conversation/{first['conversation_id']}/stream", stream=True)
    assert follower.status_code == 200
    events = read_events(Events(follower))
    assert events[0] == {"type": "chunk", "content": " one two"}
    assert "".join(e["content"] for e in events if e["type"] == "chunk") == " one two end"
    assert events[-1]["type"] == "done" and events[-1]["message_id"] == first["message_id"]
    assert stored_answer(other, first["conversation_id"])["status"] == "complete"
    assert other.get(f"/conversation/{first['conversation_id']}/stream").status_code == 204


def test_another_process_stops_the_answer_and_the_upstream_closes(two_processes, fake):
    owner, other = two_processes
    fake.stream_plans.append(fo.stream_tokens(LONG, delay=0.05))
    response, first = open_chat(owner)
    read_events(response, stop_after_chunks=3)
    assert other.post(f"/conversation/{first['conversation_id']}/stop").json() == {"stopped": True}
    upstream = fake.chat_requests(stream=True)[-1]
    assert wait_for(lambda: upstream.disconnected, timeout=1.0), "upstream still open 1 s after stop"
    assert read_events(response)[-1]["stopped"] is True
    assert stored_answer(other, first["conversation_id"])["status"] == "stopped"
    assert other.post(f"/conversation/{first['conversation_id']}/stop").json() == {"stopped": False}


def test_a_follower_in_another_process_after_the_end_gets_the_stored_answer(two_processes, fake):
    owner, other = two_processes
    result = owner.chat("quick")
    assert other.get(f"/conversation/{result.conversation_id}/stream").status_code == 204


def test_with_two_gunicorn_workers_any_worker_re_attaches_and_stops(database_url, fake, tmp_path):
    """Each request on a new connection lands on either worker; all of them see the answer."""
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers need PostgreSQL")
    with gunicorn_server(database_url, fake, tmp_path) as url:
        fake.stream_plans.append(fo.stream_tokens(LONG, delay=0.05))
        response, first = open_chat(Api(url))
        read_events(response, stop_after_chunks=3)
        conversation_id = first["conversation_id"]
        for _ in range(6):
            follower = Events(Api(url).get(f"/conversation/{conversation_id}/stream", stream=True))
            assert read_events(follower, stop_after_chunks=1)[0]["content"].startswith(" w0 w1 w2")
            follower.close()
        assert Api(url).post(f"/conversation/{conversation_id}/stop").json() == {"stopped": True}
        assert read_events(response)[-1]["stopped"] is True
        assert stored_answer(Api(url), conversation_id)["status"] == "stopped"


def test_installs_in_other_schemas_of_one_database_never_follow_each_others_answers(
        launch, database_url, own_database_url, fake, tmp_path):
    """Message ids repeat across schemas: a follow request for "answer N" must reach only the
    processes of its own install, or another install's running answer N is streamed to it."""
    if not database_url.startswith("postgresql"):
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    theirs, mine = Api(launch().url), Api(launch(DATABASE_URL=own_database_url).url)
    fake.stream_plans.append(fo.stream_then_wait([" their", " secret"], seconds=4))
    response, first = open_chat(theirs)
    read_events(response, stop_after_chunks=1)
    conversation_id = _running_answer_row(own_database_url, fake.url, tmp_path, first["message_id"], "mine so far")

    follower = Events(mine.session.get(f"{mine.base_url}/conversation/{conversation_id}/stream",
                                       stream=True, timeout=10))
    received = read_events_for(follower, 3)  # past OWNER_SILENT_SECONDS: a relay from "theirs" would be in by then
    follower.close()
    response.close()
    assert not any("secret" in json.dumps(event) for event in received), received


def test_an_answer_no_process_runs_any_more_ends_as_stopped_for_its_follower(
        launch, database_url, own_database_url, fake, tmp_path):
    """Its process died (or could not store its end): the follower is not kept waiting for ever;
    once nobody answers a few follow requests, the row is stored as stopped with its text."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs one process: see tests/answers/test_hub.py")
    server = Api(launch(DATABASE_URL=own_database_url).url)
    conversation_id = _running_answer_row(own_database_url, fake.url, tmp_path, 2, "orphaned so far")
    started = time.monotonic()
    events = read_events(Events(server.session.get(f"{server.base_url}/conversation/{conversation_id}/stream",
                                                   stream=True, timeout=30)))
    assert "".join(e["content"] for e in events if e["type"] == "chunk") == "orphaned so far"
    assert events[-1]["type"] == "error" and events[-1]["stopped"] is True
    assert time.monotonic() - started < 15
    assert stored_answer(server, conversation_id)["status"] == "stopped"


@dataclass
class FollowedAnswer:
    owner: AppServer
    other: Api
    conversation_id: str
    follower: Events


def _followed_from_another_process(launch, fake, silence: float, **owner_settings: str) -> FollowedAnswer:
    """An answer that sent " one two" and then only keep-alive comments for `silence` seconds
    (then " end"), followed from a second process that has received " one two"."""
    owner = launch(**owner_settings)
    other = Api(launch().url)
    fake.stream_plans.append(fo.stream_then_wait([" one", " two"], seconds=silence, comments=True))
    response, first = open_chat(Api(owner.url))
    seen = ""
    while seen != " one two":
        seen += read_events(response, stop_after_chunks=1)[-1]["content"]
    follower = Events(other.session.get(f"{other.base_url}/conversation/{first['conversation_id']}/stream",
                                        stream=True, timeout=30))
    assert read_events(follower, stop_after_chunks=1) == [{"type": "chunk", "content": " one two"}]
    return FollowedAnswer(owner, other, first["conversation_id"], follower)


def test_an_owner_that_dies_mid_answer_leaves_its_follower_the_text_so_far_as_stopped(launch, database_url, fake):
    """The owner's process died after its follower had heard from it. While the owner lives, a
    silent model never makes the follower give up; once the owner is gone, the follower stops
    waiting and the row keeps the text the follower was sent, though the owner never stored it."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs one process: see tests/answers/test_hub.py")
    followed = _followed_from_another_process(launch, fake, silence=60,
                                              ANSWER_FLUSH_SECONDS="60")  # it stores no text before it dies
    # Longer than OWNER_ASKS * OWNER_SILENT_SECONDS of silence from the model: the owner still answers.
    assert read_events_for(followed.follower, 7.5) == []

    followed.owner.process.kill()
    events = read_events_for(followed.follower, 15)  # it ends after OWNER_ASKS unanswered asks, about 6 s
    assert events and events[-1]["type"] == "error" and events[-1]["stopped"] is True, events
    assert not any(e["type"] == "chunk" for e in events), events
    stored = stored_answer(followed.other, followed.conversation_id)
    assert stored["status"] == "stopped" and stored["content"] == " one two"


def test_an_owner_that_stalls_for_a_while_is_not_taken_for_gone(launch, database_url, fake):
    """A worker that stops answering (frozen here with SIGSTOP, as a stalled or overloaded worker
    would be) longer than the follower's give-up point keeps its connections, so the follower
    keeps waiting, and gets the rest of the answer once the owner runs again."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs one process: see tests/answers/test_hub.py")
    followed = _followed_from_another_process(launch, fake, silence=10,
                                              UPSTREAM_READ_TIMEOUT="30")  # its read timer runs while it is stopped
    os.kill(followed.owner.process.pid, signal.SIGSTOP)
    try:
        time.sleep(8)  # longer than OWNER_ASKS * OWNER_SILENT_SECONDS
    finally:
        os.kill(followed.owner.process.pid, signal.SIGCONT)
    events = read_events_for(followed.follower, 20)
    assert events and events[-1]["type"] == "done", events
    assert "".join(e["content"] for e in events if e["type"] == "chunk") == " end"
    assert stored_answer(followed.other, followed.conversation_id)["status"] == "complete"


def _running_answer_row(database_url: str, upstream_url: str, tmp_path, message_id: int, content: str) -> str:
    """A conversation whose answer, with this id, the database shows as running in some process."""
    from routerchat.db.models import Conversation, Message, new_id
    from routerchat.extensions import db

    app = in_process_app(database_url, upstream_url, tmp_path / "rows")
    with app.app_context():
        conversation = Conversation(id=new_id(), title="Mine")
        db.session.add(conversation)
        db.session.flush()
        asked = Message(conversation_id=conversation.id, role="user", content="question")
        db.session.add(asked)
        db.session.flush()
        db.session.add(Message(id=message_id, conversation_id=conversation.id, role="assistant", content=content,
                               status="streaming", parent_id=asked.id))
        db.session.commit()
        return conversation.id


def test_another_process_re_attaches_with_the_reasoning_so_far(two_processes, fake):
    owner, other = two_processes
    fake.stream_plans.append(fo.stream_reasoning(["Thinking ", "it over."], [" one", " two", " three"], delay=0.4))
    response, first = open_chat(owner)
    read_events(response, stop_after_chunks=1)
    response.close()
    follower = other.get(f"/conversation/{first['conversation_id']}/stream", stream=True)
    events = read_events(Events(follower))
    assert events[0] == {"type": "reasoning", "content": "Thinking it over."}
    assert "".join(e["content"] for e in events if e["type"] == "chunk") == " one two three"
    assert events[-1]["type"] == "done"
    assert stored_answer(other, first["conversation_id"])["reasoning"] == "Thinking it over."
