"""Logging in and out in chromium, on a desktop window and on a phone-sized one."""

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.attachments import files
from tests.browser.conftest import send
from tests.support.accounts import PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def log_in(page, password: str, name: str = "alice") -> None:
    page.fill("#login-username", name)
    page.fill("#login-password", password)
    page.press("#login-password", "Enter")


def test_login_then_logout_in_a_desktop_window(open_page, server_with_alice, screenshot):
    page = open_page(server_with_alice.url, "/")
    assert page.url.startswith(f"{server_with_alice.url}/login")
    expect(page.locator("#login-username")).to_be_focused()
    log_in(page, "not the password")
    expect(page.locator("#login-error")).to_have_text("Wrong name or password.")
    screenshot(page, "login-desktop-error", full_page=True)
    log_in(page, PASSWORD)
    page.wait_for_url(f"{server_with_alice.url}/")
    page.wait_for_selector("body[data-ready='true']")
    expect(page.locator(".account-name")).to_have_text("alice")
    screenshot(page, "chat-desktop-logged-in", full_page=True)
    page.click("#logout-button")
    page.wait_for_url(f"{server_with_alice.url}/login")
    page.goto(server_with_alice.url + "/")
    assert page.url.startswith(f"{server_with_alice.url}/login")


def test_login_on_a_phone(open_page, server_with_alice, screenshot):
    page = open_page(server_with_alice.url, "/login", **PHONE)
    card = page.locator(".login-card").bounding_box()
    assert card["x"] >= 0 and card["x"] + card["width"] <= 390
    font_size = page.eval_on_selector("#login-password", "el => parseFloat(getComputedStyle(el).fontSize)")
    assert font_size >= 16  # smaller fields make phones zoom in
    screenshot(page, "login-phone", full_page=True)
    log_in(page, PASSWORD)
    page.wait_for_url(f"{server_with_alice.url}/")
    page.wait_for_selector("body[data-ready='true']")
    page.click("#sidebar-toggle")
    expect(page.locator("#logout-button")).to_be_visible()
    expect(page.locator("#sidebar")).to_be_in_viewport(ratio=1)  # slid in (no page-side eval: the CSP forbids it)
    screenshot(page, "chat-phone-sidebar", full_page=True)
    page.click("#logout-button")
    page.wait_for_url(f"{server_with_alice.url}/login")


def log_in_and_ask(page, server) -> str:
    """Log in, ask a first question and wait for its answer; the chat's address."""
    log_in(page, PASSWORD)
    page.wait_for_url(f"{server.url}/")
    page.wait_for_selector("body[data-ready='true']")
    send(page, "First question")
    expect(page.locator('.message[data-role="assistant"]')).to_have_attribute("data-status", "complete")
    return page.url


def attach_chart(page) -> str:
    """Upload a file with the paperclip; the id of its chip once uploaded."""
    with page.expect_file_chooser() as chooser:
        page.click("#attach-button")
    chooser.value.set_files([{"name": "chart.png", "mimeType": "image/png", "buffer": files.png((30, 20))}])
    chip = page.locator("#attachment-tray .attachment-chip")
    expect(chip).to_have_attribute("data-attachment-id", re.compile("."))
    return chip.get_attribute("data-attachment-id")


def end_the_session_while_sending(page, server, text: str) -> None:
    page.context.clear_cookies()  # as when it expires, or after `user passwd alice`
    send(page, text)
    page.wait_for_url(f"{server.url}/login?next=*")


@pytest.mark.parametrize("size", [PHONE, {"viewport": {"width": 1366, "height": 800}}], ids=["phone", "desktop"])
def test_a_session_that_ends_while_the_page_is_open_comes_back_to_the_chat_and_its_draft(open_page, server_with_alice,
                                                                                        size):
    page = open_page(server_with_alice.url, "/login", **size)
    chat_url = log_in_and_ask(page, server_with_alice)
    assert "?c=" in chat_url
    end_the_session_while_sending(page, server_with_alice, "Are you still there?")
    log_in(page, PASSWORD)
    page.wait_for_url(chat_url)
    page.wait_for_selector("body[data-ready='true']")
    expect(page.locator('.message[data-role="user"] .message-body')).to_have_text(["First question"])
    expect(page.locator("#message-input")).to_have_value("Are you still there?")


@pytest.mark.parametrize("size", [PHONE, {"viewport": {"width": 1366, "height": 800}}], ids=["phone", "desktop"])
def test_a_session_that_ends_keeps_the_files_of_the_draft(open_page, server_with_alice, size):
    page = open_page(server_with_alice.url, "/login", **size)
    chat_url = log_in_and_ask(page, server_with_alice)
    attachment_id = attach_chart(page)
    end_the_session_while_sending(page, server_with_alice, "What does the chart show?")
    log_in(page, PASSWORD)
    page.wait_for_url(chat_url)
    page.wait_for_selector("body[data-ready='true']")
    expect(page.locator("#message-input")).to_have_value("What does the chart show?")
    chip = page.locator("#attachment-tray .attachment-chip")
    expect(chip).to_have_count(1)
    expect(chip).to_have_attribute("data-attachment-id", attachment_id)
    expect(chip).to_contain_text("chart.png")
    expect(chip.locator("img.attachment-thumb")).to_be_visible()
    send(page, "What does the chart show?")
    sent = page.locator('.message[data-role="user"] .message-attachments a.attachment-chip')
    expect(sent).to_have_count(1)
    assert sent.get_attribute("data-attachment-id") == attachment_id
    expect(page.locator("#attachment-tray .attachment-chip")).to_have_count(0)


KEPT_FILES = "Object.keys(localStorage).filter((key) => key.startsWith('routerchat.draftFiles'))" \
    ".map((key) => localStorage.getItem(key)).join()"


def test_another_account_logging_in_gets_none_of_the_draft(open_page, server_with_accounts):
    """A shared browser: Bob logging in after Alice's session ended sees neither her text nor her
    files; they are back when Alice logs in again."""
    server = server_with_accounts("alice", "bob")
    page = open_page(server.url, "/login")
    log_in(page, PASSWORD)
    page.wait_for_url(f"{server.url}/")
    page.wait_for_selector("body[data-ready='true']")
    attach_chart(page)
    end_the_session_while_sending(page, server, "Alice's question")
    assert "chart.png" in page.evaluate(KEPT_FILES)   # kept for a login
    log_in(page, PASSWORD, name="bob")
    page.wait_for_url(f"{server.url}/")
    page.wait_for_selector("body[data-ready='true']")
    expect(page.locator(".account-name")).to_have_text("bob")
    expect(page.locator("#message-input")).to_have_value("")
    expect(page.locator("#attachment-tray")).to_be_hidden()
    expect(page.locator("#attachment-tray .attachment-chip")).to_have_count(0)
    expect(page.locator(".notice")).to_have_count(0)
    page.click("#logout-button")
    page.wait_for_url(f"{server.url}/login")
    log_in(page, PASSWORD)
    page.wait_for_url(f"{server.url}/")
    page.wait_for_selector("body[data-ready='true']")
    expect(page.locator("#message-input")).to_have_value("Alice's question")
    expect(page.locator("#attachment-tray .attachment-chip")).to_contain_text("chart.png")


@pytest.mark.parametrize("width", [1366, 390])
def test_a_planted_second_session_cookie_is_refused_and_explained(open_page, server_with_accounts, screenshot,
                                                                  width):
    """Cookie tossing: a page on another port of this host sets the attacker's session cookie for
    /chat. What the person then types must not land in the attacker's account: the page goes to
    the login page, which says why; after logging in again, her chat is hers."""
    server = server_with_accounts("alice", "mallory")
    mallory = requests.Session()
    assert mallory.post(server.url + "/login", json={"username": "mallory", "password": PASSWORD}).status_code == 200
    page = open_page(server.url, "/login", viewport={"width": width, "height": 844})
    log_in(page, PASSWORD)
    page.wait_for_url(f"{server.url}/")
    page.wait_for_selector("body[data-ready='true']")
    page.context.add_cookies([{"name": "routerchat_session", "value": mallory.cookies["routerchat_session"],
                               "domain": "127.0.0.1", "path": "/chat"}])
    send(page, "my secret plan")
    page.wait_for_url(f"{server.url}/login?notice=cookies&next=%2F")
    expect(page.locator("#login-error")).to_contain_text("more than one routerchat session cookie")
    screenshot(page, f"login-two-cookies-{width}", full_page=True)
    assert mallory.get(server.url + "/conversations").json()["conversations"] == []
    log_in(page, PASSWORD)
    page.wait_for_url(f"{server.url}/")
    page.wait_for_selector("body[data-ready='true']")
    send(page, "my secret plan")
    expect(page.locator('.message[data-role="assistant"]')).to_have_count(1)
    assert mallory.get(server.url + "/conversations").json()["conversations"] == []


@pytest.mark.parametrize("width", [390, 800, 1366])
def test_the_longest_account_name_shows_whole_beside_log_out(open_page, server_with_accounts, width, screenshot):
    from routerchat.constants import ACCOUNT_NAME_MAX_CHARS

    name = ("margaret.hamilton-" * 4)[:ACCOUNT_NAME_MAX_CHARS]
    server = server_with_accounts(name)
    page = open_page(server.url, "/login", viewport={"width": width, "height": 800})
    log_in(page, PASSWORD, name)
    page.wait_for_url(f"{server.url}/")
    page.wait_for_selector("body[data-ready='true']")
    if width == 390 and not page.evaluate("document.body.classList.contains('sidebar-open')"):
        page.click("#sidebar-toggle")
    page.wait_for_function("() => document.querySelector('#sidebar').getBoundingClientRect().x === 0")  # slid in
    shown = page.locator(".account-name")
    expect(shown).to_have_text(name)
    screenshot(page, f"long-account-name-{width}")
    sizes = shown.evaluate("el => [el.scrollHeight, el.clientHeight, el.scrollWidth, el.clientWidth]")
    assert sizes[0] <= sizes[1] + 1 and sizes[2] <= sizes[3] + 1, sizes
    name_box, logout_box = shown.bounding_box(), page.locator("#logout-button").bounding_box()
    assert name_box["x"] + name_box["width"] <= logout_box["x"]   # beside Log out, not under it
