"""Versions of a message: regenerate, retry, edit-and-resend and branch switching, the upstream
history of the active branch only, bad input, and the migration of existing conversations."""
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from routerchat.versions import active_branch, ancestry
from tests import fake_openrouter as fo
from tests.support.client import Api
from tests.support.factories import store_conversation
from tests.support.waiting import settle
from tests.test_chat import counts

T0 = datetime(2026, 1, 1)


@dataclass
class Row:
    id: int
    parent_id: int | None
    minute: int
    chosen: int | None = None

    @property
    def created_at(self):
        return T0 + timedelta(minutes=self.minute)

    @property
    def selected_at(self):
        return T0 + timedelta(minutes=self.minute if self.chosen is None else self.chosen)


def test_active_branch_follows_the_most_recently_chosen_sibling():
    rows = [Row(1, None, 0), Row(2, 1, 1), Row(3, 1, 2), Row(4, 2, 3), Row(5, 3, 4)]
    assert [(p.message.id, p.version, p.siblings) for p in active_branch(rows)] == [
        (1, 1, (1,)), (3, 2, (2, 3)), (5, 1, (5,))]
    rows[1].chosen = 9  # switched back to the first answer
    assert [p.message.id for p in active_branch(rows)] == [1, 2, 4]
    assert active_branch([]) == []


def test_ancestry_is_root_first_and_empty_for_unknown_ids():
    rows = [Row(1, None, 0), Row(2, 1, 1), Row(3, 2, 2)]
    assert [r.id for r in ancestry(rows, 3)] == [1, 2, 3]
    assert ancestry(rows, 99) == []


def branch(api: Api, conversation_id: str) -> list[dict]:
    return api.get(f"/conversation/{conversation_id}").json()["messages"]


def stored_branch(client, conversation_id: str) -> list[dict]:
    return client.get(f"/conversation/{conversation_id}").get_json()["messages"]


def test_regenerate_adds_a_second_answer_beside_the_first(api, fake):
    first = api.chat("Tell a joke")
    fake.stream_plans.append(fo.stream_tokens(["Another", " joke"]))
    again = api.chat(None, conversation_id=first.conversation_id, regenerate=True)
    assert again.types[0] == "conversation" and again.last["type"] == "done"
    assert again.events[0]["user_message_id"] == first.events[0]["user_message_id"]
    messages = branch(api, first.conversation_id)
    assert [(m["role"], m["content"], m["version"], m["versions"]) for m in messages] == [
        ("user", "Tell a joke", 1, 1), ("assistant", "Another joke", 2, 2)]
    assert messages[1]["parent_id"] == messages[0]["id"]
    assert fake.chat_requests(stream=True)[-1].body["messages"] == [{"role": "user", "content": "Tell a joke"}]


def test_retry_after_an_error_is_a_regenerate(api, fake):
    fake.stream_plans.append(fo.http_error(502, "Provider returned error"))
    failed = api.chat("Try me")
    assert failed.last["type"] == "error"
    retried = api.chat(None, conversation_id=failed.conversation_id, regenerate=True)
    assert retried.last["type"] == "done"
    answer = branch(api, failed.conversation_id)[1]
    assert (answer["status"], answer["version"], answer["versions"]) == ("complete", 2, 2)


def test_edit_makes_a_new_question_and_the_old_branch_stays(api, fake):
    first = api.chat("My name is Ada.")
    conversation_id = first.conversation_id
    api.chat("What is my name?", conversation_id=conversation_id)
    old_question = first.events[0]["user_message_id"]
    edited = api.chat("My name is Grace.", conversation_id=conversation_id, edit=old_question)
    assert edited.last["type"] == "done"
    messages = branch(api, conversation_id)
    assert [(m["content"], m["version"], m["versions"]) for m in messages] == [
        ("My name is Grace.", 2, 2), ("Echo: My name is Grace.", 1, 1)]
    assert fake.chat_requests(stream=True)[-1].body["messages"] == [{"role": "user", "content": "My name is Grace."}]

    switched = api.post(f"/conversation/{conversation_id}/branch", json={"message_id": old_question})
    assert switched.status_code == 200
    assert [m["content"] for m in switched.json()["messages"]] == [
        "My name is Ada.", "Echo: My name is Ada.", "What is my name?", "Echo: What is my name?"]
    assert switched.json()["messages"] == branch(api, conversation_id)

    api.chat("And my age?", conversation_id=conversation_id)
    assert [m["content"] for m in fake.chat_requests(stream=True)[-1].body["messages"]] == [
        "My name is Ada.", "Echo: My name is Ada.", "What is my name?", "Echo: What is my name?", "And my age?"]


def test_the_title_comes_from_the_first_branch_and_edits_do_not_change_it(api, fake):
    first = api.chat("Banana bread without eggs")
    title = api.settled_title(first.conversation_id)["title"]
    api.chat("Lemon cake", conversation_id=first.conversation_id, edit=first.events[0]["user_message_id"])
    assert api.settled_title(first.conversation_id)["title"] == title


def test_two_tabs_regenerating_at_once_both_store_their_version(api, app_server, fake):
    first = api.chat("Two tabs")
    fake.stream_plans.extend([fo.stream_tokens([" one"], delay=0.2), fo.stream_tokens([" two"], delay=0.2)])
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: Api(app_server.url).chat(None, conversation_id=first.conversation_id,
                                                                   regenerate=True), range(2)))
    assert all(r.last["type"] == "done" for r in results)
    answer = branch(api, first.conversation_id)[1]
    assert answer["versions"] == 3 and answer["version"] == 3


BAD = [
    ("regenerate without a conversation", lambda c: {"regenerate": True}, 400, "conversation_id"),
    ("regenerate with a message", lambda c: {"regenerate": True, "message": "x", "conversation_id": c["id"]}, 400,
     "no message"),
    ("regenerate not a boolean", lambda c: {"regenerate": "yes", "conversation_id": c["id"]}, 400, "true or false"),
    ("edit of an answer", lambda c: {"message": "x", "conversation_id": c["id"], "edit": c["answer"]}, 400,
     "Only your own"),
    ("edit of another conversation's message", lambda c: {"message": "x", "conversation_id": c["id"],
                                                           "edit": c["other_question"]}, 404, "no message"),
    ("edit not an id", lambda c: {"message": "x", "conversation_id": c["id"], "edit": "1"}, 400, "edit must"),
    ("edit with an empty message", lambda c: {"message": "", "conversation_id": c["id"], "edit": c["question"]},
     400, "empty"),
]


@pytest.fixture
def two_conversations(app):
    one = store_conversation(app, ("first conversation", "Echo: first conversation"), title="First",
                             title_source="auto", answer={"model": "x/y"})
    other = store_conversation(app, ("other conversation", "Echo: other conversation"), title="Other",
                               title_source="auto", answer={"model": "x/y"})
    return {"id": one.id, "question": one.questions[0], "answer": one.answers[0],
            "other_question": other.questions[0], "other_id": other.id}


@pytest.mark.parametrize("name,body,status,words", BAD, ids=[b[0] for b in BAD])
def test_bad_regenerate_and_edit_are_4xx_json_and_change_nothing(client, fake, db_engine, two_conversations,
                                                                 name, body, status, words):
    before, snapshot = counts(db_engine), stored_branch(client, two_conversations["id"])
    response = client.post("/chat", json=body(two_conversations))
    assert response.status_code == status and words in response.get_json()["error"]
    settle(fake)  # an answer or title job started by mistake would run (and call) now
    assert counts(db_engine) == before and stored_branch(client, two_conversations["id"]) == snapshot
    assert fake.chat_requests() == []


def test_regenerate_on_a_conversation_without_a_question_is_409(client, app, fake, db_engine):
    conversation_id = store_conversation(app).id
    before = counts(db_engine)
    response = client.post("/chat", json={"regenerate": True, "conversation_id": conversation_id})
    assert response.status_code == 409 and "no question" in response.get_json()["error"]
    settle(fake)
    assert counts(db_engine) == before and fake.chat_requests() == []


@pytest.mark.parametrize("message_id,status", [("other", 404), ("1", 400), (None, 400), (True, 400)])
def test_branch_to_a_foreign_or_malformed_message_is_4xx_and_changes_nothing(client, two_conversations,
                                                                             message_id, status):
    target = two_conversations["other_question"] if message_id == "other" else message_id
    snapshot = stored_branch(client, two_conversations["id"])
    response = client.post(f"/conversation/{two_conversations['id']}/branch", json={"message_id": target})
    assert response.status_code == status and "error" in response.get_json()
    assert stored_branch(client, two_conversations["id"]) == snapshot
    missing = client.post("/conversation/" + "0" * 32 + "/branch", json={"message_id": 1})
    assert missing.status_code == 404


def test_the_migration_keeps_existing_conversations_as_one_branch(tmp_path):
    from routerchat.extensions import db
    from routerchat.startup import prepare_database
    from tests.support.servers import app_at_initial_schema

    app = app_at_initial_schema(tmp_path / "old.db")
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO conversation (id, title, title_source, title_attempts, created_at,"
                             " updated_at) VALUES ('c1', 'Old', 'auto', 1, '2026-01-01', '2026-01-01')"))
        for i, (role, minute) in enumerate([("user", 1), ("assistant", 2), ("user", 2), ("assistant", 3)]):
            conn.execute(sa.text("INSERT INTO message (id, conversation_id, role, content, status, created_at)"
                                 " VALUES (:id, 'c1', :role, :content, 'complete', :at)"),
                         {"id": 10 + i, "role": role, "content": f"m{i}", "at": f"2026-01-01 00:0{minute}:00"})
    prepare_database(app)
    with app.app_context():
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT id, parent_id FROM message ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(10, None), (11, 10), (12, 11), (13, 12)]
    with app.test_client() as client:
        messages = client.get("/conversation/c1").get_json()["messages"]
    assert [(m["content"], m["version"], m["versions"]) for m in messages] == [
        ("m0", 1, 1), ("m1", 1, 1), ("m2", 1, 1), ("m3", 1, 1)]
