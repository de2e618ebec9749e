"""Logging in and out in chromium, on a desktop window and on a phone-sized one."""

import pytest
from playwright.sync_api import expect

from routerchat import accounts
from routerchat.extensions import db
from tests.browser.conftest import send
from tests.support.servers import in_process_app

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def server_with_alice(own_database_url, fake, tmp_path, launch):
    app = in_process_app(own_database_url, fake.url, tmp_path / "instance")
    with app.app_context():
        accounts.add("alice", PASSWORD)
        db.engine.dispose()
    return launch(DATABASE_URL=own_database_url)


def log_in(page, password: str) -> None:
    page.fill("#login-username", "alice")
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


def test_a_session_that_ends_while_the_page_is_open_leads_back_to_login(open_page, server_with_alice):
    page = open_page(server_with_alice.url, "/login")
    log_in(page, PASSWORD)
    page.wait_for_url(f"{server_with_alice.url}/")
    page.wait_for_selector("body[data-ready='true']")
    page.context.clear_cookies()  # as when it expires, or after `user passwd alice`
    send(page, "Are you still there?")
    page.wait_for_url(f"{server_with_alice.url}/login")
