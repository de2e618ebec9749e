"""The floor of a Python relay: the least a gevent server can do between a client and the upstream,
and that floor with routerchat's required work added back one layer at a time.

Bare (no FLOOR_LAYERS): no Flask, no database, no account, no title: POST /chat reads the JSON
body, sends the message to the upstream's /chat/completions over a pooled urllib3 connection, and
re-sends each content delta as routerchat's `chunk` event, then `done`. `bench/run.py --relay-only
--floor` measures it with the same client, levels and upstream as routerchat, so the table shows
how much of routerchat's delay any Python relay on this machine pays, and how much is
routerchat's own work.

FLOOR_LAYERS (comma-separated, `--floor-layers` of bench/run.py) adds what routerchat must do
anyway, each in the leanest form the project's stack allows, so the table splits routerchat's
delay into the price of each requirement and what is left of routerchat's own:

  * `flask`: the request goes through a Flask app (routing, the request object, `get_json`, a
    streamed `Response`), as every routerchat view does;
  * `rows`: the exchange is stored in SQLite (WAL, synchronous=NORMAL, as routerchat) through
    SQLAlchemy Core on a pooled connection: the conversation, the question and a `streaming`
    answer in one transaction before the first event, the answer's text and status in another
    after the last (no search index, no ORM session);
  * `feed`: the answer outlives the page: its own greenlet reads the upstream into a shared feed
    that the response follows (two greenlets woken per delta instead of one);
  * `title`: after the answer, one more upstream request (a completion) whose text is stored as
    the conversation's title (`rows` gives it its table);
  * `guards` (with `flask`): what routerchat checks on every request before its view runs, each
    check once and with routerchat's own pure functions: the Host and Origin headers against the
    allowed names, the URL's length, the JSON body's depth and characters, the login gate's one
    SELECT (are there accounts?), and the security headers on the response;
  * `search` (with `rows`): routerchat's search index on SQLite: FTS5 trigram tables over folded
    text (routerchat's `fold`, registered on every connection), filled by triggers as a question,
    an answer or a title is stored;
  * `ledger` (with `rows`): the usage ledger: one row per answer, in its end's transaction, and one
    per title request, in the title's.

    PORT=8123 UPSTREAM=http://127.0.0.1:8124/api/v1 [FLOOR_LAYERS=flask,rows,feed,title FLOOR_DB=/tmp/f.db] \
        python bench/relay_floor.py
"""
from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import os  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from datetime import UTC, datetime  # noqa: E402

import gevent  # noqa: E402
import sqlalchemy as sa  # noqa: E402
import urllib3  # noqa: E402
from gevent.event import Event  # noqa: E402
from gevent.pywsgi import WSGIServer  # noqa: E402

from routerchat.search.text import fold, owner_token  # noqa: E402

UPSTREAM = os.environ["UPSTREAM"].rstrip("/") + "/chat/completions"
POOL = urllib3.PoolManager(maxsize=1000, block=False)
HEADERS = {"Authorization": f"Bearer {os.environ.get('UPSTREAM_KEY', 'floor')}", "Content-Type": "application/json"}
LAYERS = frozenset(filter(None, os.environ.get("FLOOR_LAYERS", "").split(",")))
KNOWN_LAYERS = {"flask", "rows", "feed", "title", "guards", "search", "ledger"}
NEEDED_LAYERS = {"guards": ("flask", "rows"), "search": ("rows",), "ledger": ("rows",)}  # what a layer builds on
MODEL = "bench/model"


def event(payload: dict) -> bytes:
    return f"data: {json.dumps(payload)}\n\n".encode()


def upstream_deltas(response: urllib3.BaseHTTPResponse) -> Iterator[str]:
    """The content deltas of a streamed upstream response; its connection goes back to the pool."""
    pending = b""
    for received in response.read_chunked() if response.chunked else response.stream():
        *lines, pending = (pending + received).split(b"\n")  # a line may span two reads
        for line in lines:
            if not line.startswith(b"data: ") or line.startswith(b"data: [DONE]"):
                continue
            choices = json.loads(line[6:]).get("choices") or [{}]  # the usage chunk has none
            delta = choices[0].get("delta", {}).get("content")
            if delta:
                yield delta
    response.release_conn()


def ask_upstream(message: str, stream: bool) -> urllib3.BaseHTTPResponse:
    body = json.dumps({"model": MODEL, "stream": stream, "messages": [{"role": "user", "content": message}]})
    return POOL.request("POST", UPSTREAM, body=body, headers=HEADERS, preload_content=not stream)


# routerchat's SQLite search index (migrations 0017-0018) over the floor's tables: trigram FTS5 over
# folded text with the owner's token (no accounts: account 0), filled by triggers. A conversation's
# row is found by SQLite's own rowid here, where routerchat keeps a key table for its string ids.
OWNER = owner_token(None)
SEARCH_INDEX = [
    "CREATE VIRTUAL TABLE message_fts USING fts5(owner, body, tokenize='trigram')",
    "CREATE VIRTUAL TABLE conversation_fts USING fts5(owner, body, tokenize='trigram')",
    f"""CREATE TRIGGER message_fts_insert AFTER INSERT ON message BEGIN
         INSERT INTO message_fts(rowid, owner, body) VALUES (new.id, '{OWNER}', rc_fold(new.content)); END""",
    """CREATE TRIGGER message_fts_update AFTER UPDATE OF content ON message BEGIN
         UPDATE message_fts SET body = rc_fold(new.content) WHERE rowid = new.id; END""",
    f"""CREATE TRIGGER conversation_fts_insert AFTER INSERT ON conversation BEGIN
         INSERT INTO conversation_fts(rowid, owner, body) VALUES (new.rowid, '{OWNER}', rc_fold(new.title)); END""",
    """CREATE TRIGGER conversation_fts_update AFTER UPDATE OF title ON conversation BEGIN
         UPDATE conversation_fts SET body = rc_fold(new.title) WHERE rowid = new.rowid; END""",
]


class Rows:
    """The exchange's rows through SQLAlchemy Core: statements built once, one transaction each side."""

    def __init__(self, path: str) -> None:
        self.engine = sa.create_engine(f"sqlite:///{path}", pool_size=20, max_overflow=1000)
        sa.event.listen(self.engine, "connect", self._pragmas)
        metadata = sa.MetaData()
        self.conversation = sa.Table(
            "conversation", metadata, sa.Column("id", sa.String(32), primary_key=True),
            sa.Column("title", sa.String(100), nullable=False), sa.Column("model", sa.String(200)),
            sa.Column("created_at", sa.DateTime, nullable=False), sa.Column("updated_at", sa.DateTime, nullable=False))
        self.message = sa.Table(
            "message", metadata, sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("conversation_id", sa.ForeignKey("conversation.id"), nullable=False, index=True),
            sa.Column("parent_id", sa.Integer), sa.Column("role", sa.String(20), nullable=False),
            sa.Column("content", sa.Text, nullable=False), sa.Column("status", sa.String(20), nullable=False),
            sa.Column("model", sa.String(200)), sa.Column("created_at", sa.DateTime, nullable=False))
        self.account = sa.Table("account", metadata, sa.Column("id", sa.Integer, primary_key=True))
        self.usage = sa.Table(
            "usage_record", metadata, sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("account_id", sa.Integer),
            sa.Column("kind", sa.String(16), nullable=False), sa.Column("model", sa.String(200)),
            sa.Column("prompt_tokens", sa.Integer), sa.Column("completion_tokens", sa.Integer),
            sa.Column("cost", sa.Float), sa.Column("at", sa.DateTime, nullable=False),
            sa.Index("ix_usage_record_account_at", "account_id", "at"))
        metadata.create_all(self.engine)
        if "search" in LAYERS:
            with self.engine.begin() as connection:
                for statement in SEARCH_INDEX:
                    connection.exec_driver_sql(statement)
        self.any_account = sa.select(self.account.c.id).limit(1)
        self.add_usage = self.usage.insert()
        self.add_conversation = self.conversation.insert()
        self.add_message = self.message.insert().returning(self.message.c.id)
        self.end_answer = self.message.update().where(self.message.c.id == sa.bindparam("key"))
        self.set_title = self.conversation.update().where(self.conversation.c.id == sa.bindparam("key"))

    @staticmethod
    def _pragmas(connection, _record) -> None:
        cursor = connection.cursor()
        for pragma in ("journal_mode=WAL", "busy_timeout=5000", "foreign_keys=ON", "synchronous=NORMAL"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()
        connection.create_function("rc_fold", 1, fold, deterministic=True)

    def accounts_exist(self) -> bool:
        with self.engine.connect() as connection:
            return connection.scalar(self.any_account) is not None

    def _record_usage(self, connection: sa.Connection, kind: str) -> None:
        if "ledger" in LAYERS:
            connection.execute(self.add_usage, {"account_id": None, "kind": kind, "model": MODEL, "prompt_tokens": 1,
                                                "completion_tokens": 1, "cost": 0.0, "at": datetime.now(UTC)})

    def store_exchange(self, conversation_id: str, question: str) -> tuple[int, int]:
        now = datetime.now(UTC)
        with self.engine.begin() as connection:
            connection.execute(self.add_conversation, {"id": conversation_id, "title": "New Conversation",
                                                       "model": MODEL, "created_at": now, "updated_at": now})
            question_id = connection.execute(self.add_message, {
                "conversation_id": conversation_id, "parent_id": None, "role": "user", "content": question,
                "status": "complete", "model": None, "created_at": now}).scalar_one()
            answer_id = connection.execute(self.add_message, {
                "conversation_id": conversation_id, "parent_id": question_id, "role": "assistant", "content": "",
                "status": "streaming", "model": MODEL, "created_at": now}).scalar_one()
        return question_id, answer_id

    def store_answer(self, answer_id: int, text: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(self.end_answer, {"key": answer_id, "content": text, "status": "complete"})
            self._record_usage(connection, "answer")

    def store_title(self, conversation_id: str, title: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(self.set_title, {"key": conversation_id, "title": title})
            self._record_usage(connection, "title")


ROWS = Rows(os.environ["FLOOR_DB"]) if "rows" in LAYERS else None


class Feed:
    """An answer read by its own greenlet: deltas appended, followers woken, the end marked."""

    def __init__(self, deltas: Iterator[str]) -> None:
        self.parts: list[str] = []
        self.ended = False
        self.changed = Event()
        gevent.spawn(self._read, deltas)

    def _read(self, deltas: Iterator[str]) -> None:
        for delta in deltas:
            self.parts.append(delta)
            self._wake()
        self.ended = True
        self._wake()

    def _wake(self) -> None:
        changed, self.changed = self.changed, Event()
        changed.set()

    def follow(self) -> Iterator[str]:
        sent = 0
        while True:
            changed = self.changed
            if sent < len(self.parts):
                upto = len(self.parts)
                yield "".join(self.parts[sent:upto])
                sent = upto
            elif self.ended:
                return
            else:
                changed.wait()


def title_later(conversation_id: str, question: str) -> None:
    """The title job's share: a completion request, its JSON read, the title stored."""
    reply = json.loads(ask_upstream(f"Title this: {question}", stream=False).data)
    title = reply["choices"][0]["message"]["content"][:100]
    if ROWS is not None:
        ROWS.store_title(conversation_id, title)


def relay(message: str) -> Iterator[bytes]:
    conversation_id = uuid.uuid4().hex
    response = ask_upstream(message, stream=True)
    if response.status != 200:
        yield event({"type": "error", "status": response.status})
        return
    question_id, answer_id = ROWS.store_exchange(conversation_id, message) if ROWS is not None else (None, None)
    yield event({"type": "conversation", "conversation_id": conversation_id, "user_message_id": question_id})
    deltas = Feed(upstream_deltas(response)).follow() if "feed" in LAYERS else upstream_deltas(response)
    parts = []
    for delta in deltas:
        parts.append(delta)
        yield event({"type": "chunk", "content": delta})
    if ROWS is not None:
        ROWS.store_answer(answer_id, "".join(parts))
    yield event({"type": "done", "conversation_id": conversation_id, "message_id": answer_id})
    if "title" in LAYERS:
        gevent.spawn(title_later, conversation_id, message)


def bare_app(environ, start_response):
    if environ["PATH_INFO"] == "/healthz":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    message = json.loads(environ["wsgi.input"].read(length))["message"]
    start_response("200 OK", [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")])
    return relay(message)


def flask_app() -> Callable:
    from flask import Flask, Response, request

    app = Flask(__name__)
    if "guards" in LAYERS:
        add_guards(app)

    @app.get("/healthz")
    def healthz() -> str:
        return "ok"

    @app.post("/chat")
    def chat() -> Response:
        return Response(relay(request.get_json()["message"]), mimetype="text/event-stream",
                        headers={"Cache-Control": "no-cache"})

    return app


def add_guards(app) -> None:
    """routerchat's checks of every request (security.py, the login gate), each done once."""
    from flask import abort, request

    from routerchat.security import LOOPBACK_HOSTS, MAX_URL_CHARS, add_security_headers, host_name, is_own_origin
    from routerchat.text_safety import json_problem

    allowed = LOOPBACK_HOSTS

    @app.before_request
    def check_request() -> None:
        if host_name(request.host) not in allowed or len(request.full_path) > MAX_URL_CHARS:
            abort(400)
        origin = request.headers.get("Origin")
        if request.method == "POST" and origin is not None and not is_own_origin(origin, request.host):
            abort(403)
        if request.content_length and json_problem(request.get_json()):
            abort(400)
        ROWS.accounts_exist()  # the login gate's question when the request carries no session

    app.after_request(add_security_headers)


if __name__ == "__main__":
    if unknown := LAYERS - KNOWN_LAYERS:
        raise SystemExit(f"unknown FLOOR_LAYERS {sorted(unknown)}; known: {sorted(KNOWN_LAYERS)}")
    if missing := sorted(f"{layer} needs {base}" for layer, bases in NEEDED_LAYERS.items() if layer in LAYERS
                         for base in bases if base not in LAYERS):
        raise SystemExit(f"FLOOR_LAYERS: {', '.join(missing)}")
    application = flask_app() if "flask" in LAYERS else bare_app
    WSGIServer(("127.0.0.1", int(os.environ["PORT"])), application, log=None).serve_forever()
