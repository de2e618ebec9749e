"""Export and import: the pure formats, then the routes, on SQLite and PostgreSQL."""
import base64
import copy
import io
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from routerchat import conversations as conversation_store
from routerchat.extensions import db
from routerchat.transfer import store as transfer_store
from routerchat.transfer.formats import ArchiveError, read_archive, to_markdown
from tests.attachments import files
from tests.support.factories import store_conversation, store_exchange

CHATGPT = json.loads((Path(__file__).parent / "data" / "chatgpt_conversations.json").read_text())

# --- pure -----------------------------------------------------------------------------------------


def test_chatgpt_export_keeps_every_branch_and_shows_current_node():
    archived, skipped = read_archive(copy.deepcopy(CHATGPT))
    assert [c.title for c in archived] == ["Eggless Banana Bread", "Квантовая запутанность"]
    assert skipped == [{"title": "New chat", "why": "It has no question or answer with text."}]
    bread = archived[0]
    shown = [e for e in bread.entries if e.on_branch]
    assert [(e.role, e.content) for e in shown] == [
        ("user", "How do I make eggless banana bread?"),
        ("assistant", "Mash 3 ripe bananas, mix with oil and sugar…"),
        ("user", "[attachment not imported]\n\nCan I add walnuts? Here is my photo."),
        ("assistant", "Yes — fold in ½ cup of chopped walnuts."),
    ]  # the hidden system message and the tool call are left out
    assert [e.model for e in shown] == [None, "gpt-4o", None, "gpt-4o"]
    assert [e.parent_key for e in shown] == [None] + [e.key for e in shown[:-1]]
    question, answer = [e for e in bread.entries if not e.on_branch]  # before the question was edited
    assert (question.content, question.parent_key) == ("Can I use butter?", shown[1].key)
    assert (answer.content, answer.parent_key) == ("Yes, melted butter works.", question.key)
    assert bread.entries[0].created_at.isoformat() == "2024-04-24T23:06:40.500000"
    times = [e.created_at for e in shown]
    assert times == sorted(times)


@pytest.mark.parametrize("mapping,current_node,words", [
    ({"a": {"id": "a", "parent": "b", "message": None}, "b": {"id": "b", "parent": "a", "message": None}}, "a",
     "cycle"),
    ({"a": {"id": "a", "parent": None}, "b": {"id": "b", "parent": "b"}}, "a", "cycle"),  # off the shown branch
    ({"a": {"id": "a", "parent": "gone"}}, "a", "missing message (gone)"),
    ({"a": {"id": "a", "parent": 7}}, "a", "missing message (7)"),
    ({"a": {"id": "a", "parent": None}, "b": "not a node"}, "a", "not an object"),
    ({"a": {"id": "a", "parent": None}}, "nowhere", "current_node"),
])
def test_chatgpt_cycles_and_missing_nodes_are_refused(mapping, current_node, words):
    with pytest.raises(ArchiveError) as error:
        read_archive([{"title": "t", "current_node": current_node, "mapping": mapping}])
    assert words in str(error.value)


def test_markdown_names_who_said_what():
    text = to_markdown({"title": "Trip", "messages": [
        {"role": "user", "content": "Plan Kyoto", "created_at": "2026-01-01T10:00:00.000000Z", "status": "complete"},
        {"role": "assistant", "content": "Day 1…", "model": "x/y", "created_at": "2026-01-01T10:00:05.000000Z",
         "status": "error", "error": "The model's provider returned an error."}]})
    assert text.startswith("# Trip\n")
    assert "## You · 2026-01-01T10:00:00.000000Z\n\nPlan Kyoto" in text
    assert "## Assistant (x/y)" in text and "> The model's provider returned an error." in text


def _message(key: int, parent: int | None, role: str, text: str) -> dict:
    return {"id": key, "parent_id": parent, "role": role, "content": text, "created_at": "2026-01-01T00:00:00Z"}


def _archive(messages: list[dict], others: list[dict]) -> dict:
    return {"format": "routerchat", "version": 1, "conversations": [
        {"title": "Tree", "created_at": "2026-01-01T00:00:00Z", "messages": messages, "other_versions": others}]}


BRANCH = [_message(1, None, "user", "Q"), _message(5, 1, "assistant", "A, second try")]


def test_other_versions_are_read_parents_first_beside_the_active_branch():
    others = [_message(4, 3, "assistant", "A2"), _message(3, 2, "user", "Q2"), _message(2, 1, "assistant", "A")]
    [tree], skipped = read_archive(_archive(BRANCH, others))
    assert skipped == []
    assert [(e.key, e.parent_key, e.on_branch) for e in tree.entries] == [
        (1, None, True), (5, 1, True), (2, 1, False), (3, 2, False), (4, 3, False)]


def test_a_file_without_other_versions_is_one_branch():
    archive = _archive(BRANCH, [])
    del archive["conversations"][0]["other_versions"]
    [tree], _ = read_archive(archive)
    assert [(e.key, e.parent_key, e.on_branch) for e in tree.entries] == [(0, None, True), (1, 0, True)]


BAD_TREES = [
    ("two messages with one id", BRANCH, [_message(5, 1, "assistant", "again")], "two messages with id 5"),
    ("a parent not in the file", BRANCH, [_message(2, 9, "assistant", "lost")], "missing message (9)"),
    ("a cycle", BRANCH, [_message(2, 3, "user", "x"), _message(3, 2, "assistant", "y")], "cycle"),
    ("a branch that skips", [_message(1, None, "user", "Q"), _message(5, 2, "assistant", "A")],
     [_message(2, 1, "assistant", "B")], "not one branch"),
    ("a branch that starts below the start", [_message(1, 2, "user", "Q")], [_message(2, None, "user", "P")],
     "not one branch"),
    ("an id that is not a number", BRANCH, [{**_message(2, 1, "assistant", "x"), "id": "2"}], "whole-number id"),
    ("a branch message without an id", [{**BRANCH[0], "id": None}], [], "whole-number id"),
    ("other versions that are not a list", BRANCH, {"2": _message(2, 1, "assistant", "x")}, "not a list"),
]


@pytest.mark.parametrize("name,messages,others,words", BAD_TREES, ids=[b[0] for b in BAD_TREES])
def test_bad_version_trees_are_refused(name, messages, others, words):
    with pytest.raises(ArchiveError) as error:
        read_archive(_archive(messages, others))
    assert words in str(error.value)


# --- routes ----------------------------------------------------------------------------------------


@pytest.fixture
def conversation_id(app):
    return store_exchange(app, "How do I make café au lait?", "Heat milk…\n\n```\nbrew()\n```",
                          title="Café au lait", title_source="auto", model="x/y",
                          usage={"prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13, "cost": 0.0001})


def counts(db_engine) -> tuple[int, int]:
    with db_engine.connect() as conn:
        return (conn.execute(sa.text("SELECT count(*) FROM conversation")).scalar(),
                conn.execute(sa.text("SELECT count(*) FROM message")).scalar())


def test_markdown_export_is_a_download(client, conversation_id):
    response = client.get(f"/conversation/{conversation_id}/export?format=md")
    assert response.status_code == 200 and response.mimetype == "text/markdown"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "Caf" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("# Café au lait") and "```\nbrew()\n```" in text


def test_json_export_imports_back_as_a_new_conversation(client, conversation_id):
    exported = client.get(f"/conversation/{conversation_id}/export?format=json")
    assert exported.status_code == 200 and exported.mimetype == "application/json"
    response = client.post("/import", data={"file": (io.BytesIO(exported.data), "chat.json")})
    assert response.status_code == 200 and response.get_json() == {"imported": 1, "skipped": []}
    original = client.get(f"/conversation/{conversation_id}").get_json()
    copy_ = next(c for c in client.get("/conversations?limit=200").get_json()["conversations"]
                 if c["title"] == "Café au lait" and c["id"] != conversation_id)
    imported = client.get(f"/conversation/{copy_['id']}").get_json()
    assert imported["title_source"] == "user"
    keep = ("role", "content", "model", "status", "usage", "created_at")
    assert [{k: m[k] for k in keep} for m in imported["messages"]] == \
           [{k: m[k] for k in keep} for m in original["messages"]]


@pytest.mark.parametrize("batch,commit", [(transfer_store.IMPORT_BATCH_MESSAGES, 1000), (1, 1), (1, 3)],
                         ids=["one batch", "a batch per message", "PostgreSQL commits every third"])
def test_every_version_survives_export_and_import(app, client, monkeypatch, batch, commit):
    """Q1 → A1 → Q2 → A2, then a second answer beside A1 (shown now): the import shows the same
    branch, and switching back to A1 shows Q2 and A2 below it; also when each message is committed
    on its own (parents from earlier batches are linked by id)."""
    monkeypatch.setattr(transfer_store, "IMPORT_BATCH_MESSAGES", batch)
    monkeypatch.setattr(transfer_store, "IMPORT_COMMIT_MESSAGES_POSTGRESQL", commit)
    stored = store_conversation(app, ("Q1", "A1"), ("Q2", "A2"), title="Branches", title_source="user")
    with app.app_context():
        conversation_store.add_message(stored.id, "assistant", "A1, second try", parent_id=stored.questions[0])
        db.session.commit()
    exported = client.get(f"/conversation/{stored.id}/export?format=json").get_json()
    assert [m["content"] for m in exported["conversations"][0]["other_versions"]] == ["A1", "Q2", "A2"]
    assert client.post("/import", json=exported).get_json() == {"imported": 1, "skipped": []}
    copy_id = next(c["id"] for c in client.get("/conversations?limit=200").get_json()["conversations"]
                   if c["title"] == "Branches" and c["id"] != stored.id)

    def shown(conversation_id):
        return [(m["content"], m["version"], m["versions"])
                for m in client.get(f"/conversation/{conversation_id}").get_json()["messages"]]
    assert shown(copy_id) == shown(stored.id) == [("Q1", 1, 1), ("A1, second try", 2, 2)]
    first_answer = client.get(f"/conversation/{copy_id}").get_json()["messages"][1]["siblings"][0]
    assert client.post(f"/conversation/{copy_id}/branch", json={"message_id": first_answer}).status_code == 200
    assert shown(copy_id) == [("Q1", 1, 1), ("A1", 1, 2), ("Q2", 1, 1), ("A2", 1, 1)]


def test_export_of_everything_is_one_json_document(client, conversation_id):
    response = client.get("/export")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    archive = json.loads(response.get_data(as_text=True))
    assert archive["format"] == "routerchat" and archive["version"] == 1
    mine = [c for c in archive["conversations"] if c["id"] == conversation_id]
    assert len(mine) == 1 and [m["role"] for m in mine[0]["messages"]] == ["user", "assistant"]
    archive["conversations"] = mine
    assert client.post("/import", json=archive).get_json()["imported"] == 1


def test_a_realistic_chatgpt_export_imports(client, db_engine):
    before = counts(db_engine)
    raw = json.dumps(CHATGPT).encode()
    response = client.post("/import", data={"file": (io.BytesIO(raw), "conversations.json")})
    assert response.status_code == 200
    assert response.get_json() == {"imported": 2, "skipped": [{"title": "New chat",
                                                               "why": "It has no question or answer with text."}]}
    assert counts(db_engine) == (before[0] + 2, before[1] + 8)
    found = client.get("/conversations", query_string={"q": "walnuts"}).get_json()["conversations"]
    bread = client.get(f"/conversation/{found[0]['id']}").get_json()
    assert bread["title"] == "Eggless Banana Bread" and bread["title_source"] == "user"
    assert bread["messages"][-1]["content"] == "Yes — fold in ½ cup of chopped walnuts."
    assert bread["created_at"].startswith("2024-04-24T23:06:40")
    edited = bread["messages"][2]
    assert (edited["version"], edited["versions"]) == (2, 2)  # the walnut question came after the butter one
    client.post(f"/conversation/{bread['id']}/branch", json={"message_id": edited["siblings"][0]})
    assert [m["content"] for m in client.get(f"/conversation/{bread['id']}").get_json()["messages"]][2:] == [
        "Can I use butter?", "Yes, melted butter works."]


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def upload(raw: bytes, field: str = "file"):
    """A multipart upload, made fresh for each request (the test client closes the file)."""
    return lambda: {"data": {field: (io.BytesIO(raw), "x.json")}}


def _routerchat_with_usage(usage: dict) -> dict:
    answer = {"role": "assistant", "content": "hi", "created_at": "2026-01-01T00:00:01Z", "usage": usage}
    return {"format": "routerchat", "version": 1, "conversations": [{
        "title": "t", "created_at": "2026-01-01T00:00:00Z",
        "messages": [{"role": "user", "content": "hello", "created_at": "2026-01-01T00:00:00Z"}, answer]}]}


def test_imported_titles_lose_bidi_and_control_characters(client):
    export = _routerchat_with_usage({"prompt_tokens": 2**31 - 1})
    export["conversations"][0]["title"] = "\u202eexe.doc\x1b[31m red\x07\u2066 x\u2069\x85"
    response = client.post("/import", json=export)
    assert response.status_code == 200 and response.get_json()["imported"] == 1
    found = client.get("/conversations", query_string={"q": "exe.doc"}).get_json()["conversations"]
    assert [c["title"] for c in found] == ["exe.doc red x"]


BAD_IMPORTS = [
    ("not json", upload(b"{nope"), 400, "not valid JSON"),
    ("not utf-8", upload(b"\xff\xfe[]"), 400, "not valid JSON"),
    ("wrong shape", {"json": {"conversations": []}}, 400, "neither a routerchat export nor"),
    ("list of strings", {"json": ["a", "b"]}, 400, "neither a routerchat export nor"),
    ("future version", {"json": {"format": "routerchat", "version": 99, "conversations": []}}, 400, "version 99"),
    ("message without role", {"json": {"format": "routerchat", "version": 1, "conversations": [
        {"title": "t", "created_at": "2026-01-01T00:00:00Z", "messages": [{"content": "hi"}]}]}}, 400, "role"),
    ("bad time", {"json": {"format": "routerchat", "version": 1, "conversations": [
        {"title": "t", "created_at": "yesterday", "messages": []}]}}, 400, "not a time"),
    ("time leaving the years 1-9999", {"json": {"format": "routerchat", "version": 1, "conversations": [
        {"title": "t", "created_at": "0001-01-01T00:30:00+01:00", "messages": []}]}}, 400, "out of range"),
    ("time past the year 9999", {"json": {"format": "routerchat", "version": 1, "conversations": [
        {"title": "t", "created_at": "9999-12-31T23:59:59-01:00", "messages": []}]}}, 400, "out of range"),
    ("token count past 2^63", {"json": _routerchat_with_usage({"prompt_tokens": 2**64})}, 400, "prompt_tokens"),
    ("token count past 2^31", {"json": _routerchat_with_usage({"completion_tokens": 2**31})}, 400,
     "completion_tokens"),
    ("negative token count", {"json": _routerchat_with_usage({"total_tokens": -1})}, 400, "total_tokens"),
    ("token count as text", {"json": _routerchat_with_usage({"total_tokens": "12"})}, 400, "total_tokens"),
    ("cycle", {"json": [{"title": "loop", "current_node": "a", "mapping": {
        "a": {"id": "a", "parent": "b", "message": None}, "b": {"id": "b", "parent": "a", "message": None}}}]},
     400, "cycle"),
    ("missing node", {"json": [{"title": "gap", "current_node": "a", "mapping": {
        "a": {"id": "a", "parent": "lost", "message": None}}}]}, 400, "missing"),
    ("NUL in text", {"json": [{"title": "nul", "current_node": "a", "mapping": {"a": {"id": "a", "parent": None,
        "message": {"author": {"role": "user"}, "content": {"content_type": "text", "parts": ["a\u0000b"]}}}}}]},
     400, "NUL"),
    ("NUL in a file", upload(b'[{"title": "x\\u0000", "mapping": {}, "current_node": null}]'), 400, "NUL"),
    ("lone surrogate in a file",
     upload(b'{"format": "routerchat", "version": 1, "conversations": [{"title": "\\ud800"}]}'), 400, "surrogate"),
    ("deep nesting", upload(_nested(100_000)), 400, "nested more than 32 levels"),
    ("nesting just past the limit", upload(_nested(40)), 400, "nested more than 32 levels"),
    ("no file field", upload(b"[]", field="other"), 400, "form field"),
    ("plain text body", {"data": "[]", "content_type": "text/plain"}, 415, "multipart"),
]


@pytest.mark.parametrize("name,kwargs,status,words", BAD_IMPORTS, ids=[b[0] for b in BAD_IMPORTS])
def test_bad_imports_are_4xx_and_import_nothing(client, db_engine, name, kwargs, status, words):
    before = counts(db_engine)
    response = client.post("/import", **(kwargs() if callable(kwargs) else kwargs))
    assert response.status_code == status, response.get_json()
    assert words in response.get_json()["error"]
    assert counts(db_engine) == before


def test_a_bad_conversation_after_good_ones_imports_none_of_them(client, db_engine):
    export = copy.deepcopy(CHATGPT) + [{"title": "broken", "current_node": "a", "mapping": {}}]
    before = counts(db_engine)
    response = client.post("/import", json=export)
    assert response.status_code == 400 and counts(db_engine) == before


def test_a_file_over_the_limit_is_413(app, client, db_engine, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 2048)
    before = counts(db_engine)
    big = json.dumps(CHATGPT).encode() + b" " * 4096
    response = client.post("/import", data={"file": (io.BytesIO(big), "conversations.json")})
    assert response.status_code == 413 and "limit" in response.get_json()["error"]
    assert counts(db_engine) == before


@pytest.mark.parametrize("path,status", [("/conversation/{id}/export?format=pdf", 400),
                                         ("/conversation/ffffffffffffffffffffffffffffffff/export", 404)])
def test_bad_exports(client, conversation_id, path, status):
    response = client.get(path.format(id=conversation_id))
    assert response.status_code == status and "error" in response.get_json()


def _chats(conversations: int, messages_each: int, text: str = "hi") -> dict:
    now = "2026-01-01T00:00:00Z"
    return {"format": "routerchat", "version": 1, "conversations": [
        {"title": f"chat {n}", "created_at": now, "messages": [
            {"role": "user" if m % 2 == 0 else "assistant", "content": text, "created_at": now}
            for m in range(messages_each)]} for n in range(conversations)]}


@pytest.mark.parametrize("setting,limit,export,words", [
    ("IMPORT_MAX_CONVERSATIONS", 3, _chats(4, 1), "4 conversations; one import takes at most 3"),
    ("IMPORT_MAX_MESSAGES", 5, _chats(2, 3), "6 messages; one import takes at most 5"),
    ("MESSAGE_MAX_CHARS", 10, _chats(1, 2, text="x" * 11), "11 characters long; a message may have at most 10"),
])
def test_imports_over_the_configured_limits_are_400_and_import_nothing(app, client, db_engine, monkeypatch,
                                                                       setting, limit, export, words):
    monkeypatch.setitem(app.config, setting, limit)
    before = counts(db_engine)
    response = client.post("/import", json=export)
    assert response.status_code == 400 and words in response.get_json()["error"]
    assert counts(db_engine) == before
    monkeypatch.setitem(app.config, setting, limit + 1)
    assert client.post("/import", json=export).status_code == 200


def test_a_json_import_body_is_checked_by_the_import_itself(client, db_engine):
    """The import's own reader refuses what the body checks would (it runs off the event loop)."""
    before = counts(db_engine)
    for raw, words in ((_nested(100_000), "nested more than 32 levels"), (b'[{"title": "\\u0000"}]', "NUL")):
        response = client.post("/import", data=raw, content_type="application/json")
        assert response.status_code == 400 and words in response.get_json()["error"]
    assert counts(db_engine) == before


def test_an_import_that_fails_while_stored_leaves_nothing(app, client, db_engine, monkeypatch):
    """Imports commit a batch at a time (here one message each): when a later conversation
    cannot be stored (its file is refused), what earlier batches wrote is deleted again, the
    folder the import made and the files it stored with it."""
    monkeypatch.setattr(transfer_store, "IMPORT_BATCH_MESSAGES", 1)
    monkeypatch.setattr(transfer_store, "IMPORT_COMMIT_MESSAGES_POSTGRESQL", 1)
    export = _chats(4, 2)
    good_file = {"name": "notes.md", "type": "text/markdown", "data": base64.b64encode(b"# notes").decode()}
    for item in export["conversations"]:
        item["folder"] = "Brand new folder"
    export["conversations"][1]["messages"][0]["attachments"] = [good_file]
    export["conversations"][-1]["messages"][0]["attachments"] = [
        {"name": "x.svg", "type": "image/png", "data": base64.b64encode(files.SVG).decode()}]
    committed_before_removal = []
    remove_written = transfer_store._ImportWriter.remove_written

    def spied(writer):
        committed_before_removal.append(counts(db_engine))
        remove_written(writer)
    monkeypatch.setattr(transfer_store._ImportWriter, "remove_written", spied)
    before, folders_before = counts(db_engine), client.get("/folders").get_json()
    files_before = table_count(db_engine, "attachment")

    response = client.post("/import", json=export)
    assert response.status_code == 400 and "HTML and SVG" in response.get_json()["error"]
    assert committed_before_removal[0][0] >= before[0] + 3  # three conversations were stored…
    assert counts(db_engine) == before  # …and removed again
    assert client.get("/folders").get_json() == folders_before
    assert table_count(db_engine, "attachment") == files_before


def table_count(db_engine, table: str) -> int:
    with db_engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
