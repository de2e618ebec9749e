"""The sidebar search box as a person uses it: type, see matching chats with highlighted hits, Escape."""
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.support.client import Api

pytestmark = [pytest.mark.browser, pytest.mark.every_database, pytest.mark.usefixtures("default_presets")]


def test_search_box_filters_highlights_and_escape_clears(open_page, app_server, screenshot):
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
    screenshot(page, "search")

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


def test_chats_are_grouped_by_last_activity(open_page, app_server, db_engine, screenshot):
    word = uuid.uuid4().hex[:8]
    api = Api(app_server.url)
    ages = {0: "Today", 1: "Yesterday", 4: "Previous 7 days", 20: "Previous 30 days", 400: "Older"}
    ids = {}
    for days in ages:
        ids[days] = api.chat(f"group {word} {days}").conversation_id
        api.settled_title(ids[days])
    with db_engine.begin() as conn:
        for days, conversation_id in ids.items():
            moment = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=days)
            conn.execute(sa.text("UPDATE conversation SET updated_at = :t WHERE id = :id"),
                         {"t": moment, "id": conversation_id})
    page = open_page(app_server.url)
    page.fill("#conversation-search", word)
    expect(page.locator("#conversation-list .conversation-snippet mark")).to_have_count(5)  # the results, not the list
    expect(page.locator("#conversation-list [data-conversation-id]")).to_have_count(5)
    screenshot(page, "groups")
    headings = page.locator("#conversation-list .conversation-group").all_inner_texts()
    assert headings == list(ages.values())
    for days, label in ages.items():
        heading = page.locator(f'[data-conversation-id="{ids[days]}"]').evaluate(
            "li => { let e = li.previousElementSibling; while (!e.classList.contains('conversation-group')) "
            "e = e.previousElementSibling; return e.textContent; }")
        assert heading == label
