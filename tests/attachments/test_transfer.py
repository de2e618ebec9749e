"""Attachments in exports and imports: JSON embeds them (base64) and an import restores them,
Markdown names them; an import's files are checked like uploads."""
from __future__ import annotations

import base64
import json

from tests.attachments import files
from tests.attachments.test_chat import IMAGE_MODEL, upload
from tests.test_chat import counts


def chat_with_files(api) -> tuple[str, bytes, bytes]:
    image, notes = files.png(), b"# Notes\nremember the milk\n"
    ids = [upload(api, image, "chart.png")["id"], upload(api, notes, "notes.md")["id"]]
    result = api.chat("Look at these", model=IMAGE_MODEL, attachments=ids)
    assert result.last["type"] == "done"
    return result.conversation_id, image, notes


def test_json_export_embeds_the_files_and_import_restores_them(api, fake):
    conversation_id, image, notes = chat_with_files(api)
    exported = api.get(f"/conversation/{conversation_id}/export?format=json").json()
    sent = exported["conversations"][0]["messages"][0]["attachments"]
    assert [(a["name"], a["type"], base64.b64decode(a["data"])) for a in sent] == [
        ("chart.png", "image/png", image), ("notes.md", "text/markdown", notes)]
    imported = api.post("/import", json=exported)
    assert imported.status_code == 200 and imported.json()["imported"] == 1
    assert api.delete(f"/conversation/{conversation_id}").status_code == 204  # the copy keeps its own files
    newest = api.get("/conversations").json()["conversations"][0]["id"]
    assert newest != conversation_id
    question = api.get(f"/conversation/{newest}").json()["messages"][0]
    restored = question["attachments"]
    assert [(a["name"], a["type"], a["size"]) for a in restored] == [
        ("chart.png", "image/png", len(image)), ("notes.md", "text/markdown", len(notes))]
    assert {a["id"] for a in restored}.isdisjoint({a["id"] for a in sent})
    assert api.get(f"/attachment/{restored[0]['id']}").content == image
    fake.reset()
    api.chat("And again?", model=IMAGE_MODEL, conversation_id=newest)
    assert fake.chat_requests(stream=True)[-1].body["messages"][0]["content"][1]["type"] == "image_url"


def test_export_of_everything_embeds_the_files_too(api, fake):
    conversation_id, image, _ = chat_with_files(api)
    everything = api.get("/export").json()
    mine = next(c for c in everything["conversations"] if c["id"] == conversation_id)
    assert base64.b64decode(mine["messages"][0]["attachments"][0]["data"]) == image


def test_markdown_export_names_the_files(api, fake):
    conversation_id, image, notes = chat_with_files(api)
    text = api.get(f"/conversation/{conversation_id}/export?format=md").text
    assert f"- Attached: chart.png (image/png, {len(image):,} bytes)" in text
    assert f"- Attached: notes.md (text/markdown, {len(notes)} bytes)" in text
    assert "base64" not in text


def archive(attachments: list) -> dict:
    return {"format": "routerchat", "version": 1, "conversations": [{
        "title": "With a file", "created_at": "2026-01-01T00:00:00Z",
        "messages": [{"role": "user", "content": "see", "created_at": "2026-01-01T00:00:00Z",
                      "attachments": attachments},
                     {"role": "assistant", "content": "ok", "created_at": "2026-01-01T00:00:01Z"}]}]}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_an_imported_file_is_checked_like_an_upload(api, db_engine):
    before = counts(db_engine)
    for bad, words in [([{"name": "x.svg", "type": "image/png", "data": b64(files.SVG)}], "HTML and SVG"),
                       ([{"name": "x.png", "type": "image/png", "data": b64(files.png()[:-20])}], "damaged"),
                       ([{"name": "x.png", "data": "not base64!"}], "base64"),
                       ("nope", "not a list")]:
        response = api.post("/import", data=json.dumps(archive(bad)), headers={"Content-Type": "application/json"})
        assert response.status_code == 400 and words in response.json()["error"], response.text
        assert counts(db_engine) == before


def test_an_imported_file_gets_its_type_from_its_bytes_and_loses_its_metadata(api):
    response = api.post("/import", json=archive([{"name": "../photo.jpg", "type": "text/html",
                                                  "data": b64(files.jpeg_with_gps())}]))
    assert response.status_code == 200
    listed = api.get("/conversations?limit=200").json()["conversations"]
    imported = [c["id"] for c in listed if c["title"] == "With a file"]
    attachment = api.get(f"/conversation/{imported[-1]}").json()["messages"][0]["attachments"][0]
    assert (attachment["name"], attachment["type"]) == ("photo.jpg", "image/jpeg")
    assert b"SecretCam" not in api.get(f"/attachment/{attachment['id']}").content
