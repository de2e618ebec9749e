"""Usage, export and import as a person uses them in the page."""
from pathlib import Path
from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

from tests import fake_openrouter as fo
from tests.browser.conftest import ANSWER, send

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("default_presets")]
CHATGPT_EXPORT = Path(__file__).resolve().parent.parent / "transfer" / "data" / "chatgpt_conversations.json"


def test_usage_dialog_lists_costs_by_model_and_imports_a_chatgpt_export(page, fake, screenshot):
    fake.stream_plans.append(fo.stream_tokens(["Costly"], usage={"prompt_tokens": 900, "completion_tokens": 100,
                                                                  "total_tokens": 1000, "cost": 0.0123}))
    send(page, "What will this cost?")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")

    page.click("#usage-button")
    dialog = page.locator("#usage-dialog")
    expect(dialog).to_be_visible()
    row = dialog.locator("#usage-table tbody tr", has_text="anthropic/claude-sonnet-4.5")
    expect(row).to_be_visible()
    expect(dialog.locator("#usage-total")).to_contain_text("Total: $")
    expect(dialog.locator(".usage-titles")).to_contain_text("Conversation titles")

    imported_title = "Eggless Banana Bread"
    copies_before = len(page.request.get(urljoin(page.url, "/conversations"),
                                         params={"q": imported_title}).json()["conversations"])
    page.set_input_files("#import-file", str(CHATGPT_EXPORT))
    expect(dialog.locator("#import-status")).to_contain_text("Imported 2 chats")
    expect(dialog.locator("#import-status")).to_contain_text("Skipped: “New chat”")
    expect(dialog.locator("#import-progress")).to_be_hidden()
    screenshot(page, "usage")
    page.click("#usage-close")
    # imported chats keep their 2024 dates: find them as a person would, whatever else the list holds
    page.fill("#conversation-search", imported_title)
    expect(page.locator("#conversation-list .conversation-title", has_text=imported_title)).to_have_count(
        copies_before + 1)


def test_a_bad_import_says_why(page, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"not": "an export"}')
    page.click("#usage-button")
    page.set_input_files("#import-file", str(bad))
    expect(page.locator("#import-status")).to_contain_text("Nothing was imported")


def test_the_conversation_menu_exports_markdown(page, screenshot):
    send(page, "Export me please")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    item = page.locator("#conversation-list [data-conversation-id]").first
    item.hover()
    item.locator(".export-button").click()
    menu = item.locator(".export-menu")
    expect(menu).to_be_visible()
    screenshot(page, "export-menu")
    with page.expect_download() as download:
        menu.get_by_text("Export as Markdown").click()
    path = download.value.path()
    assert download.value.suggested_filename.endswith(".md")
    text = Path(path).read_text()
    assert "Export me please" in text and "## You" in text
    expect(menu).to_have_count(0)


def test_each_answer_shows_its_cost_and_the_conversation_its_total(page, fake, screenshot):
    fake.stream_plans.extend([
        fo.stream_tokens(["First"], usage={"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12,
                                           "cost": 0.0042}),
        fo.stream_tokens(["Second"], usage={"prompt_tokens": 20, "completion_tokens": 3, "total_tokens": 23}),
    ])
    send(page, "How much?")
    answer = page.locator(ANSWER).first
    expect(answer).to_have_attribute("data-status", "complete")
    expect(answer.locator(".message-model + .message-cost")).to_have_text("$0.0042")
    expect(page.locator("#conversation-cost")).to_contain_text("$0.0042")
    send(page, "And now?")
    second = page.locator(ANSWER).nth(1)
    expect(second).to_have_attribute("data-status", "complete")
    expect(second.locator(".message-cost")).to_have_text("23 tokens")  # no cost from this upstream
    expect(answer.locator(".message-time")).to_have_text("just now")
    assert "2026" in answer.locator(".message-time").get_attribute("title") or \
        answer.locator(".message-time").get_attribute("datetime")
    screenshot(page, "cost")
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    expect(page.locator(ANSWER).first.locator(".message-cost")).to_have_text("$0.0042")
    expect(page.locator("#conversation-cost")).to_contain_text("$0.0042")


def test_right_to_left_text_runs_right_to_left_and_focus_returns_to_the_input(page, fake):
    fake.stream_plans.append(fo.stream_tokens(["مرحبا", " بك", " في", " المحادثة"]))
    send(page, "كيف حالك اليوم؟")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    directions = page.locator(".message .message-body").evaluate_all(
        "bodies => bodies.map(body => getComputedStyle(body).direction)")
    assert directions == ["rtl", "rtl"]
    page.fill("#message-input", "مرحبا")
    assert page.eval_on_selector("#message-input", "el => getComputedStyle(el).direction") == "rtl"
    page.fill("#message-input", "")
    page.click("#new-chat-button")
    page.locator("#conversation-search").focus()
    page.locator("#conversation-list .conversation-link").first.click()
    expect(page.locator(ANSWER)).to_have_count(1)
    expect(page.locator("#message-input")).to_be_focused()
