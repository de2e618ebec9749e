"""Accounts: names, hashes, logging in and out, sessions, the throttle, the CLI and the migration."""
from __future__ import annotations

import io
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from types import SimpleNamespace

import gevent
import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from routerchat import accounts
from routerchat.accounts import cli, passwords
from routerchat.db.engine import MIGRATIONS_DIR
from routerchat.db.models import Account, Conversation, LoginFailure, LoginSession, Message, Preset, new_id, utcnow
from routerchat.errors import ApiError
from routerchat.extensions import db
from routerchat.views.auth import TWO_COOKIES, safe_next
from tests.support.servers import in_process_app

PASSWORD = "correct horse battery"


# --- pure rules ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["alice", "Ana María", "李雷", "a", "x" * 64, "o'brien-2"])
def test_good_names(name):
    assert accounts.check_name(name) == name


@pytest.mark.parametrize("name,words", [
    ("", "empty"), ("   ", "empty"), (None, "empty"), (7, "empty"), (" alice", "spaces"), ("alice ", "spaces"),
    ("x" * 65, "at most 64"), ("al\x00ice", "control"), ("al\tice", "control"), ("ali\nce", "control"),
    ("al\u200bice", "control"), ("al\x7fice", "control"),
])
def test_bad_names_are_400(name, words):
    with pytest.raises(ApiError) as error:
        accounts.check_name(name)
    assert error.value.status == 400 and words in error.value.message


@pytest.mark.parametrize("password", ["", "short", None, "x" * 1025])
def test_bad_passwords_are_400(password):
    with pytest.raises(ApiError) as error:
        accounts.check_password(password)
    assert error.value.status == 400


@pytest.mark.production_password_cost
def test_passwords_are_stored_as_salted_argon2_hashes():
    first, second = accounts.hash_password(PASSWORD), accounts.hash_password(PASSWORD)
    assert first.startswith("$argon2id$") and PASSWORD not in first and first != second
    assert "$m=65536,t=3,p=4$" in first  # RFC 9106's low-memory choice: 64 MiB, 3 passes, 4 lanes
    assert accounts.password_matches(first, PASSWORD)
    assert not accounts.password_matches(first, PASSWORD + "!")
    assert not accounts.password_matches("not a hash", PASSWORD)


def test_checking_a_password_lets_other_greenlets_run(monkeypatch):
    other_greenlet_ran = threading.Event()
    slow_hasher = SimpleNamespace(verify=lambda stored, password: other_greenlet_ran.wait(timeout=10))
    monkeypatch.setattr(passwords, "_hasher", slow_hasher)
    gevent.spawn(other_greenlet_ran.set)
    assert accounts.password_matches("stored", PASSWORD)  # False if the check had blocked the event loop


@pytest.mark.parametrize("host,loopback", [
    ("127.0.0.1", True), ("127.1.2.3", True), ("localhost", True), ("::1", True), ("[::1]", True),
    ("0.0.0.0", False), ("::", False), ("192.168.1.5", False), ("example.org", False), ("", False),
])
def test_loopback_hosts(host, loopback):
    assert accounts.is_loopback(host) is loopback


def test_a_public_bind_needs_an_account_or_allow_no_auth():
    refusal = accounts.bind_refusal(["0.0.0.0"], has_accounts=False, allow_no_auth=False)
    assert "0.0.0.0" in refusal and "python main.py user add NAME" in refusal and "ALLOW_NO_AUTH=1" in refusal
    assert accounts.bind_refusal(["0.0.0.0"], has_accounts=True, allow_no_auth=False) is None
    assert accounts.bind_refusal(["0.0.0.0"], has_accounts=False, allow_no_auth=True) is None
    assert accounts.bind_refusal(["127.0.0.1", "::1"], has_accounts=False, allow_no_auth=False) is None


@pytest.mark.parametrize("target,expected", [
    ("/", "/"), ("/?c=abc", "/?c=abc"), (None, "/"), ("", "/"), ("https://evil.example/", "/"),
    ("//evil.example/", "/"), ("/\\evil.example", "/"), ("javascript:alert(1)", "/"),
    ("/\t/evil.example", "/"), ("/\n/evil.example", "/"), ("/\r//evil.example", "/"), ("/a\\b", "/"),
    ("/\u202e/x", "/"), ("/\u2028/evil.example", "/"), ("/\x00", "/"), ("/search?q=a b", "/search?q=a b"),
])
def test_after_login_only_paths_on_this_site(target, expected):
    assert safe_next(target) == expected


# --- logging in, sessions, logging out ----------------------------------------------------------

@pytest.fixture
def make_app(own_database_url, fake, tmp_path):
    """Apps on this test's own database (several of them act as several workers)."""
    made = []

    def _make(**overrides):
        made.append(in_process_app(own_database_url, fake.url, tmp_path / f"instance{len(made)}", **overrides))
        return made[-1]
    yield _make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()  # lets the PostgreSQL pass drop the test's schema


@pytest.fixture
def app_with_alice(make_app):
    app = make_app()
    with app.app_context():
        accounts.add("alice", PASSWORD)
    return app


def login(client, name="alice", password=PASSWORD, **kwargs):
    return client.post("/login", json={"username": name, "password": password}, **kwargs)


def test_login_sets_an_httponly_samesite_cookie_and_logout_ends_it(app_with_alice):
    client = app_with_alice.test_client()
    response = login(client)
    assert response.status_code == 200 and response.get_json() == {"name": "alice", "is_admin": True}
    cookie = response.headers["Set-Cookie"]
    assert "routerchat_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie and PASSWORD not in cookie
    assert client.get("/conversations").status_code == 200
    assert client.post("/logout").status_code == 204
    assert client.get("/conversations").status_code == 401


class WatchedBody(io.BytesIO):
    """A request body that remembers how much of it was read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk

    def readinto(self, buffer) -> int:  # type: ignore[override]
        count = super().readinto(buffer)
        self.bytes_read += count
        return count

    def readline(self, size: int | None = -1) -> bytes:
        line = super().readline(size)
        self.bytes_read += len(line)
        return line


@pytest.mark.parametrize("path,content_type", [
    ("/import", "application/json"), ("/import", "multipart/form-data; boundary=x"), ("/chat", "application/json"),
])
def test_without_a_session_no_body_is_read(app_with_alice, path, content_type):
    """A caller that is not logged in gets its 401 before the server reads (or parses) its body."""
    raw = b"[" + b"[]," * 100_000 + b"[]]"
    body = WatchedBody(raw)
    response = app_with_alice.test_client().post(path, input_stream=body, content_type=content_type,
                                                 headers={"Content-Length": str(len(raw))})
    assert response.status_code == 401 and "Log in" in response.get_json()["error"]
    assert body.bytes_read == 0


def test_the_login_body_is_still_read(app_with_alice):
    body = WatchedBody(b'{"username": "alice", "password": "%s"}' % PASSWORD.encode())
    response = app_with_alice.test_client().post("/login", input_stream=body, content_type="application/json",
                                                 headers={"Content-Length": str(len(body.getvalue()))})
    assert response.status_code == 200 and body.bytes_read == len(body.getvalue())


@pytest.mark.parametrize("trust_proxy,secure", [(True, True), (False, False)])
def test_the_cookie_is_secure_behind_https_only_with_a_trusted_proxy(make_app, trust_proxy, secure):
    app = make_app(TRUST_PROXY=trust_proxy)
    with app.app_context():
        accounts.add("alice", PASSWORD)
    response = login(app.test_client(), headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert ("Secure" in response.headers["Set-Cookie"]) is secure


@pytest.mark.parametrize("kwargs,status,words", [
    ({"json": {"username": "alice", "password": "wrong password"}}, 401, "Wrong name or password"),
    ({"json": {"username": "nobody", "password": PASSWORD}}, 401, "Wrong name or password"),
    ({"json": {"username": "alice"}}, 400, "username"),
    ({"json": {"username": "", "password": PASSWORD}}, 400, "username"),
    ({"json": {"username": 7, "password": PASSWORD}}, 400, "username"),
    ({"json": ["alice", PASSWORD]}, 400, "JSON object"),
    ({"data": "{bad", "headers": {"Content-Type": "application/json"}}, 400, "not valid JSON"),
    ({"data": {"username": "alice", "password": PASSWORD}}, 415, "JSON"),
])
def test_bad_logins_are_4xx_and_give_no_session(app_with_alice, kwargs, status, words):
    client = app_with_alice.test_client()
    response = client.post("/login", **kwargs)
    assert response.status_code == status and words in response.get_json()["error"]
    assert "Set-Cookie" not in response.headers
    assert client.get("/conversations").status_code == 401


def _cookie_signed_with(app, payload: dict, secret: str | None = None, age: timedelta = timedelta(0)) -> str:
    """A session cookie as Flask would make it, with another secret or from an earlier time."""
    interface = app.session_interface
    serializer = interface.get_signing_serializer(app)
    if secret is not None:
        serializer = URLSafeTimedSerializer(secret, salt=interface.salt, serializer=interface.serializer,
                                            signer_kwargs=serializer.signer_kwargs)
    original = TimestampSigner.get_timestamp
    TimestampSigner.get_timestamp = lambda self: int(original(self) - age.total_seconds())
    try:
        return serializer.dumps(payload)
    finally:
        TimestampSigner.get_timestamp = original


def _session_payload(app, name="alice") -> dict:
    with app.app_context():
        account = accounts.named(name)
        token = accounts.sessions.start(account, timedelta(days=30))
        return {"auth": {"account": account.id, "stamp": accounts.session_stamp(account), "token": token}}


@pytest.mark.parametrize("forge", ["garbage", "other secret", "expired", "unsigned account id"])
def test_forged_or_expired_cookies_are_401(app_with_alice, forge):
    payload = _session_payload(app_with_alice)
    cookie = {
        "garbage": "not-a-cookie",
        "other secret": _cookie_signed_with(app_with_alice, payload, secret="guessed"),
        "expired": _cookie_signed_with(app_with_alice, payload, age=timedelta(days=31)),
        "unsigned account id": _cookie_signed_with(app_with_alice, payload)[:-3] + "AAA",
    }[forge]
    client = app_with_alice.test_client()
    client.set_cookie("routerchat_session", cookie)
    response = client.get("/conversations")
    assert response.status_code == 401 and "Log in" in response.get_json()["error"]


def test_a_well_signed_cookie_still_works(app_with_alice):
    """The forging helper itself makes cookies the app accepts: the 401s above are the forgery's."""
    client = app_with_alice.test_client()
    client.set_cookie("routerchat_session", _cookie_signed_with(app_with_alice, _session_payload(app_with_alice)))
    assert client.get("/conversations").status_code == 200


def test_a_cookie_without_a_live_server_session_is_401(app_with_alice):
    """A well-signed cookie from before server-side sessions (no token), or with a made-up token."""
    payload = _session_payload(app_with_alice)
    for auth in ({k: v for k, v in payload["auth"].items() if k != "token"}, {**payload["auth"], "token": "made up"}):
        client = app_with_alice.test_client()
        client.set_cookie("routerchat_session", _cookie_signed_with(app_with_alice, {"auth": auth}))
        assert client.get("/conversations").status_code == 401


def test_logout_ends_the_session_for_every_copy_of_the_cookie(app_with_alice):
    client, thief = app_with_alice.test_client(), app_with_alice.test_client()
    assert login(client).status_code == 200
    thief.set_cookie("routerchat_session", client.get_cookie("routerchat_session").value)
    assert thief.get("/conversations").status_code == 200
    assert client.post("/logout").status_code == 204
    assert thief.get("/conversations").status_code == 401


def test_a_session_ends_at_a_fixed_time_after_login_however_busy(app_with_alice):
    client = app_with_alice.test_client()
    assert login(client).status_code == 200
    busy = client.get("/conversations")
    assert busy.status_code == 200 and "Set-Cookie" not in busy.headers  # the expiry does not slide
    with app_with_alice.app_context():
        db.session.execute(db.update(LoginSession).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert client.get("/conversations").status_code == 401


def test_over_https_the_cookie_is_host_only(make_app):
    app = make_app(TRUST_PROXY=True)
    with app.app_context():
        accounts.add("alice", PASSWORD)
    client = app.test_client()
    https = {"X-Forwarded-Proto": "https"}
    cookie = login(client, headers=https).headers["Set-Cookie"]
    assert cookie.startswith("__Host-routerchat_session=") and "Secure" in cookie and "Path=/;" in cookie
    assert "Domain" not in cookie
    assert client.get("/conversations", headers=https).status_code == 200
    assert client.get("/conversations").status_code == 401  # over http, a __Host- cookie is not ours


@pytest.mark.parametrize("path,status", [("/chat", 401), ("/conversations", 401), ("/login", 200)])
def test_two_session_cookies_are_refused_and_cleared(make_app, path, status):
    """Cookie tossing: another port of this host plants its account's cookie for a narrower path
    (the page at `/` then redirects to the login page with the notice: see the browser test)."""
    app = make_app()
    with app.app_context():
        accounts.add("alice", PASSWORD)
        accounts.add("mallory", PASSWORD)
    victim, attacker = app.test_client(), app.test_client()
    login(victim)
    login(attacker, name="mallory")
    victim.set_cookie("routerchat_session", attacker.get_cookie("routerchat_session").value, path=path)
    method = victim.post if path == "/chat" else victim.get
    response = method(path, json={"message": "my secret"} if path == "/chat" else None)
    assert response.status_code == status
    if status == 401:
        assert response.get_json() == {"error": TWO_COOKIES, "reason": "session_cookies"}
    else:
        assert TWO_COOKIES in response.get_data(as_text=True)
    cleared = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("routerchat_session=;")]
    assert any(c.endswith("Path=/") for c in cleared) and any(c.endswith(f"Path={path}") for c in cleared)
    assert victim.get_cookie("routerchat_session") is None
    assert victim.get_cookie("routerchat_session", path=path) is None


def test_the_login_page_names_the_cookie_problem_only_in_its_own_words(app_with_alice):
    page = app_with_alice.test_client().get("/login?notice=cookies").get_data(as_text=True)
    assert TWO_COOKIES in page
    page = app_with_alice.test_client().get("/login?notice=Your+password+expired").get_data(as_text=True)
    assert "expired" not in page and TWO_COOKIES not in page


def test_changing_the_password_or_removing_the_account_ends_its_sessions(app_with_alice):
    client = app_with_alice.test_client()
    assert login(client).status_code == 200
    with app_with_alice.app_context():
        accounts.set_password("alice", "a new password")
    assert client.get("/conversations").status_code == 401
    assert login(client, password="a new password").status_code == 200
    with app_with_alice.app_context():
        accounts.add("bob", PASSWORD)
        accounts.remove("alice", keep_conversations=True)
    assert client.get("/conversations").status_code == 401


def test_the_login_page_is_skipped_without_accounts_or_with_a_session(make_app):
    app = make_app()
    assert app.test_client().get("/login").headers["Location"] == "/"
    assert app.test_client().get("/conversations").status_code == 200  # one person's app, as before
    with app.app_context():
        accounts.add("alice", PASSWORD)
    assert app.test_client().get("/login").status_code == 200
    client = app.test_client()
    login(client)
    assert client.get("/login?next=/%3Fc%3Dabc").headers["Location"] == "/?c=abc"
    assert client.get("/login?next=//evil.example").headers["Location"] == "/"


@pytest.mark.parametrize("encoded", ["/%09/evil.example", "/%0a/evil.example", "/%0d%0aSet-Cookie:x=1", "/%5Cevil"])
def test_next_with_hidden_characters_goes_home_never_a_500(app_with_alice, encoded):
    """Browsers drop tabs and line breaks from URLs: `/%09/evil.example` would reach evil.example."""
    page = app_with_alice.test_client().get(f"/login?next={encoded}").get_data(as_text=True)
    assert 'data-next="/"' in page and "evil" not in page
    client = app_with_alice.test_client()
    login(client)
    response = client.get(f"/login?next={encoded}")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_the_login_page_sends_only_local_next_targets(app_with_alice):
    page = app_with_alice.test_client().get("/login?next=https://evil.example/").get_data(as_text=True)
    assert 'data-next="/"' in page and "evil" not in page


def test_ten_failed_logins_a_minute_from_one_address_are_429_in_every_worker(make_app, app_with_alice):
    worker_one, worker_two = app_with_alice.test_client(), make_app().test_client()
    attacker = {"environ_base": {"REMOTE_ADDR": "203.0.113.9"}}
    for _ in range(accounts.FAILED_LOGINS_PER_MINUTE):
        assert login(worker_one, password="wrong password", **attacker).status_code == 401
    blocked = login(worker_two, **attacker)  # even the right password, even in another worker
    assert blocked.status_code == 429 and "Too many failed logins" in blocked.get_json()["error"]
    assert login(worker_two, environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 200


def test_concurrent_guesses_check_at_most_the_limit_of_passwords(app_with_alice, monkeypatch):
    """Every guess arrives before any password check ends: each must still see the ones before
    it, and the right password sent after them is refused."""
    checks: list[str] = []
    guesses = [f"wrong guess {n}" for n in range(25)]
    all_arrived = threading.Barrier(len(guesses), timeout=30)
    real_check = passwords.password_matches

    def slow_check(password_hash: str, password: str) -> bool:
        checks.append(password)
        gevent.sleep(0.2)
        return real_check(password_hash, password)
    monkeypatch.setattr("routerchat.accounts.store.password_matches", slow_check)
    attacker = {"environ_base": {"REMOTE_ADDR": "203.0.113.5"}}

    def guess(password: str) -> int:
        client = app_with_alice.test_client()
        all_arrived.wait()
        return login(client, password=password, **attacker).status_code
    with ThreadPoolExecutor(len(guesses)) as pool:
        statuses = list(pool.map(guess, guesses))
    assert len(checks) == statuses.count(401) <= accounts.FAILED_LOGINS_PER_MINUTE
    assert statuses.count(429) == len(guesses) - statuses.count(401)
    assert login(app_with_alice.test_client(), **attacker).status_code == 429
    assert len(checks) <= accounts.FAILED_LOGINS_PER_MINUTE


def test_a_successful_login_does_not_count_as_a_failure(app_with_alice):
    client = app_with_alice.test_client()
    for _ in range(accounts.FAILED_LOGINS_PER_MINUTE + 2):
        assert login(client).status_code == 200


def test_one_log_line_per_failed_login_and_no_traceback(app_with_alice, capfd, caplog):
    client = app_with_alice.test_client()
    assert login(client, password="wrong password", environ_base={"REMOTE_ADDR": "198.51.100.1"}).status_code == 401
    assert login(client, name="nobody\nforged line").status_code == 401
    failed = [r.getMessage() for r in caplog.records if "failed login" in r.getMessage()]
    assert failed == ["failed login for 'alice' from 198.51.100.1",
                      "failed login for 'nobody\\nforged line' from 127.0.0.1"]
    assert "wrong password" not in caplog.text
    out, err = capfd.readouterr()
    assert "Traceback" not in err + out and "VerifyMismatchError" not in err + out


def test_failures_older_than_a_minute_no_longer_count(app_with_alice):
    client = app_with_alice.test_client()
    for _ in range(accounts.FAILED_LOGINS_PER_MINUTE):
        login(client, password="wrong password")
    with app_with_alice.app_context():
        db.session.execute(db.update(LoginFailure).values(at=utcnow() - timedelta(minutes=2)))
        db.session.commit()
    assert login(client).status_code == 200


# --- names that look alike ------------------------------------------------------------------------

@pytest.mark.parametrize("taken,other", [
    ("alice", "Alice"), ("alice", "ＡＬＩＣＥ"), ("alice", "ａｌｉｃｅ"), ("café", "cafe\u0301"),
    ("cafe\u0301", "CAFÉ"), ("straße", "STRASSE"),
])
def test_names_that_fold_alike_are_one_account(make_app, taken, other):
    app = make_app()
    with app.app_context():
        accounts.add(taken, PASSWORD)
        with pytest.raises(ApiError) as error:
            accounts.add(other, PASSWORD)
        assert error.value.status == 409 and taken in error.value.message
        assert [a.name for a in accounts.all_accounts()] == [taken]
    for spelling in (taken, other):
        response = login(app.test_client(), name=spelling)
        assert response.status_code == 200 and response.get_json()["name"] == taken


# --- the command line ---------------------------------------------------------------------------

def run_cli(app, monkeypatch, capsys, *argv: str, stdin: str = PASSWORD + "\n") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(list(argv), app)
    out, err = capsys.readouterr()
    return code, out, err


def account_rows(app) -> list[tuple]:
    with app.app_context():
        return [(a.name, a.is_admin) for a in accounts.all_accounts()]


def seed(app, owner_id: int | None, title: str) -> str:
    with app.app_context():
        conversation = Conversation(id=new_id(), account_id=owner_id, title=title)
        db.session.add(conversation)
        db.session.add(Message(conversation_id=conversation.id, role="user", content=title))
        db.session.commit()
        return conversation.id


def owners(app) -> dict[str, int | None]:
    with app.app_context():
        return {c.title: c.account_id for c in db.session.scalars(db.select(Conversation))}


def test_the_first_account_is_the_admin_and_takes_the_data_made_without_accounts(make_app, monkeypatch, capsys):
    app = make_app()
    seed(app, None, "before accounts")
    with app.app_context():
        db.session.add(Preset(slot=2, model="qwen/qwen3-4b", label="Mine"))
        db.session.commit()
    code, out, _ = run_cli(app, monkeypatch, capsys, "add", "alice", "--password-stdin")
    assert code == 0 and "Added account “alice” (admin" in out
    code, out, _ = run_cli(app, monkeypatch, capsys, "add", "bob", "--password-stdin")
    assert code == 0 and "admin" not in out
    assert account_rows(app) == [("alice", True), ("bob", False)]
    assert owners(app) == {"before accounts": 1}
    with app.app_context():
        assert [(p.account_id, p.slot) for p in db.session.scalars(db.select(Preset))] == [(1, 2)]
        stored = db.session.scalar(db.select(Account.password_hash).where(Account.name == "alice"))
    assert PASSWORD not in stored
    client = app.test_client()
    login(client)
    assert client.get("/presets").get_json()["presets"][1]["model"] == "qwen/qwen3-4b"


@pytest.mark.parametrize("argv,stdin,words", [
    (["add", "", "--password-stdin"], PASSWORD, "empty"),
    (["add", "x" * 65, "--password-stdin"], PASSWORD, "at most 64"),
    (["add", "bad\x1bname", "--password-stdin"], PASSWORD, "control"),
    (["add", "alice", "--password-stdin"], PASSWORD, "already exists"),
    (["add", "carol", "--password-stdin"], "short", "at least 8"),
    (["passwd", "nobody", "--password-stdin"], PASSWORD, "no account named"),
    (["passwd", "alice", "--password-stdin"], "short", "at least 8"),
    (["remove", "nobody", "--delete-conversations"], "", "no account named"),
])
def test_bad_cli_input_is_an_error_and_changes_nothing(app_with_alice, monkeypatch, capsys, argv, stdin, words):
    with app_with_alice.app_context():
        hash_before = accounts.named("alice").password_hash
    code, out, err = run_cli(app_with_alice, monkeypatch, capsys, *argv, stdin=stdin)
    assert code == 1 and words in err.lower() and out == ""
    assert account_rows(app_with_alice) == [("alice", True)]
    with app_with_alice.app_context():
        assert accounts.named("alice").password_hash == hash_before


def test_remove_must_say_what_happens_to_the_conversations(app_with_alice, monkeypatch, capsys):
    with pytest.raises(SystemExit) as exit_:
        run_cli(app_with_alice, monkeypatch, capsys, "remove", "alice")
    assert exit_.value.code == 2 and "--delete-conversations" in capsys.readouterr().err
    assert account_rows(app_with_alice) == [("alice", True)]


def test_list_and_passwd(app_with_alice, monkeypatch, capsys):
    code, out, _ = run_cli(app_with_alice, monkeypatch, capsys, "list")
    assert code == 0 and out.startswith("alice  (admin)  created ")
    code, out, _ = run_cli(app_with_alice, monkeypatch, capsys, "passwd", "alice", "--password-stdin",
                           stdin="a whole new one\n")
    assert code == 0 and "sessions have ended" in out
    assert login(app_with_alice.test_client(), password="a whole new one").status_code == 200
    assert login(app_with_alice.test_client()).status_code == 401


def test_a_taken_or_bad_name_is_refused_before_the_password_is_asked(app_with_alice, monkeypatch, capsys):
    def no_prompt(prompt):
        raise AssertionError("asked for a password")
    monkeypatch.setattr("getpass.getpass", no_prompt)
    for argv in (["add", "alice"], ["add", "bad\x07name"], ["passwd", "nobody"]):
        assert run_cli(app_with_alice, monkeypatch, capsys, *argv)[0] == 1


def test_passwords_typed_at_the_terminal_must_match(app_with_alice, monkeypatch, capsys):
    typed = iter(["first password", "second password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(typed))
    code, _, err = run_cli(app_with_alice, monkeypatch, capsys, "add", "bob")
    assert code == 1 and "differ" in err and account_rows(app_with_alice) == [("alice", True)]
    monkeypatch.setattr("getpass.getpass", lambda prompt: "same password")
    assert run_cli(app_with_alice, monkeypatch, capsys, "add", "bob")[0] == 0
    assert login(app_with_alice.test_client(), "bob", "same password").status_code == 200


def test_remove_deletes_or_hands_over_conversations(make_app, monkeypatch, capsys):
    app = make_app()
    with app.app_context():
        alice, bob, carol = (accounts.add(name, PASSWORD).id for name in ("alice", "bob", "carol"))
    seed(app, bob, "bob's")
    seed(app, carol, "carol's")
    code, out, _ = run_cli(app, monkeypatch, capsys, "remove", "bob", "--delete-conversations")
    assert code == 0 and "1 conversation(s) deleted" in out
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Message)) == 1  # carol's only
    code, out, _ = run_cli(app, monkeypatch, capsys, "remove", "carol", "--keep-conversations")
    assert code == 0 and "1 conversation(s) kept" in out
    assert owners(app) == {"carol's": alice}
    run_cli(app, monkeypatch, capsys, "add", "dave", "--password-stdin")
    run_cli(app, monkeypatch, capsys, "remove", "alice", "--keep-conversations")
    assert account_rows(app) == [("dave", True)] and owners(app) == {"carol's": 4}  # ids are never reused
    run_cli(app, monkeypatch, capsys, "remove", "dave", "--keep-conversations")
    assert account_rows(app) == [] and owners(app) == {"carol's": None}
    assert [c["title"] for c in app.test_client().get("/conversations").get_json()["conversations"]] == ["carol's"]


# --- the migration ------------------------------------------------------------------------------

def test_the_migration_keeps_existing_conversations_messages_and_presets(own_database_url, fake, tmp_path,
                                                                        monkeypatch, capsys):
    from routerchat import create_app
    from routerchat.config import normalize_database_url

    old = create_app({"SQLALCHEMY_DATABASE_URI": normalize_database_url(own_database_url)},
                     instance_path=str(tmp_path / "old"))
    with old.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="0001_initial")
        db.session.execute(sa.text("INSERT INTO conversation (id, title, title_source, title_attempts, created_at, "
                                   "updated_at) VALUES ('c1', 'Old chat', 'user', 0, :t, :t)"),
                           {"t": "2026-01-01 00:00:00"})
        db.session.execute(sa.text("INSERT INTO message (conversation_id, role, content, status, created_at) "
                                   "VALUES ('c1', 'user', 'old question', 'complete', :t)"),
                           {"t": "2026-01-01 00:00:00"})
        db.session.execute(sa.text("INSERT INTO preset (slot, model, label, updated_at) "
                                   "VALUES (3, 'qwen/qwen3-4b', 'Qwen', :t)"), {"t": "2026-01-01 00:00:00"})
        db.session.commit()
        db.engine.dispose()
    app = in_process_app(own_database_url, fake.url, tmp_path / "new")  # upgrades to the newest revision
    try:
        detail = app.test_client().get("/conversation/c1").get_json()
        assert detail["title"] == "Old chat" and [m["content"] for m in detail["messages"]] == ["old question"]
        assert app.test_client().get("/presets").get_json()["presets"][2]["model"] == "qwen/qwen3-4b"
        assert run_cli(app, monkeypatch, capsys, "add", "alice", "--password-stdin")[0] == 0
        client = app.test_client()
        assert login(client).status_code == 200
        assert [m["content"] for m in client.get("/conversation/c1").get_json()["messages"]] == ["old question"]
        assert client.get("/presets").get_json()["presets"][2]["model"] == "qwen/qwen3-4b"
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
