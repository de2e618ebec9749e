"""The edge checks of routerchat/security.py: Host, Origin, content types, hostile text, headers.

Tables run on the in-process test client (no network needed); the behaviours that only a real
server shows (SSE error events, log lines, gevent's socket handling) use `api` / `launch`.
"""
import base64
import gc
import json
import socket

import pytest
import requests
import sqlalchemy as sa

from routerchat import accounts
from routerchat.extensions import db
from tests import fake_openrouter as fo
from tests.support.client import Api
from tests.support.factories import store_exchange
from tests.support.raw_http import SLOW_LOGIN, send_and_read_until_closed
from tests.support.servers import in_process_app
from tests.support.waiting import settle

FOREIGN_ORIGIN = "http://evil.example"


def snapshot(engine) -> dict:
    """Every stored row that a request could change."""
    with engine.connect() as conn:
        return {
            "conversations": conn.execute(sa.text(
                "SELECT id, title, title_source, updated_at, pinned, archived, folder_id FROM conversation "
                "ORDER BY id")).all(),
            "folders": conn.execute(sa.text("SELECT id, name, instructions FROM folder ORDER BY id")).all(),
            "shares": conn.execute(sa.text("SELECT token, conversation_id, messages FROM share ORDER BY token")).all(),
            "messages": conn.execute(sa.text(
                "SELECT id, conversation_id, content, status, error FROM message ORDER BY id")).all(),
            "presets": conn.execute(sa.text("SELECT slot, model, label FROM preset ORDER BY slot")).all(),
        }


@pytest.fixture
def conversation_id(app):
    """A conversation with one exchange and an automatic title (so summarize?force=1 would redo it)."""
    return store_exchange(app, "Hello", "Hi!", title="Original Title", title_source="auto")


def state_changing_requests(conversation_id: str) -> list[tuple[str, str, dict]]:
    """Every route that changes something, with a body it would accept."""
    return [
        ("POST", "/chat", {"json": {"message": "spend the owner's credits"}}),
        ("POST", "/chat", {"json": {"message": "add to it", "conversation_id": conversation_id}}),
        ("PATCH", f"/conversation/{conversation_id}", {"json": {"title": "Renamed by a stranger"}}),
        ("DELETE", f"/conversation/{conversation_id}", {}),
        ("POST", f"/conversation/{conversation_id}/summarize?force=1", {}),
        ("POST", f"/conversation/{conversation_id}/summarize", {}),
        ("PUT", "/presets/1", {"json": {"model": "openai/gpt-5"}}),
        ("PUT", "/presets/6", {"json": {"model": fo.FREE_MODEL, "label": "Mine"}}),
        ("PATCH", f"/conversation/{conversation_id}", {"json": {"pinned": True, "archived": True}}),
        ("POST", f"/conversation/{conversation_id}/fork", {"json": {"message_id": 1}}),
        ("POST", f"/conversation/{conversation_id}/share", {}),
        ("DELETE", f"/conversation/{conversation_id}/share", {}),
        ("POST", "/folders", {"json": {"name": "A stranger's folder"}}),
        ("PATCH", f"/folders/{'f' * 32}", {"json": {"name": "Renamed by a stranger"}}),
        ("DELETE", f"/folders/{'f' * 32}", {}),
    ]


CROSS_SITE_HEADERS = [
    {"Origin": FOREIGN_ORIGIN},
    {"Origin": "http://localhost:8000"},  # another port: same site, yet another origin
    {"Origin": "null"},
    {"Origin": "https://localhost.evil.example"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Origin": "http://localhost", "Sec-Fetch-Site": "cross-site"},
]


@pytest.mark.parametrize("headers", CROSS_SITE_HEADERS, ids=lambda h: ",".join(f"{k}={v}" for k, v in h.items()))
def test_other_origins_change_nothing_on_any_state_changing_route(client, db_engine, fake, conversation_id,
                                                                 default_presets, headers):
    before = snapshot(db_engine)
    for method, path, kwargs in state_changing_requests(conversation_id):
        response = client.open(path, method=method, headers=headers, **kwargs)
        assert response.status_code == 403, (method, path)
        assert "other web sites" in response.get_json()["error"]
    settle(fake)  # an answer or title job started by mistake would run (and call) now
    assert snapshot(db_engine) == before
    assert fake.chat_requests() == []


@pytest.mark.parametrize("host", ["evil.example", "evil.example:5000", "127.0.0.1.nip.io", "[::2]:5000"])
def test_a_foreign_host_is_refused_before_any_route_runs(client, db_engine, fake, conversation_id,
                                                         default_presets, host):
    before = snapshot(db_engine)
    reads = [("GET", "/conversations", {}), ("GET", f"/conversation/{conversation_id}", {}),
             ("GET", "/presets", {}), ("GET", "/", {})]
    for method, path, kwargs in reads + state_changing_requests(conversation_id):
        response = client.open(path, method=method, headers={"Host": host}, **kwargs)
        assert response.status_code == 400, (method, path)
        assert "ALLOWED_HOSTS" in response.get_json()["error"]
        assert conversation_id not in response.get_data(as_text=True)
    settle(fake)  # an answer or title job started by mistake would run (and call) now
    assert snapshot(db_engine) == before
    assert fake.chat_requests() == []


@pytest.mark.parametrize("host", ["localhost", "localhost:5000", "127.0.0.1:8080", "[::1]:5000", "LOCALHOST"])
def test_loopback_hosts_are_served(client, host):
    assert client.get("/presets", headers={"Host": host}).status_code == 200


def test_allowed_hosts_and_the_host_setting_add_names(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "ALLOWED_HOSTS", ["chat.example.org"])
    monkeypatch.setitem(app.config, "HOST", "192.168.1.20")
    for host in ("chat.example.org", "chat.example.org:443", "192.168.1.20:5000"):
        assert client.get("/presets", headers={"Host": host}).status_code == 200
    assert client.get("/presets", headers={"Host": "other.example.org"}).status_code == 400


def test_a_wildcard_bind_address_allows_no_extra_host(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "HOST", "0.0.0.0")
    assert client.get("/presets", headers={"Host": "0.0.0.0:5000"}).status_code == 400


@pytest.mark.parametrize("headers", [
    {},  # curl and scripts send neither header
    {"Origin": "http://localhost"},
    {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
    {"Sec-Fetch-Site": "same-origin"},
], ids=["no headers", "origin", "origin and fetch site", "fetch site"])
def test_same_origin_and_header_less_requests_still_work(client, conversation_id, default_presets, headers):
    rename = client.patch(f"/conversation/{conversation_id}", json={"title": "Mine"}, headers=headers)
    assert rename.status_code == 200 and rename.get_json()["title"] == "Mine"
    assert client.post(f"/conversation/{conversation_id}/summarize", headers=headers).status_code == 200
    assert client.put("/presets/2", json={"model": "openai/gpt-5"}, headers=headers).status_code == 200
    assert client.delete(f"/conversation/{conversation_id}", headers=headers).status_code == 204


def test_same_origin_through_a_tls_proxy_keeps_working(client, conversation_id, app, monkeypatch):
    """The proxy speaks https to the browser and http to routerchat: the host still matches."""
    monkeypatch.setitem(app.config, "ALLOWED_HOSTS", ["chat.example.org"])
    response = client.patch(f"/conversation/{conversation_id}", json={"title": "Behind a proxy"},
                            headers={"Host": "chat.example.org", "Origin": "https://chat.example.org"})
    assert response.status_code == 200


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_a_body_must_be_json(client, conversation_id, db_engine, content_type):
    before = snapshot(db_engine)
    for method, path in [("POST", f"/conversation/{conversation_id}/summarize?force=1"),
                         ("DELETE", f"/conversation/{conversation_id}"),
                         ("PATCH", f"/conversation/{conversation_id}")]:
        response = client.open(path, method=method, data='{"title": "x"}', content_type=content_type)
        assert response.status_code == 415, (method, path)
        assert "application/json" in response.get_json()["error"]
    assert snapshot(db_engine) == before


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def hostile_requests(conversation_id: str) -> list[tuple[str, str, str, dict]]:
    """(name, method, path, request kwargs): text no database should be asked to store."""
    def raw(text: str) -> dict:
        return {"data": text, "content_type": "application/json"}
    chat = "/chat"
    rename = f"/conversation/{conversation_id}"
    return [
        ("lone high surrogate in message", "POST", chat, raw('{"message": "hi \\ud800"}')),
        ("lone low surrogate in message", "POST", chat, raw('{"message": "\\udc00 there"}')),
        ("reversed pair in message", "POST", chat, raw('{"message": "\\ude00\\ud83d"}')),
        ("surrogate as utf-8 bytes", "POST", chat, {"data": b'{"message": "\xed\xa0\x80"}',
                                                      "content_type": "application/json"}),
        ("NUL in message", "POST", chat, raw('{"message": "a\\u0000b"}')),
        ("NUL in conversation id", "POST", chat, raw('{"message": "hi", "conversation_id": "ab\\u0000"}')),
        ("surrogate in conversation id", "POST", chat,
         raw(f'{{"message": "hi", "conversation_id": "{conversation_id}\\ud800"}}')),
        ("NUL in a key", "POST", chat, raw('{"message": "hi", "x\\u0000": 1}')),
        ("surrogate deep in a list", "POST", chat, raw('{"message": "hi", "extra": [[{"a": "\\udfff"}]]}')),
        ("surrogate in title", "PATCH", rename, raw('{"title": "New \\ud83d"}')),
        ("NUL in title", "PATCH", rename, raw('{"title": "New\\u0000Title"}')),
        ("surrogate in preset label", "PUT", "/presets/1", raw('{"model": "openai/gpt-5", "label": "\\ud800"}')),
        ("NUL in preset model", "PUT", "/presets/1", raw('{"model": "openai/gpt-5\\u0000"}')),
        ("array nesting", "POST", chat, raw("[" * 100_000)),
        ("object nesting", "POST", chat, raw('{"a":' * 50_000)),
        ("nesting inside a valid body", "POST", chat,
         raw('{"message": "hi", "x": ' + "[" * 5_000 + "]" * 5_000 + "}")),
        ("nesting in title body", "PATCH", rename, raw('{"title": ' + "[" * 100_000)),
        ("NUL in a URL id", "GET", "/conversation/abc%00def", {}),
        ("NUL in a URL id to delete", "DELETE", f"/conversation/{conversation_id}%00", {}),
        ("NUL in a URL id to rename", "PATCH", f"/conversation/{conversation_id}%00", {"json": {"title": "x"}}),
        ("NUL in the cursor", "GET", "/conversations?before=%00", {}),
        ("NUL hidden in a cursor", "GET", "/conversations?before=" + _cursor("2030-01-01T00:00:00.000000|\x00"), {}),
        ("NUL in a query key", "GET", "/conversations?x%00=1", {}),
        ("NUL in the limit", "GET", "/conversations?limit=5%00", {}),
        ("10 KB id", "GET", "/conversation/" + "a" * 10_000, {}),
    ]


HOSTILE_NAMES = [case[0] for case in hostile_requests("c")]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_bad_unicode_and_deep_nesting_are_a_4xx_and_change_nothing(client, db_engine, fake, conversation_id,
                                                                    default_presets, name):
    _, method, path, kwargs = next(c for c in hostile_requests(conversation_id) if c[0] == name)
    before = snapshot(db_engine)
    response = client.open(path, method=method, **kwargs)
    assert 400 <= response.status_code < 500
    assert response.is_json and response.get_json()["error"]
    settle(fake)  # an answer or title job started by mistake would run (and call) now
    assert snapshot(db_engine) == before
    assert fake.chat_requests() == []


def test_no_collection_runs_while_a_deep_body_is_parsed(client, monkeypatch):
    """A collection with the parser at the recursion limit runs weakref finalizers with no stack
    left; they failed there (one CI run: a RecursionError reported from a dead finalizer)."""
    parsing_with_collector = []
    parse = json.loads

    def watched(raw, *args, **kwargs):
        if len(raw) > 100_000:  # the deep body (json.loads is the module's: the test's own calls go through too)
            parsing_with_collector.append(gc.isenabled())
        return parse(raw, *args, **kwargs)
    monkeypatch.setattr(json, "loads", watched)
    response = client.post("/chat", data='{"a":' * 50_000, content_type="application/json")
    assert response.status_code == 400 and "nested" in response.get_json()["error"]
    assert parsing_with_collector == [False]
    assert gc.isenabled()  # and on again after


def test_strings_with_ordinary_unicode_still_pass(client, conversation_id):
    title = "Emoji 😀 and 中文 and e\u0301 and \u200d"
    response = client.patch(f"/conversation/{conversation_id}", data=json.dumps({"title": title}),
                            content_type="application/json")
    assert response.status_code == 200 and response.get_json()["title"] == title


@pytest.mark.parametrize("path", ["/", "/conversations", "/static/js/app.js", "/healthz", "/no/such/route",
                                  "/chat", "/conversation/none"])
def test_security_headers_on_pages_api_static_and_errors(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["img-src"] == "'self' data:" and directives["media-src"] == "'none'"
    assert "unsafe-inline" not in directives["script-src"] and "unsafe-inline" not in directives["default-src"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_security_headers_on_refused_requests(client):
    for response in (client.get("/", headers={"Host": "evil.example"}),
                     client.post("/chat", json={"message": "x"}, headers={"Origin": FOREIGN_ORIGIN})):
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_page_has_no_inline_script(client):
    page = client.get("/").get_data(as_text=True)
    assert "<script>" not in page
    assert all("src=" in tag for tag in page.split("<script")[1:])


def test_405_keeps_allow_and_options_answers_json(client, conversation_id):
    refused = client.post(f"/conversation/{conversation_id}")
    assert refused.status_code == 405 and refused.is_json
    assert set(refused.headers["Allow"].split(", ")) >= {"GET", "PATCH", "DELETE"}
    options = client.options(f"/conversation/{conversation_id}", headers={"Origin": FOREIGN_ORIGIN})
    assert options.status_code == 200 and options.is_json
    assert set(options.get_json()["methods"]) >= {"GET", "PATCH", "DELETE", "OPTIONS"}
    assert "Access-Control-Allow-Origin" not in options.headers
    assert client.options("/no/such/route").status_code == 404


def test_an_echoing_upstream_never_gets_the_key_into_responses_rows_or_logs(api, app_server, fake, db_engine):
    key = fake.api_key
    fake.stream_plans.append(fo.echo_authorization(400))
    fake.stream_plans.append(fo.echo_authorization(418, midstream=True))
    fake.models_plan = fo.echo_authorization(400)
    refused = api.chat("first")
    cut = api.chat("second")
    models = api.get("/models")
    settle(fake)  # the title jobs after both answers have run: their log lines are in the log too

    assert refused.last["type"] == "error" and cut.last["type"] == "error"
    assert "redacted" in refused.last["error"] and "redacted" in cut.last["error"]
    assert models.status_code == 502 and "redacted" in models.json()["error"]
    stored = [api.get(f"/conversation/{r.conversation_id}").text for r in (refused, cut)]
    with db_engine.connect() as conn:
        rows = [str(row) for row in conn.execute(sa.text("SELECT * FROM message")).all()]
    for text in [json.dumps(refused.events), json.dumps(cut.events), models.text, *stored, *rows,
                 app_server.log_text()]:
        assert key not in text
        assert key[:16] not in text and "Bearer sk" not in text
    logged = [line for line in app_server.log_text().splitlines() if "upstream error for conversation" in line
              and (refused.conversation_id in line or cut.conversation_id in line)]
    assert len(logged) == 2 and all("Invalid request headers" in line and "redacted" in line for line in logged)
    assert all(r.headers["Authorization"] == f"Bearer {key}" for r in fake.chat_requests())


def test_a_surrogate_pair_split_across_chunks_streams_and_stores_whole(api, fake):
    fake.stream_plans.append(fo.stream_surrogate_halves("Smile ", ["\ud83d", "\ude00"], " done"))
    result = api.chat("smile")
    assert result.last["type"] == "done"
    assert result.text == "Smile \U0001F600 done"
    stored = api.get(f"/conversation/{result.conversation_id}").json()["messages"][1]
    assert stored["content"] == "Smile \U0001F600 done" and stored["status"] == "complete"


def test_a_truly_lone_surrogate_becomes_a_replacement_character(api, fake):
    fake.stream_plans.append(fo.stream_surrogate_halves("a", ["\ud83d", "b", "\ude00"], "\ud83d"))
    result = api.chat("broken")
    assert result.last["type"] == "done"
    assert result.text == "a\ufffdb\ufffd\ufffd"
    assert api.get(f"/conversation/{result.conversation_id}").json()["messages"][1]["content"] == result.text


def test_a_title_answer_full_of_control_characters_is_saved_clean(api, fake):
    fake.completion_plans.append(fo.completion("\x1b[1mBanana\x1b[0m \u202eBread\u202c\u2066 Baking\u2069\x07\x00"))
    result = api.chat("banana bread baking")
    assert api.settled_title(result.conversation_id)["title"] == "Banana Bread Baking"


def test_slow_headers_are_cut_off(launch):
    server = launch(HEADER_READ_TIMEOUT="0.5")
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=20) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        answer = sock.recv(4096)  # without the deadline this blocks until the socket timeout
    assert answer == b"" or answer.startswith(b"HTTP/1.1 400")
    with socket.create_connection((host, int(port)), timeout=20) as idle:
        assert idle.recv(4096) == b""  # an idle connection is closed as well


def test_a_slow_body_is_cut_off_at_the_request_deadline(launch):
    """Slow bodies once held sockets forever: 1,100 slow `POST /login` bodies ran the server out of
    file descriptors. The whole request (body included) now has a deadline."""
    server = launch(REQUEST_READ_TIMEOUT="1")
    # without the deadline this blocks until the socket timeout
    answer, seconds = send_and_read_until_closed(server.url, SLOW_LOGIN)
    assert seconds < 10
    assert answer == b"" or answer.startswith(b"HTTP/1.1 400")
    assert requests.get(server.url + "/healthz", timeout=5).status_code == 200


def test_a_request_that_has_arrived_gets_its_answer_after_the_deadline(launch, fake):
    """The deadline is for the request to arrive, not for the answer: a body read whole is not cut
    off while the application works on it (a 43 MB import takes about two minutes to store)."""
    server = launch(REQUEST_READ_TIMEOUT="1")
    api = Api(server.url)
    conversation_id = api.chat("banana bread baking").conversation_id
    fake.completion_delay = 2.5  # the title model answers after the deadline has passed
    response = api.post(f"/conversation/{conversation_id}/title-preview", json={})
    assert response.status_code == 200 and response.json()["title"]


def test_a_refused_body_is_never_read(own_database_url, fake, tmp_path, launch):
    """Without a session, the 401 comes before the body, and the rest of the body is not awaited:
    the connection closes after the answer."""
    app = in_process_app(own_database_url, fake.url, tmp_path / "seed")
    with app.app_context():
        accounts.add("alice", "correct horse battery")
        db.engine.dispose()
    server = launch(DATABASE_URL=own_database_url)
    answer, _ = send_and_read_until_closed(server.url, b"POST /import HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                           b"Content-Type: application/json\r\n"
                                           b"Content-Length: 50000000\r\n\r\n[[],[],")
    assert answer.startswith(b"HTTP/1.1 401") and b"Log in first" in answer
    head = answer.split(b"\r\n\r\n")[0].lower()
    assert b"\r\nconnection: close" in head  # so no client sends its next request on it


def test_the_next_request_after_a_refused_body_goes_on_a_new_connection(own_database_url, fake, tmp_path, launch):
    """A client that keeps connections (requests' Session) is told this one closes: its next request
    does not race the close. Failed now and then in CI ("Remote end closed connection")."""
    app = in_process_app(own_database_url, fake.url, tmp_path / "seed")
    with app.app_context():
        accounts.add("alice", "correct horse battery")
        db.engine.dispose()
    server = launch(DATABASE_URL=own_database_url)
    api = Api(server.url)
    for _ in range(20):
        refused = api.post("/chat", json={"message": "Hello?"})
        assert refused.status_code == 401 and refused.headers["Connection"] == "close"
        assert api.get("/healthz").status_code == 200


def test_a_url_too_long_for_the_server_is_a_json_414(api):
    response = api.get("/conversation/" + "a" * 10_000)
    assert response.status_code == 414
    assert response.headers["Content-Type"] == "application/json" and response.json()["error"]
