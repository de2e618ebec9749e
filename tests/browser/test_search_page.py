"""The sidebar search box as a person uses it: type, see matching chats with highlighted hits, Escape."""
import uuid

import pytest
from playwright.sync_api import expect

from tests.conftest import Api

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("default_presets")]


def test_search_box_filters_highlights_and_escape_clears(open_page, app_server, tmp_path):
    word = uuid.uuid4().hex[:8]
    api = Api(app_server.url)
    match = api.chat(f"Où trouver un bon café {word} à Lyon ?").conversation_id
    other = api.chat("Something unrelated").conversation_id
    page = open_page(app_server.url)
    items = page.locator("#conversation-list [data-conversation-id]")
    expect(page.locator(f'[data-conversation-id="{other}"]')).to_be_visible()

    page.fill("#conversation-search", f"CAFE {word}")
    expect(items).to_have_count(1)
    expect(items.first).to_have_attribute("data-conversation-id", match)
    marks = items.first.locator(".conversation-snippet mark")
    assert sorted(marks.all_inner_texts()) == sorted(["café", word])
    page.screenshot(path=str(tmp_path / "search.png"))

    page.fill("#conversation-search", "zz-nothing-matches-this")
    expect(items).to_have_count(0)
    expect(page.locator("#sidebar-empty")).to_contain_text("No chat contains")

    page.press("#conversation-search", "Escape")
    expect(page.locator("#conversation-search")).to_have_value("")
    expect(page.locator(f'[data-conversation-id="{other}"]')).to_be_visible()
    expect(page.locator("#conversation-list mark")).to_have_count(0)
    items.filter(has=page.locator(f'[data-conversation-id="{match}"]'))
    page.locator(f'[data-conversation-id="{match}"] .conversation-link').click()
    expect(page.locator('.message[data-role="user"]')).to_contain_text(word)
