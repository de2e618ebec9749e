"""Organising chats in chromium: pin, archive and restore, folders (make, move by menu and by drag,
collapse, settings), Branch in new chat, Share (copy, revoke, the links in Usage & data), and the
shared page as an anonymous visitor of an app with accounts."""
from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.support.accounts import PASSWORD
from tests.support.client import Api

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 800}}


@pytest.fixture
def server(own_database_url, launch):
    """A server on a database of its own: pins and archives reorder the list other tests read."""
    return launch(DATABASE_URL=own_database_url)


def row(page, conversation_id: str):
    return page.locator(f'#conversation-list [data-conversation-id="{conversation_id}"]')


def menu_choice(page, conversation_id: str, label: str) -> None:
    item = row(page, conversation_id)
    item.hover()
    item.locator(".organise-button").click()
    item.locator(".organise-menu [role=menuitem]", has_text=label).click()


def sections(page) -> list[str]:
    return page.locator("#conversation-list > li").evaluate_all(
        "items => items.map(li => li.dataset.conversationId || li.textContent.trim())")


def test_pin_archive_and_restore(open_page, server, screenshot):
    api = Api(server.url)
    old, new = (api.chat(text).conversation_id for text in ("An old chat", "A new chat"))
    page = open_page(server.url, **DESKTOP)
    expect(row(page, new)).to_be_visible()
    menu_choice(page, old, "Pin")
    expect(page.locator(".conversation-group").first).to_have_text("Pinned")
    expect(row(page, old)).to_have_attribute("data-pinned", "true")
    assert sections(page)[:2] == ["Pinned", old]
    assert api.get(f"/conversation/{old}").json()["pinned"] is True
    screenshot(page, "organise-pinned-1366")

    menu_choice(page, new, "Archive")
    expect(row(page, new)).to_have_count(0)
    page.click("#archived-button")
    expect(row(page, new)).to_be_visible()
    expect(row(page, old)).to_have_count(0)
    page.fill("#conversation-search", "new chat")  # the archive is searchable
    expect(page.locator("#conversation-list [data-conversation-id]")).to_have_count(1)
    page.press("#conversation-search", "Escape")
    screenshot(page, "organise-archived-1366")
    menu_choice(page, new, "Restore from archive")
    expect(row(page, new)).to_have_count(0)
    page.click("#archived-button")
    expect(row(page, new)).to_be_visible()
    assert api.get(f"/conversation/{new}").json()["archived"] is False


def test_folders_move_by_menu_and_by_drag_collapse_and_settings(open_page, server, screenshot):
    api = Api(server.url)
    first, second = (api.chat(text).conversation_id for text in ("Plan the trip", "Pack the bags"))
    page = open_page(server.url, **DESKTOP)
    page.click("#new-folder-button")
    page.fill("#folder-name", "Travel")
    page.fill("#folder-instructions", "Use metric units.")
    page.click("#folder-save")
    heading = page.locator(".folder-section", has_text="Travel")
    expect(heading).to_be_visible()
    [folder] = api.get("/folders").json()["folders"]
    assert folder["instructions"] == "Use metric units."

    menu_choice(page, first, "Move to folder “Travel”")
    expect(row(page, first)).to_have_attribute("data-folder-id", folder["id"])
    row(page, second).drag_to(heading)
    expect(row(page, second)).to_have_attribute("data-folder-id", folder["id"])
    listed = sections(page)
    assert listed[0] == "▾ Travel⚙" and set(listed[1:3]) == {first, second}
    screenshot(page, "organise-folder-1366")

    heading.locator(".folder-toggle").click()
    expect(row(page, first)).to_be_hidden()
    heading.locator(".folder-toggle").click()
    expect(row(page, first)).to_be_visible()

    heading.locator(".folder-settings-button").click()
    expect(page.locator("#folder-instructions")).to_have_value("Use metric units.")
    page.fill("#folder-name", "Trips")
    page.click("#folder-save")
    expect(page.locator(".folder-section", has_text="Trips")).to_be_visible()
    page.locator(".folder-section .folder-settings-button").click()
    page.click("#folder-delete")
    expect(page.locator(".folder-section")).to_have_count(0)
    expect(row(page, first)).to_have_attribute("data-folder-id", "")
    assert api.get(f"/conversation/{first}").json()["folder_id"] is None


def import_chats(api: Api, count: int) -> list[str]:
    """`count` one-question chats, oldest first ("Chat 00" on 2026-01-01), their ids oldest first."""
    export = {"format": "routerchat", "version": 1, "conversations": [
        {"title": f"Chat {n:02d}", "created_at": f"2026-01-01T00:{n:02d}:00Z", "messages": [
            {"role": "user", "content": f"Question {n}", "created_at": f"2026-01-01T00:{n:02d}:00Z"}]}
        for n in range(count)]}
    response = api.post("/import", files={"file": ("chats.json", json.dumps(export), "application/json")})
    assert response.status_code == 200, response.text
    listed = api.get(f"/conversations?limit={count}").json()["conversations"]
    return [c["id"] for c in sorted(listed, key=lambda c: c["title"])]


def test_a_folder_shows_its_chats_older_than_the_first_page(open_page, server, screenshot):
    api = Api(server.url)
    chats = import_chats(api, 60)
    folder = api.post("/folders", json={"name": "Old ones"}).json()
    in_folder = chats[:55]   # the five newest stay outside; the first page (50) ends at "Chat 10"
    for conversation_id in in_folder:
        assert api.patch(f"/conversation/{conversation_id}", json={"folder_id": folder["id"]}).ok
    page = open_page(server.url, **DESKTOP)
    expect(row(page, chats[5])).to_have_attribute("data-folder-id", folder["id"])   # not among the newest 50
    members = page.locator(f'#conversation-list [data-conversation-id][data-folder-id="{folder["id"]}"]')
    expect(members).to_have_count(50)
    more = page.locator(".folder-more button")
    expect(more).to_have_text("More in “Old ones”")
    more.scroll_into_view_if_needed()
    screenshot(page, "organise-folder-more-1366")
    more.click()
    expect(members).to_have_count(55)
    expect(row(page, chats[0])).to_be_visible()
    expect(more).to_have_count(0)
    titles = members.locator(".conversation-title").all_inner_texts()
    assert titles == [f"Chat {n:02d}" for n in range(54, -1, -1)], "a folder lists its chats newest first"


@pytest.mark.parametrize("viewport,name", [(DESKTOP, "1366"), (PHONE, "390")])
def test_branch_in_new_chat_opens_the_copy(open_page, server, screenshot, viewport, name):
    api = Api(server.url)
    original = api.chat("First question").conversation_id
    api.chat("Second question", conversation_id=original)
    page = open_page(server.url, f"/?c={original}", **viewport)
    expect(page.locator('.message[data-role="assistant"]')).to_have_count(2)
    screenshot(page, f"organise-branch-button-{name}")
    page.locator('.message[data-role="assistant"]').first.locator(".message-fork").click()
    expect(page.locator(".message")).to_have_count(2)
    page.wait_for_url(lambda url: original not in url)
    copy = page.url.split("c=")[1]
    assert api.get(f"/conversation/{copy}").json()["forked_from"] == original
    expect(row(page, copy)).to_have_class("conversation-item active")
    assert len(api.get(f"/conversation/{original}").json()["messages"]) == 4


def test_share_copy_revoke_and_the_list_of_links(open_page, server, screenshot):
    api = Api(server.url)
    conversation_id = api.chat("Share this **answer**").conversation_id
    page = open_page(server.url, **DESKTOP)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    menu_choice(page, conversation_id, "Share…")
    link = page.locator("#share-url")
    expect(link).to_have_value(re.compile(r"/s/[\w-]{43}$"))
    url = link.input_value()
    screenshot(page, "organise-share-1366")
    page.bring_to_front()
    page.click("#share-copy")
    expect(page.locator("#share-status")).to_have_text("Link copied.")
    assert page.evaluate("navigator.clipboard.readText()") == url
    page.click("#share-close")

    page.click("#usage-button")
    expect(page.locator("#shared-links .shared-link")).to_have_count(1)
    expect(page.locator("#shared-links a")).to_have_attribute("href", url.removeprefix(server.url))
    page.click("#usage-close")

    menu_choice(page, conversation_id, "Share…")
    expect(link).to_have_value(url)  # sharing again keeps the link
    page.click("#share-revoke")
    expect(page.locator("#share-status")).to_contain_text("revoked")
    assert api.get(url.removeprefix(server.url)).status_code == 404
    page.click("#share-close")
    page.click("#usage-button")
    expect(page.locator("#shared-links .shared-link")).to_have_count(0)
    expect(page.locator("#shared-links-empty")).to_be_visible()


@pytest.mark.parametrize("viewport,name", [(DESKTOP, "1366"), (PHONE, "390")])
def test_the_shared_page_for_an_anonymous_visitor(browser, server_with_alice, screenshot, viewport, name):
    alice = Api(server_with_alice.url)
    assert alice.post("/login", json={"username": "alice", "password": PASSWORD}).status_code == 200
    hostile = ("Here is **bold**, `code`, a [link](https://example.com) and "
               "<img src=x onerror=\"document.title='owned'\"><script>document.title='owned'</script>")
    conversation_id = alice.chat(hostile).conversation_id
    url = alice.post(f"/conversation/{conversation_id}/share").json()["url"]

    context = browser.new_context(**viewport)  # no session: an anonymous visitor
    requests_made: list[str] = []
    page = context.new_page()
    page.on("request", lambda request: requests_made.append(request.url))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(server_with_alice.url + url)
    assert response.status == 200 and response.headers["x-robots-tag"].startswith("noindex")
    answer = page.locator('.message[data-role="assistant"] .message-body')
    expect(answer.locator("strong")).to_have_text("bold")
    expect(answer.locator("a")).to_have_attribute("rel", "noopener noreferrer nofollow")
    expect(page.locator('.message[data-role="user"] .message-body')).to_contain_text("<script>")
    assert page.title() != "owned" and page.locator("img").count() == 0
    assert all(r.startswith(server_with_alice.url) for r in requests_made), requests_made
    assert conversation_id not in page.content() and "alice" not in page.content()
    screenshot(page, f"organise-shared-page-{name}", full_page=True)
    assert page.goto(server_with_alice.url + "/").url.startswith(server_with_alice.url + "/login")
    context.close()
    assert errors == []


def test_pin_and_archive_from_the_chat_header(open_page, server, screenshot):
    api = Api(server.url)
    conversation_id = api.chat("Header tools").conversation_id
    page = open_page(server.url, f"/?c={conversation_id}", **DESKTOP)
    pin = page.locator("#pin-chat-button")
    expect(pin).to_have_text("Pin")
    pin.click()
    expect(pin).to_have_attribute("aria-pressed", "true")
    expect(pin).to_have_text("Unpin")
    expect(row(page, conversation_id)).to_have_attribute("data-pinned", "true")
    page.click("#archive-chat-button")
    expect(page.locator("#archive-chat-button")).to_have_text("Restore")
    expect(row(page, conversation_id)).to_have_count(0)
    assert api.get(f"/conversation/{conversation_id}").json()["archived"] is True
    page.click("#archive-chat-button")
    expect(page.locator("#archive-chat-button")).to_have_text("Archive")
    expect(row(page, conversation_id)).to_have_count(1)  # restored: back in the list at once
    expect(row(page, conversation_id)).to_have_class(re.compile(r"\bactive\b"))  # and marked as the open chat
    assert api.get(f"/conversation/{conversation_id}").json()["archived"] is False
    screenshot(page, "organise-restored-from-header-1366")
    page.click("#new-chat-button")
    expect(page.locator("#chat-tools")).to_be_hidden()


def test_the_organised_sidebar_on_a_phone(open_page, server, screenshot):
    api = Api(server.url)
    pinned, filed, loose = (api.chat(text).conversation_id for text in ("Pinned one", "Filed one", "Loose one"))
    folder = api.post("/folders", json={"name": "Work projects"}).json()
    api.patch(f"/conversation/{pinned}", json={"pinned": True})
    api.patch(f"/conversation/{filed}", json={"folder_id": folder["id"]})
    page = open_page(server.url, **PHONE)
    page.click("#sidebar-toggle")
    expect(row(page, loose)).to_be_visible()
    assert sections(page)[:5] == ["Pinned", pinned, "▾ Work projects⚙", filed, "Today"]
    row(page, loose).locator(".organise-button").click()
    expect(page.locator(".organise-menu")).to_be_visible()
    screenshot(page, "organise-sidebar-390")
