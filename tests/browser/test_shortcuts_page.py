"""Keyboard habits from ChatGPT: shortcuts listed in a help dialog, Escape stops wherever the focus is."""
import pytest
from playwright.sync_api import expect

from tests import fake_openrouter as fo
from tests.browser.conftest import ANSWER, send

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("default_presets")]


def test_question_mark_opens_the_shortcut_list(page, screenshot):
    page.locator("#messages").click()
    page.keyboard.press("?")
    dialog = page.locator("#shortcuts-dialog")
    expect(dialog).to_be_visible()
    for words in ("New chat", "Search chats", "Stop the answer", "Choose preset 1 to 6", "Focus the message box"):
        expect(dialog.locator("dd", has_text=words)).to_have_count(1)
    screenshot(page, "shortcuts")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.fill("#message-input", "typing ? is text")
    expect(dialog).to_be_hidden()
    assert page.input_value("#message-input") == "typing ? is text"


def test_escape_stops_the_answer_wherever_the_focus_is_and_focus_returns(page, fake):
    fake.stream_plans.append(fo.stream_tokens([f" w{i}" for i in range(300)], delay=0.05))
    send(page, "Talk for a long time")
    expect(page.locator(f"{ANSWER} .message-body")).to_contain_text("w3")
    page.locator("#conversation-search").focus()
    page.keyboard.press("Escape")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "stopped")
    expect(page.locator("#message-input")).to_be_focused()


def test_shortcuts_for_new_chat_search_presets_and_input(page):
    send(page, "First message")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    page.locator("#messages").click()
    page.keyboard.press("Control+Shift+O")
    expect(page.locator(".message")).to_have_count(0)
    page.keyboard.press("Control+K")
    expect(page.locator("#conversation-search")).to_be_focused()
    page.keyboard.press("Alt+3")
    expect(page.locator('[data-preset="3"]')).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Shift+Escape")
    expect(page.locator("#message-input")).to_be_focused()
