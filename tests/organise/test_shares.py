"""Share links: POST/DELETE /conversation/<id>/share, GET /shares, and GET /s/<token> for anyone
(a snapshot without ids, owner, model or cost; noindex; revoked and unknown tokens alike)."""
from __future__ import annotations

import re

from tests.support.accounts import logged_in
from tests.support.factories import store_conversation

TOKEN_URL = re.compile(r"^/s/([A-Za-z0-9_-]{43,})$")  # at least 256 bits of base64url


def share(web, conversation_id: str) -> str:
    response = web.post(f"/conversation/{conversation_id}/share")
    assert response.status_code == 201, response.get_json()
    url = response.get_json()["url"]
    assert TOKEN_URL.match(url)
    return url


def test_a_share_is_a_snapshot_anyone_can_read_without_ids_owner_or_cost(two_accounts_app):
    alice = logged_in(two_accounts_app, "alice")
    stored = store_conversation(two_accounts_app, ("What is 2+2?", "**4**, of course."), owner="alice",
                                title="Sums", answer={"model": "openai/gpt-5", "usage": {"cost": 0.0123}})
    url = share(alice, stored.id)
    visitor = two_accounts_app.test_client()  # no session, accounts exist
    data = visitor.get(url + "?format=json")
    assert data.status_code == 200 and data.headers["X-Robots-Tag"].startswith("noindex")
    assert data.get_json() == {"title": "Sums", "messages": [{"role": "user", "content": "What is 2+2?"},
                                                             {"role": "assistant", "content": "**4**, of course."}]}
    page = visitor.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert page.headers["X-Robots-Tag"].startswith("noindex") and 'name="robots" content="noindex' in html
    assert page.headers["Content-Security-Policy"] == alice.get("/").headers["Content-Security-Policy"]
    assert "Sums" in html and "What is 2+2?" in html and "**4**, of course." in html
    for secret in (stored.id, "alice", "gpt-5", "0.0123", "cost", "data-id"):
        assert secret not in html and secret not in data.get_data(as_text=True)


def test_the_shared_text_is_escaped_in_the_page(organised_app, web):
    stored = store_conversation(organised_app, ("<img src=x onerror=alert(1)>", "<script>alert(2)</script>"),
                                title="<b>Tags</b>", title_source="user")
    html = web.get(share(web, stored.id)).get_data(as_text=True)
    assert "<img src=x" not in html and "<script>alert" not in html and "<b>Tags</b>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "&lt;script&gt;alert(2)&lt;/script&gt;" in html


def test_sharing_again_replaces_the_snapshot_under_the_same_link(organised_app, web, fake):
    stored = store_conversation(organised_app, ("one", "uno"), title="Again", title_source="user")
    url = share(web, stored.id)
    web.patch(f"/conversation/{stored.id}", json={"title": "Again, renamed"})
    web.post("/chat", json={"message": "two", "conversation_id": stored.id}).get_data()
    assert len(web.get(url + "?format=json").get_json()["messages"]) == 2  # the snapshot, not the chat
    assert share(web, stored.id) == url
    snapshot = web.get(url + "?format=json").get_json()
    assert snapshot["title"] == "Again, renamed"
    assert [m["content"] for m in snapshot["messages"]] == ["one", "uno", "two", "Echo: two"]


def test_revoked_and_deleted_links_answer_like_unknown_ones(organised_app, web):
    first = store_conversation(organised_app, ("q", "a"), title="Revoke me", title_source="user")
    second = store_conversation(organised_app, ("q", "a"), title="Delete me", title_source="user")
    revoked, deleted = share(web, first.id), share(web, second.id)
    assert web.delete(f"/conversation/{first.id}/share").status_code == 204
    assert web.delete(f"/conversation/{first.id}/share").status_code == 404
    assert web.delete(f"/conversation/{second.id}").status_code == 204
    never = "/s/" + "A" * 43
    answers = [web.get(url) for url in (revoked, deleted, never, revoked + "?format=json")]
    assert {r.status_code for r in answers} == {404}
    assert len({r.get_data() for r in answers}) == 1
    assert all(r.headers.get("X-Robots-Tag") == answers[0].headers.get("X-Robots-Tag") for r in answers)
    listed = [s["url"] for s in web.get("/shares").get_json()["shares"]]
    assert revoked not in listed and deleted not in listed
    assert share(web, first.id) != revoked  # sharing after a revoke makes a new link


def test_shares_lists_the_accounts_links_only(two_accounts_app):
    alice, bob = logged_in(two_accounts_app, "alice"), logged_in(two_accounts_app, "bob")
    alices = store_conversation(two_accounts_app, ("a", "b"), owner="alice", title="Alice's link")
    bobs = store_conversation(two_accounts_app, ("c", "d"), owner="bob", title="Bob's link")
    alice_url, bob_url = share(alice, alices.id), share(bob, bobs.id)
    mine = alice.get("/shares").get_json()["shares"]
    assert [(s["url"], s["conversation_id"], s["title"]) for s in mine if s["url"] in (alice_url, bob_url)] == [
        (alice_url, alices.id, "Alice's link")]
    assert {"url", "conversation_id", "title", "created_at", "updated_at"} <= set(mine[0])
    assert two_accounts_app.test_client().get("/shares").status_code == 401


def test_another_accounts_chat_cannot_be_shared_or_revoked(two_accounts_app):
    alice, bob = logged_in(two_accounts_app, "alice"), logged_in(two_accounts_app, "bob")
    alices = store_conversation(two_accounts_app, ("private", "yes"), owner="alice", title="Private")
    for method in ("post", "delete"):
        refused = getattr(bob, method)(f"/conversation/{alices.id}/share")
        unknown = getattr(bob, method)(f"/conversation/{'f' * 32}/share")
        assert refused.status_code == 404 and refused.get_json() == unknown.get_json()
    url = share(alice, alices.id)
    assert bob.delete(f"/conversation/{alices.id}/share").status_code == 404
    assert two_accounts_app.test_client().get(url).status_code == 200
    assert two_accounts_app.test_client().post(f"/conversation/{alices.id}/share").status_code == 401
