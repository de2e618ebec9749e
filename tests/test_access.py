"""Every route × (no session, the owner, another account): one table, on SQLite and PostgreSQL.

Adding a route is one row in ROUTES: "{id}" in its path or body is the conversation's id.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest

from routerchat import accounts
from routerchat.db.models import Conversation, new_id
from routerchat.extensions import db
from tests.support.accounts import PASSWORD, app_with_accounts, logged_in
from tests.support.databases import backend_of, fresh_database
from tests.support.factories import store_conversation
from tests.support.servers import in_process_app

pytestmark = pytest.mark.xdist_group("access")  # the tests share one module fixture: one worker builds it


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    body: dict | None = None
    owner_status: int = 200

    def call(self, client, conversation_id: str):
        body = None if self.body is None else json.loads(json.dumps(self.body).replace("{id}", conversation_id))
        response = client.open(self.path.replace("{id}", conversation_id), method=self.method, json=body)
        response.get_data()  # a stream runs to its end here
        return response

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


ROUTES = [
    Route("GET", "/conversation/{id}"),
    Route("PATCH", "/conversation/{id}", {"title": "Renamed by the caller"}),
    Route("PATCH", "/conversation/{id}", {"pinned": True, "archived": True}),
    Route("POST", "/conversation/{id}/share", owner_status=201),
    Route("DELETE", "/conversation/{id}", owner_status=204),
    Route("POST", "/conversation/{id}/summarize"),
    Route("POST", "/chat", {"message": "Continue this", "conversation_id": "{id}"}),
    Route("GET", "/conversation/{id}/export?format=md"),
    Route("GET", "/conversation/{id}/export?format=json"),
]


@pytest.fixture(scope="module")
def accounts_app(database_url, fake, tmp_path_factory):
    """An app on a database of its own (of the pass's backend) with two accounts: alice (the admin) and bob."""
    yield from app_with_accounts(database_url, fake, tmp_path_factory, "alice", "bob")


def seed_conversation(app, owner: str, text: str = "my secret", cost: float | None = None) -> str:
    """A conversation of `owner` with one question and its answer, written straight to the database."""
    return store_conversation(app, (text, "kept"), owner=owner, title="Alice's secret",
                              answer={"model": "x/y", "usage": {"cost": cost}}).id


def snapshot(app, conversation_id: str) -> tuple | None:
    """What a caller could change: the title, how it is organised and every message (None once deleted)."""
    with app.app_context():
        conversation = db.session.get(Conversation, conversation_id)
        if conversation is None:
            return None
        return (conversation.title, conversation.account_id, conversation.pinned, conversation.archived,
                conversation.folder_id, [(m.role, m.content, m.status) for m in conversation.messages])


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_without_a_session_every_conversation_route_is_401_and_changes_nothing(accounts_app, route):
    conversation_id = seed_conversation(accounts_app, "alice")
    before = snapshot(accounts_app, conversation_id)
    response = route.call(accounts_app.test_client(), conversation_id)
    assert response.status_code == 401 and "Log in" in response.get_json()["error"]
    assert snapshot(accounts_app, conversation_id) == before


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_another_accounts_conversation_is_404_like_an_unknown_id_and_changes_nothing(accounts_app, route):
    conversation_id = seed_conversation(accounts_app, "alice")
    before = snapshot(accounts_app, conversation_id)
    bob = logged_in(accounts_app, "bob")
    response = route.call(bob, conversation_id)
    unknown = route.call(bob, "f" * 32)
    assert response.status_code == 404 and response.get_json() == unknown.get_json()
    assert snapshot(accounts_app, conversation_id) == before


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_the_owner_uses_every_conversation_route(accounts_app, route):
    conversation_id = seed_conversation(accounts_app, "alice")
    response = route.call(logged_in(accounts_app, "alice"), conversation_id)
    assert response.status_code == route.owner_status, response.get_data(as_text=True)


def test_the_list_shows_each_account_only_its_own_conversations(accounts_app):
    alices = seed_conversation(accounts_app, "alice")
    bobs = seed_conversation(accounts_app, "bob")
    listed = {name: [c["id"] for c in logged_in(accounts_app, name).get("/conversations").get_json()["conversations"]]
              for name in ("alice", "bob")}
    assert alices in listed["alice"] and bobs not in listed["alice"]
    assert bobs in listed["bob"] and alices not in listed["bob"]
    assert accounts_app.test_client().get("/conversations").status_code == 401


def test_a_new_chat_belongs_to_the_account_that_started_it(accounts_app):
    bob = logged_in(accounts_app, "bob")
    response = bob.post("/chat", json={"message": "Mine"})
    first_event = response.get_data(as_text=True).split("data: ", 2)[1].split("\n")[0]
    conversation_id = json.loads(first_event)["conversation_id"]
    assert snapshot(accounts_app, conversation_id)[1] == 2  # bob's account id
    assert logged_in(accounts_app, "alice").get(f"/conversation/{conversation_id}").status_code == 404


def test_presets_are_per_account(accounts_app):
    alice, bob = logged_in(accounts_app, "alice"), logged_in(accounts_app, "bob")
    bobs_before = bob.get("/presets").get_json()
    assert alice.put("/presets/2", json={"model": "qwen/qwen3-4b"}).status_code == 200
    assert alice.get("/presets").get_json()["presets"][1]["model"] == "qwen/qwen3-4b"
    assert bob.get("/presets").get_json() == bobs_before
    assert accounts_app.test_client().get("/presets").status_code == 401
    assert accounts_app.test_client().put("/presets/2", json={"model": "qwen/qwen3-4b"}).status_code == 401


@pytest.mark.parametrize("method,path", [("GET", "/models"), ("GET", "/conversations"), ("POST", "/logout"),
                                         ("GET", "/no-such-route"), ("GET", "/conversations?q=secret"),
                                         ("GET", "/usage"), ("GET", "/export"), ("POST", "/import")])
def test_other_api_routes_need_a_session(accounts_app, method, path):
    response = accounts_app.test_client().open(path, method=method)
    assert response.status_code == 401 and "error" in response.get_json()


@pytest.mark.parametrize("path,next_url", [("/", "/"), ("/?c=abc", "/?c=abc")])
def test_the_page_without_a_session_redirects_to_login(accounts_app, path, next_url):
    response = accounts_app.test_client().get(path)
    location = urlsplit(response.headers["Location"])
    assert response.status_code == 302 and location.path == "/login"
    assert parse_qs(location.query)["next"] == [next_url]


@pytest.mark.parametrize("path", ["/login", "/healthz", "/static/css/app.css", "/static/js/login.js"])
def test_login_health_and_static_files_need_no_session(accounts_app, path):
    assert accounts_app.test_client().get(path).status_code == 200


def test_the_login_pages_fingerprinted_assets_need_no_session(accounts_app):
    client = accounts_app.test_client()
    assets = re.findall(r'(?:src|href)="(/assets/[^"]+)"', client.get("/login").get_data(as_text=True))
    assert assets and all(client.get(url).status_code == 200 for url in assets)


def test_search_finds_only_the_callers_conversations(accounts_app):
    word = new_id()[:10]
    alices = seed_conversation(accounts_app, "alice", text=f"my secret {word}")
    found = {name: [c["id"] for c in logged_in(accounts_app, name).get(f"/conversations?q={word}")
                    .get_json()["conversations"]] for name in ("alice", "bob")}
    assert found == {"alice": [alices], "bob": []}


@pytest.mark.parametrize("query", ["{word}", "{word} qz"], ids=["indexed word", "and a word too short for the index"])
def test_search_reads_only_the_callers_rows_and_follows_a_takeover(database_url, fake, tmp_path_factory, query):
    """Every search lookup is restricted to the caller's rows in the index itself (SQLite: the
    owner trigram in FTS5, migration 0017). Chats made before any account exists belong to the
    first account once it is added: the index's owner moves with them."""
    word = new_id()[:10]
    with fresh_database(backend_of(database_url), tmp_path_factory) as url:
        app = in_process_app(url, fake.url, tmp_path_factory.mktemp("instance"))
        older = store_conversation(app, (f"older {word} qz", "kept"), title=f"Kept {word}").id
        with app.app_context():
            accounts.add("alice", PASSWORD)
            accounts.add("bob", PASSWORD)
        bobs = seed_conversation(app, "bob", text=f"bob's {word} qz")
        found = {name: [c["id"] for c in logged_in(app, name).get("/conversations", query_string={
            "q": query.format(word=word)}).get_json()["conversations"]] for name in ("alice", "bob")}
        assert found == {"alice": [older], "bob": [bobs]}
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_export_and_import_stay_within_the_callers_account(accounts_app):
    alices = seed_conversation(accounts_app, "alice")
    bob = logged_in(accounts_app, "bob")
    archive = json.loads(bob.get("/export").get_data(as_text=True))
    assert alices not in [c["id"] for c in archive["conversations"]]
    alice = logged_in(accounts_app, "alice")
    own = json.loads(alice.get(f"/conversation/{alices}/export?format=json").get_data(as_text=True))
    assert bob.post("/import", json=own).get_json()["imported"] == 1
    imported = [c for c in bob.get("/conversations").get_json()["conversations"]
                if c["title"] == "Alice's secret" and c["title_source"] == "user"]
    assert len(imported) == 1 and imported[0]["id"] != alices
    assert alice.get(f"/conversation/{imported[0]['id']}").status_code == 404


def test_usage_is_per_account_and_the_admin_sees_every_accounts_totals(accounts_app):
    bob = logged_in(accounts_app, "bob")
    before = bob.get("/usage").get_json()
    seed_conversation(accounts_app, "alice", cost=0.5)
    after = bob.get("/usage").get_json()
    assert after["total_cost"] == before["total_cost"] and "by_account" not in after
    admin = logged_in(accounts_app, "alice").get("/usage").get_json()
    totals = {row["account"]: row for row in admin["by_account"]}
    assert set(totals) == {"alice", "bob"} and totals["alice"]["cost"] >= 0.5
