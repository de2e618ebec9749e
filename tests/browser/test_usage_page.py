"""Usage, export and import as a person uses them in the page."""
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import fake_openrouter as fo
from tests.browser.conftest import ANSWER, send

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("default_presets")]
CHATGPT_EXPORT = Path(__file__).resolve().parent.parent / "data" / "chatgpt_conversations.json"


def test_usage_dialog_lists_costs_by_model_and_imports_a_chatgpt_export(page, fake, tmp_path):
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

    page.set_input_files("#import-file", str(CHATGPT_EXPORT))
    expect(dialog.locator("#import-status")).to_contain_text("Imported 2 chats")
    expect(dialog.locator("#import-status")).to_contain_text("Skipped: “New chat”")
    expect(dialog.locator("#import-progress")).to_be_hidden()
    page.screenshot(path=str(tmp_path / "usage.png"))
    page.click("#usage-close")
    expect(page.locator("#conversation-list .conversation-title", has_text="Eggless Banana Bread")).to_be_visible()


def test_a_bad_import_says_why(page, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"not": "an export"}')
    page.click("#usage-button")
    page.set_input_files("#import-file", str(bad))
    expect(page.locator("#import-status")).to_contain_text("Nothing was imported")


def test_the_conversation_menu_exports_markdown(page, tmp_path):
    send(page, "Export me please")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    item = page.locator("#conversation-list [data-conversation-id]").first
    item.hover()
    item.locator(".export-button").click()
    menu = item.locator(".export-menu")
    expect(menu).to_be_visible()
    page.screenshot(path=str(tmp_path / "export-menu.png"))
    with page.expect_download() as download:
        menu.get_by_text("Export as Markdown").click()
    path = download.value.path()
    assert download.value.suggested_filename.endswith(".md")
    text = Path(path).read_text()
    assert "Export me please" in text and "## You" in text
    expect(menu).to_have_count(0)
