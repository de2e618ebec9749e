"""What a person sees of answers that outlive the page, and of message versions."""
import re
import threading

import pytest
from playwright.sync_api import expect

from tests import fake_openrouter as fo
from tests.browser.conftest import ANSWER, send
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("default_presets")]

SLOW = [f" part{i}" for i in range(40)]


def current_id(page) -> str:
    return page.url.split("?c=")[1]


def test_switching_away_mid_answer_and_back_shows_the_finished_answer(page, fake, api, screenshot):
    older = api.chat("An older chat").conversation_id
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    last_token = threading.Event()
    fake.stream_plans.append(fo.stream_tokens(SLOW, delay=0.05, hold=last_token))
    send(page, "Answer slowly")
    expect(page.locator(f"{ANSWER} .message-body")).to_contain_text("part2")
    answering = current_id(page)
    item = page.locator(f'#conversation-list [data-conversation-id="{answering}"]')
    expect(item).to_have_class("conversation-item active answering")

    page.locator(f'#conversation-list [data-conversation-id="{older}"] .conversation-link').click()
    expect(page.locator('.message[data-role="user"] .message-body')).to_have_text("An older chat")
    expect(item).to_have_class("conversation-item answering")
    expect(page.locator("#stop-button")).to_be_hidden()
    screenshot(page, "answering")
    last_token.set()
    expect(item).to_have_class("conversation-item", timeout=15_000)  # the answer ended in the background
    expect(item.locator(".conversation-title")).to_have_text("Answer slowly")  # named (fallback), no reload

    item.locator(".conversation-link").click()
    answer = page.locator(ANSWER)
    expect(answer).to_have_attribute("data-status", "complete")
    expect(answer.locator(".message-body")).to_contain_text("part39")
    stored = api.get(f"/conversation/{answering}").json()["messages"][1]
    assert stored["status"] == "complete" and stored["content"] == "".join(SLOW)
    assert not fake.chat_requests(stream=True)[-1].disconnected


@pytest.mark.every_database
def test_reload_mid_answer_re_attaches_and_the_answer_continues(page, fake, api):
    last_token = threading.Event()
    fake.stream_plans.append(fo.stream_tokens(SLOW, delay=0.08, hold=last_token))
    send(page, "Keep going")
    expect(page.locator(f"{ANSWER} .message-body")).to_contain_text("part2")
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    answer = page.locator(ANSWER)
    expect(answer).to_have_attribute("data-status", "streaming")
    expect(page.locator("#stop-button")).to_be_visible()
    last_token.set()
    expect(answer).to_have_attribute("data-status", "complete", timeout=15_000)
    expect(answer.locator(".message-body")).to_have_text("".join(SLOW).strip())
    assert not fake.chat_requests(stream=True)[-1].disconnected


def test_escape_stops_the_answer_on_the_server(page, fake, api):
    fake.stream_plans.append(fo.stream_tokens(SLOW * 5, delay=0.05))
    send(page, "Talk a lot")
    answer = page.locator(ANSWER)
    expect(answer.locator(".message-body")).to_contain_text("part3")
    page.press("#message-input", "Escape")
    expect(answer).to_have_attribute("data-status", "stopped")
    assert wait_for(lambda: fake.chat_requests(stream=True)[-1].disconnected, timeout=5)
    assert api.get(f"/conversation/{current_id(page)}").json()["messages"][1]["status"] == "stopped"


def test_regenerate_and_switch_between_versions(page, fake, screenshot):
    send(page, "Tell me a joke")
    answer = page.locator(ANSWER)
    expect(answer).to_have_attribute("data-status", "complete")
    expect(answer.locator(".version-switcher")).to_have_count(0)
    fake.stream_plans.append(fo.stream_tokens(["A", " better", " joke"]))
    answer.locator(".message-regenerate").click()
    expect(answer.locator(".version-label")).to_have_text("2/2")
    expect(answer.locator(".message-body")).to_have_text("A better joke")
    answer.locator(".version-prev").click()
    expect(answer.locator(".version-label")).to_have_text("1/2")
    expect(answer.locator(".message-body")).to_have_text("Echo: Tell me a joke")
    screenshot(page, "versions")
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    expect(page.locator(f"{ANSWER} .version-label")).to_have_text("1/2")
    page.locator(f"{ANSWER} .version-next").click()
    expect(page.locator(f"{ANSWER} .message-body")).to_have_text("A better joke")


def test_edit_resends_with_enter_and_escape_cancels(page, fake):
    send(page, "My name is Ada")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    question = page.locator('.message[data-role="user"]')
    question.locator(".message-edit").click()
    editor = question.locator(".message-editor")
    editor.fill("Never mind")
    editor.press("Escape")
    expect(question.locator(".message-body")).to_have_text("My name is Ada")
    question.locator(".message-edit").click()
    question.locator(".message-editor").fill("My name is Grace")
    question.locator(".message-editor").press("Enter")
    expect(page.locator(f"{ANSWER} .message-body")).to_have_text("Echo: My name is Grace")
    expect(question.locator(".version-label")).to_have_text("2/2")
    assert fake.chat_requests(stream=True)[-1].body["messages"] == [{"role": "user", "content": "My name is Grace"}]
    question.locator(".version-prev").click()
    expect(page.locator(f"{ANSWER} .message-body")).to_have_text("Echo: My name is Ada")


def test_retry_after_a_failed_answer(page, fake):
    fake.stream_plans.append(fo.http_error(502, "Provider returned error"))
    send(page, "Try this")
    answer = page.locator(ANSWER)
    expect(answer).to_have_attribute("data-status", "error")
    expect(answer.locator(".message-regenerate")).to_be_hidden()
    answer.locator(".message-retry").click()
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    expect(page.locator(f"{ANSWER} .version-label")).to_have_text("2/2")


def test_copy_puts_the_whole_message_on_the_clipboard(open_page, app_server, fake):
    page = open_page(app_server.url, permissions=["clipboard-read", "clipboard-write"])
    fake.stream_plans.append(fo.stream_tokens(["**Bold**", " and\n\n", "`code`"]))
    send(page, "Copy me")
    answer = page.locator(ANSWER)
    expect(answer).to_have_attribute("data-status", "complete")
    page.bring_to_front()  # the clipboard answers a focused page only (other tests' pages may be open)
    answer.locator(".message-copy").click()
    expect(answer.locator(".message-copy")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == "**Bold** and\n\n`code`"


def test_after_a_reload_the_sidebar_shows_answers_running_elsewhere_until_they_end(page, fake, api):
    last_token = threading.Event()
    fake.stream_plans.append(fo.stream_tokens([f" w{i}" for i in range(40)], delay=0.05, hold=last_token))
    send(page, "Talk in the background")
    expect(page.locator(f"{ANSWER} .message-body")).to_contain_text("w2")
    item = page.locator("#conversation-list [data-conversation-id]").first
    page.goto(page.url.split("?")[0])  # a fresh page on a new chat: nothing of the old page's state
    page.wait_for_selector("body[data-ready='true']")
    expect(item).to_have_class(re.compile(r"\banswering\b"))
    last_token.set()
    expect(item).not_to_have_class(re.compile(r"\banswering\b"), timeout=20_000)
    expect(page.locator(".message")).to_have_count(0)
