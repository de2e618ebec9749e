"""Conversation routes: list with cursors, read, rename, delete; over real HTTP where a test chats,
in-process for the validation tables."""
import re

import pytest
import sqlalchemy as sa

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def test_list_is_newest_first_and_a_new_message_moves_a_chat_to_the_top(api):
    first = api.chat("first").conversation_id
    second = api.chat("second").conversation_id
    ids = [c["id"] for c in api.get("/conversations").json()["conversations"]]
    assert ids.index(second) < ids.index(first)
    api.chat("again", conversation_id=first)
    ids = [c["id"] for c in api.get("/conversations").json()["conversations"]]
    assert ids[0] == first


def test_list_items_have_the_documented_fields(api):
    conversation_id = api.chat("fields").conversation_id
    item = next(c for c in api.get("/conversations").json()["conversations"] if c["id"] == conversation_id)
    assert set(item) == {"id", "title", "title_source", "created_at", "updated_at", "answering", "model",
                         "pinned", "archived", "folder_id", "forked_from"}
    assert TIMESTAMP.match(item["created_at"]) and TIMESTAMP.match(item["updated_at"])
    assert re.fullmatch(r"[0-9a-f]{32}", item["id"])


def test_pages_cover_everything_once_and_next_is_null_at_the_end(api):
    for i in range(5):
        api.chat(f"page {i}")
    everything = api.get("/conversations?limit=200").json()
    assert everything["next"] is None
    seen, cursor = [], None
    while True:
        page = api.get("/conversations", params={"limit": 2, **({"before": cursor} if cursor else {})}).json()
        assert "next" in page and len(page["conversations"]) <= 2
        seen += [c["id"] for c in page["conversations"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == [c["id"] for c in everything["conversations"]]


def test_ties_on_updated_at_are_ordered_by_id_across_pages(api, db_engine):
    ids = [api.chat(f"tie {i}").conversation_id for i in range(3)]
    for conversation_id in ids:
        api.settled_title(conversation_id)
    with db_engine.begin() as conn:
        conn.execute(sa.text("UPDATE conversation SET updated_at = :t WHERE id IN (:a, :b, :c)"),
                     {"t": "2999-01-01 00:00:00.000001", "a": ids[0], "b": ids[1], "c": ids[2]})
    first = api.get("/conversations?limit=2").json()
    second = api.get("/conversations", params={"limit": 1, "before": first["next"]}).json()
    got = [c["id"] for c in first["conversations"] + second["conversations"]]
    assert got == sorted(ids, reverse=True)
    with db_engine.begin() as conn:  # leave the ordering of later tests alone
        conn.execute(sa.text("UPDATE conversation SET updated_at = created_at WHERE id IN (:a, :b, :c)"),
                     {"a": ids[0], "b": ids[1], "c": ids[2]})


@pytest.mark.parametrize("query,words", [
    ("?limit=0", "between 1 and 200"), ("?limit=500", "between 1 and 200"),
    ("?limit=ten", "whole number"), ("?before=not-a-cursor", "cursor"),
])
def test_bad_list_queries_are_400(client, query, words):
    response = client.get("/conversations" + query)
    assert response.status_code == 400 and words in response.get_json()["error"]


def test_get_returns_messages_in_order_with_documented_fields(api):
    result = api.chat("hello")
    api.chat("and again", conversation_id=result.conversation_id)
    data = api.get(f"/conversation/{result.conversation_id}").json()
    assert {"id", "title", "title_source", "messages"} <= set(data)
    assert [m["role"] for m in data["messages"]] == ["user", "assistant", "user", "assistant"]
    assert [m["content"] for m in data["messages"][::2]] == ["hello", "and again"]
    for message in data["messages"]:
        assert {"id", "role", "content", "model", "created_at", "status"} <= set(message)
        assert TIMESTAMP.match(message["created_at"])
    assert data["messages"][0]["model"] is None and data["messages"][1]["model"]


def test_rename_sets_a_user_title(api):
    conversation_id = api.chat("rename me").conversation_id
    response = api.patch(f"/conversation/{conversation_id}", json={"title": "  My   own title "})
    assert response.status_code == 200
    assert response.json()["title"] == "My own title" and response.json()["title_source"] == "user"
    listed = next(c for c in api.get("/conversations").json()["conversations"] if c["id"] == conversation_id)
    assert listed["title"] == "My own title"


def test_rename_removes_bidi_and_control_characters(client, stored_conversation):
    response = client.patch(f"/conversation/{stored_conversation}",
                            json={"title": "Invoice \u202egnp.exe\u202c\x1b[1m bold\x08\u200f"})
    assert response.status_code == 200 and response.get_json()["title"] == "Invoice gnp.exe bold"


@pytest.mark.parametrize("kwargs,status,words", [
    ({"json": {"title": "\u202e\u2066\x07"}}, 400, "non-empty"),
    ({"json": {"title": ""}}, 400, "non-empty"),
    ({"json": {"title": "   "}}, 400, "non-empty"),
    ({"json": {"title": 7}}, 400, "non-empty string"),
    ({"json": {}}, 400, "at least one of title"),
    ({"json": {"title": "x" * 101}}, 400, "at most 100"),
    ({"data": "{bad", "headers": {"Content-Type": "application/json"}}, 400, "not valid JSON"),
    ({"data": "title=x"}, 415, "JSON"),
])
def test_bad_rename_is_4xx_and_keeps_the_title(client, stored_conversation, kwargs, status, words):
    before = client.get(f"/conversation/{stored_conversation}").get_json()
    response = client.patch(f"/conversation/{stored_conversation}", **kwargs)
    assert response.status_code == status and words in response.get_json()["error"]
    assert client.get(f"/conversation/{stored_conversation}").get_json() == before


def test_unknown_ids_are_404_everywhere(client):
    missing = "f" * 32
    assert client.get(f"/conversation/{missing}").status_code == 404
    assert client.patch(f"/conversation/{missing}", json={"title": "x"}).status_code == 404
    assert client.delete(f"/conversation/{missing}").status_code == 404
    assert client.post(f"/conversation/{missing}/summarize").status_code == 404
    assert "error" in client.get(f"/conversation/{missing}").get_json()


def test_delete_removes_the_conversation_and_its_messages(api, db_engine):
    conversation_id = api.chat("delete me").conversation_id
    api.settled_title(conversation_id)
    response = api.delete(f"/conversation/{conversation_id}")
    assert response.status_code == 204 and response.content == b""
    assert api.get(f"/conversation/{conversation_id}").status_code == 404
    assert api.delete(f"/conversation/{conversation_id}").status_code == 404
    with db_engine.connect() as conn:
        left = conn.execute(sa.text("SELECT count(*) FROM message WHERE conversation_id = :c"),
                            {"c": conversation_id}).scalar()
    assert left == 0
    assert conversation_id not in [c["id"] for c in api.get("/conversations?limit=200").json()["conversations"]]
