"""POST /attachments and GET /attachment/<id> through the API, on every database pass."""
from __future__ import annotations

import io
import socket
from datetime import timedelta

import pytest
import requests
import sqlalchemy as sa
from PIL import Image

from routerchat import accounts
from routerchat.db.models import Attachment, utcnow
from routerchat.extensions import db
from routerchat.startup import prepare_database
from tests.attachments import files
from tests.support.accounts import PASSWORD, logged_in
from tests.support.servers import in_process_app


def upload(client, data: bytes, name: str = "file.bin", **kwargs):
    return client.post("/attachments", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", **kwargs)


def stored_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Attachment))


@pytest.mark.parametrize(("data", "name", "mime", "disposition"), [
    (files.png(), "photo.png", "image/png", "inline"),
    (files.image("WEBP"), "a.webp", "image/webp", "inline"),
    (files.image("GIF"), "a.gif", "image/gif", "inline"),
    (files.pdf(), "paper.pdf", "application/pdf", "inline"),
    (b"# Notes\n\nhello\n", "notes.md", "text/markdown", "attachment"),
    (b'{"a": 1}', "data.json", "application/json", "attachment"),
])
def test_an_upload_is_stored_and_served_to_its_owner(client, data, name, mime, disposition):
    response = upload(client, data, name)
    assert response.status_code == 201, response.json
    body = response.json
    assert set(body) == {"id", "name", "type", "size"}
    assert (body["name"], body["type"], body["size"]) == (name, mime, len(data))
    served = client.get(f"/attachment/{body['id']}")
    assert served.status_code == 200
    assert served.data == data
    assert served.mimetype == mime
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"].startswith(disposition + ";")
    usual, stricter = served.headers.getlist("Content-Security-Policy")
    assert usual == client.get("/healthz").headers["Content-Security-Policy"]
    assert stricter.startswith("default-src 'none';") and "frame-ancestors 'none'" in stricter
    if disposition == "attachment":
        assert served.headers["Content-Type"].endswith("charset=utf-8")


def test_a_file_larger_than_a_chunk_comes_back_whole(client):
    data = ("".join(f"line {n}: {'x' * 50}\n" for n in range(40_000))).encode()  # about 2.4 MB, three chunks
    body = upload(client, data, "big.txt").json
    assert body["size"] == len(data)
    assert client.get(f"/attachment/{body['id']}").data == data


def test_jpeg_metadata_is_gone_from_the_stored_file(client):
    original = files.jpeg_with_gps()
    body = upload(client, original, "IMG_0001.jpg").json
    served = client.get(f"/attachment/{body['id']}").data
    assert body["type"] == "image/jpeg" and body["size"] == len(served) < len(original)
    assert b"SecretCam" not in served and b"Exif" not in served
    with Image.open(io.BytesIO(served)) as image:
        assert image.size == (40, 20) and not image.getexif()


BAD_UPLOADS = [
    (files.ELF, "program.png", 415),
    (files.WINDOWS_EXE, "setup.pdf", 415),
    (files.HTML, "page.txt", 415),
    (files.SVG, "logo.svg", 415),
    (files.png()[:-20], "cut.png", 400),
    (b"%PDF-1.7\nnot really a pdf", "fake.pdf", 400),
    (files.png_bomb(), "bomb.png", 400),
    (b"", "empty.txt", 400),
]


@pytest.mark.parametrize(("data", "name", "status"), BAD_UPLOADS)
def test_bad_files_are_refused_and_nothing_is_stored(app, client, data, name, status):
    before = stored_count(app)
    response = upload(client, data, name)
    assert response.status_code == status, response.json
    assert response.json["error"]
    assert stored_count(app) == before


def test_an_upload_without_a_file_field_is_400(app, client):
    before = stored_count(app)
    response = client.post("/attachments", data={"other": "x"}, content_type="multipart/form-data")
    assert response.status_code == 400 and "file" in response.json["error"]
    assert client.post("/attachments").status_code == 400
    assert stored_count(app) == before


def test_an_upload_must_be_multipart(client):
    response = client.post("/attachments", json={"file": "x"})
    assert response.status_code == 415 and "multipart" in response.json["error"]


def test_filenames_are_stored_cleaned_and_cut(client):
    body = upload(client, b"hi", "../../secret\x07\u202edir/" + "n" * 10_000 + ".txt").json
    assert body["name"].endswith(".txt") and len(body["name"]) == 200
    body = upload(client, b"hi", "..\\..\\evil\tname\x1b.txt").json
    assert body["name"] == "evil name .txt"


def test_unicode_names_are_offered_intact_for_download(client):
    body = upload(client, b"x", "résumé final;%.txt").json
    disposition = client.get(f"/attachment/{body['id']}").headers["Content-Disposition"]
    assert disposition == ("attachment; filename=\"r_sum_ final;_.txt\"; "
                           "filename*=UTF-8''r%C3%A9sum%C3%A9%20final%3B%25.txt")


@pytest.mark.parametrize("attachment_id", ["0" * 32, "nope", "x" * 40])
def test_unknown_ids_are_404(client, attachment_id):
    assert client.get(f"/attachment/{attachment_id}").status_code == 404


def made_a_day_ago(app, attachment_id: str) -> None:
    with app.app_context():
        db.session.execute(sa.update(Attachment).where(Attachment.id == attachment_id)
                           .values(created_at=utcnow() - timedelta(hours=25)))
        db.session.commit()


def test_uploads_not_sent_within_a_day_are_removed(app, client):
    old = upload(client, b"old", "old.txt").json["id"]
    made_a_day_ago(app, old)
    fresh = upload(client, b"new", "new.txt").json["id"]
    assert client.get(f"/attachment/{old}").status_code == 404
    assert client.get(f"/attachment/{fresh}").status_code == 200


def test_a_start_removes_uploads_not_sent_within_a_day_too(app, client):
    old = upload(client, b"old", "old.txt").json["id"]
    made_a_day_ago(app, old)
    prepare_database(app)
    assert client.get(f"/attachment/{old}").status_code == 404


def test_another_accounts_file_is_404(own_database_url, fake, tmp_path):
    app = in_process_app(own_database_url, fake.url, tmp_path / "instance")
    try:
        with app.app_context():
            accounts.add("alice", PASSWORD)
            accounts.add("bob", PASSWORD)
        alice, bob = logged_in(app, "alice"), logged_in(app, "bob")
        mine = upload(alice, files.png(), "mine.png").json["id"]
        assert alice.get(f"/attachment/{mine}").status_code == 200
        assert bob.get(f"/attachment/{mine}").status_code == 404
        assert app.test_client().get(f"/attachment/{mine}").status_code == 401
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_file_over_the_limit_is_413_while_it_is_read(launch):
    """Sent without a length (chunked), an upload is refused as soon as the limit is passed: the
    answer comes while the client is still sending (it never finishes its body here)."""
    server = launch(ATTACHMENT_MAX_MB="1")
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=20) as connection:
        connection.sendall(b"POST /attachments HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                           b"Content-Type: multipart/form-data; boundary=b\r\n\r\n")
        head = b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n\r\n'
        connection.sendall(b"%x\r\n%s\r\n" % (len(head), head))
        piece = b"a" * 65536
        for _ in range(24):  # 1.5 MB of the file, then silence: the body never ends
            connection.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
        answer = connection.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413"), answer
    declared = requests.post(server.url + "/attachments", files={"file": ("big.txt", b"a" * (1024 * 1024 + 1))})
    assert declared.status_code == 413 and "1 MB" in declared.json()["error"]
    assert requests.post(server.url + "/attachments", files={"file": ("ok.txt", b"a" * 1000)}).status_code == 201


def test_parsing_an_upload_lets_other_greenlets_run_after_every_read(monkeypatch):
    """A fast client keeps data waiting, so reads never block: without a yield per read, parsing
    20 MB would hold the whole process."""
    from routerchat.views import attachments as view

    yields = []
    monkeypatch.setattr(view.gevent, "sleep", lambda seconds=0: yields.append(seconds))
    stream = view.YieldingInput(io.BytesIO(b"x" * 100))
    assert stream.read(40) + stream.read(40) + stream.read() == b"x" * 100
    assert yields == [0, 0, 0]


@pytest.mark.parametrize("keep", [True, False])
def test_removing_an_account_hands_over_or_removes_its_files(own_database_url, fake, tmp_path, keep):
    app = in_process_app(own_database_url, fake.url, tmp_path / "instance")
    try:
        with app.app_context():
            accounts.add("admin", PASSWORD)
            accounts.add("bob", PASSWORD)
        bob, admin = logged_in(app, "bob"), logged_in(app, "admin")
        file_id = upload(bob, b"bob's notes", "notes.txt").json["id"]
        with app.app_context():
            accounts.remove("bob", keep_conversations=keep)
        assert admin.get(f"/attachment/{file_id}").status_code == (200 if keep else 404)
        assert stored_count(app) == (1 if keep else 0)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
