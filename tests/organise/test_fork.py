"""Fork: POST /conversation/<id>/fork copies the branch down to a message into a new chat
(reasoning, citations, attachments, the chat's options), leaving the original as it was."""
from __future__ import annotations

import io
import json

import pytest
import sqlalchemy as sa

from routerchat.db.models import Message
from routerchat.extensions import db
from tests.support.accounts import logged_in
from tests.support.factories import store_conversation


def chat(web, message: str, **body) -> str:
    response = web.post("/chat", json={"message": message, **body})
    events = [json.loads(line[6:]) for line in response.get_data(as_text=True).splitlines()
              if line.startswith("data: ")]
    assert response.status_code == 200 and events[-1]["type"] == "done", events
    return events[0]["conversation_id"]


def fork(web, conversation_id: str, message_id) -> object:
    return web.post(f"/conversation/{conversation_id}/fork", json={"message_id": message_id})


def test_a_fork_copies_the_branch_down_to_the_message_and_leaves_the_original(organised_app, web):
    stored = store_conversation(organised_app, ("first question", "first answer"), ("second", "second answer"),
                                title="Original", title_source="auto", answer={"model": "x/y",
                                                                                "usage": {"cost": 0.5}})
    with organised_app.app_context():
        db.session.execute(sa.update(Message).where(Message.id == stored.answers[0]).values(
            reasoning="Let me think.", reasoning_seconds=2.5,
            citations=[{"url": "https://example.com/a", "title": "A"}]))
        db.session.commit()
    web.patch(f"/conversation/{stored.id}", json={"system_prompt": "Be terse.", "params": {"temperature": 0.2},
                                                  "pinned": True})
    original_before = web.get(f"/conversation/{stored.id}").get_json()

    response = fork(web, stored.id, stored.answers[0])
    assert response.status_code == 201
    copy_id = response.get_json()["conversation_id"]
    assert copy_id != stored.id
    copy = web.get(f"/conversation/{copy_id}").get_json()
    assert copy["title"] == "Original" and copy["title_source"] == "user"
    assert copy["forked_from"] == stored.id and copy["pinned"] is False and copy["archived"] is False
    assert copy["system_prompt"] == "Be terse." and copy["params"] == {"temperature": 0.2}
    assert [(m["role"], m["content"]) for m in copy["messages"]] == [("user", "first question"),
                                                                    ("assistant", "first answer")]
    answer = copy["messages"][1]
    assert answer["model"] == "x/y" and answer["usage"] is None  # the fork spent nothing
    with organised_app.app_context():
        row = db.session.get(Message, answer["id"])
        assert (row.reasoning, row.reasoning_seconds) == ("Let me think.", 2.5)
        assert row.citations == [{"url": "https://example.com/a", "title": "A"}]
    assert answer["id"] not in (stored.answers + stored.questions)
    assert web.get(f"/conversation/{stored.id}").get_json() == original_before
    assert copy_id == web.get("/conversations", query_string={"limit": 200}).get_json()["conversations"][1]["id"]


def test_a_fork_carries_the_attachments_and_keeps_them_after_the_original_goes(organised_app, web, fake):
    upload = web.post("/attachments", data={"file": (io.BytesIO(b"notes: fork me\n"), "notes.txt")},
                      content_type="multipart/form-data")
    assert upload.status_code == 201
    file_id = upload.get_json()["id"]
    original = chat(web, "Read this", attachments=[file_id])
    messages = web.get(f"/conversation/{original}").get_json()["messages"]
    copy_id = fork(web, original, messages[0]["id"]).get_json()["conversation_id"]
    copied = web.get(f"/conversation/{copy_id}").get_json()["messages"]
    assert [m["role"] for m in copied] == ["user"]
    assert [a["id"] for a in copied[0]["attachments"]] == [file_id]
    assert web.delete(f"/conversation/{original}").status_code == 204
    assert web.get(f"/attachment/{file_id}").status_code == 200
    chat(web, "And again?", conversation_id=copy_id)  # the copy answers with the file sent again
    sent = fake.chat_requests(stream=True)[-1].body["messages"]
    assert "fork me" in str(sent[0]["content"])


def test_a_fork_of_an_older_version_copies_that_versions_branch(organised_app, web):
    stored = store_conversation(organised_app, ("q", "a1"), title="Versions", title_source="user")
    with organised_app.app_context():
        from routerchat import conversations
        newer = conversations.add_message(stored.id, "assistant", "a2", parent_id=stored.questions[0])
        db.session.commit()
        newer_id = newer.id
    copy_id = fork(web, stored.id, stored.answers[0]).get_json()["conversation_id"]
    assert [m["content"] for m in web.get(f"/conversation/{copy_id}").get_json()["messages"]] == ["q", "a1"]
    copy_id = fork(web, stored.id, newer_id).get_json()["conversation_id"]
    assert [m["content"] for m in web.get(f"/conversation/{copy_id}").get_json()["messages"]] == ["q", "a2"]


@pytest.mark.parametrize("message_id,status", [(10**9, 404), ("1", 400), (None, 400), (True, 400)])
def test_a_message_not_in_the_chat_is_refused_and_nothing_is_made(organised_app, web, message_id, status):
    stored = store_conversation(organised_app, ("q", "a"), title="Refused", title_source="user")
    other = store_conversation(organised_app, ("other q", "other a"), title="Other", title_source="user")
    before = web.get("/conversations", query_string={"limit": 200}).get_json()["conversations"]
    for wrong in (message_id, other.answers[0]):
        response = fork(web, stored.id, wrong)
        assert response.status_code == (404 if wrong == other.answers[0] else status)
        assert "error" in response.get_json()
    assert web.get("/conversations", query_string={"limit": 200}).get_json()["conversations"] == before


def test_an_answer_still_being_written_is_not_forked(organised_app, web):
    stored = store_conversation(organised_app, ("q", "partial"), title="Streaming", title_source="user",
                                answer={"status": "streaming"})
    response = fork(web, stored.id, stored.answers[0])
    assert response.status_code == 409 and "still being written" in response.get_json()["error"]


def test_another_accounts_chat_is_not_forked(two_accounts_app):
    alices = store_conversation(two_accounts_app, ("secret", "kept"), owner="alice", title="Alice's")
    bob = logged_in(two_accounts_app, "bob")
    refused = fork(bob, alices.id, alices.answers[0])
    unknown = fork(bob, "f" * 32, alices.answers[0])
    assert refused.status_code == 404 and refused.get_json() == unknown.get_json()
    assert bob.get("/conversations").get_json()["conversations"] == []
