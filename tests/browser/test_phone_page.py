"""The page at phone size (390x844), checked by layout assertions: readable presets, a rename box in its own space."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ANSWER, send

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("default_presets")]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def overlaps(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] and \
        a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]


def test_short_labels_tell_presets_apart(open_page, app_server):
    page = open_page(app_server.url)
    labels = page.evaluate("""async () => (await import('/assets/' + document.querySelector('script[type=module]')
        .src.split('/assets/')[1].split('/')[0] + '/js/presets.js')).shortLabels(
        ['Claude Sonnet 4.5', 'GPT-5', 'Gemini 2.5 Pro', 'Gemini 2.5 Flash', 'DeepSeek V3.1', 'Free',
         'Claude Opus 4.1', 'Free'])""")
    assert labels == ["Claude Sonnet", "GPT-5", "Gemini Pro", "Gemini Flash", "DeepSeek", "Free",
                      "Claude Opus", "Free"]


def test_phone_presets_are_readable_and_distinct(open_page, app_server, screenshot):
    page = open_page(app_server.url, **PHONE)
    screenshot(page, "phone")
    shorts = page.locator("[data-preset] .preset-short")
    expect(shorts.first).to_be_visible()
    texts = shorts.all_inner_texts()
    assert len(texts) == 6 and len(set(texts)) == 6, texts
    assert all(len(t) >= 3 for t in texts)
    truncated = shorts.evaluate_all("els => els.filter(e => e.scrollWidth > e.clientWidth).map(e => e.textContent)")
    assert truncated == []
    boxes = [page.locator(f'[data-preset="{slot}"]').bounding_box() for slot in range(1, 7)]
    assert all(b["x"] >= 0 and b["x"] + b["width"] <= 390 for b in boxes)
    assert not any(overlaps(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert page.locator("[data-preset] .preset-label").first.is_hidden()


@pytest.mark.parametrize("size", [PHONE, {"viewport": {"width": 1280, "height": 720}}], ids=["phone", "desktop"])
def test_the_rename_box_never_overlaps_the_row_buttons(open_page, app_server, size, screenshot):
    page = open_page(app_server.url, **size)
    send(page, "A rather long question about an autumn itinerary in Kyoto")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    if size is PHONE:
        page.click("#sidebar-toggle")
    item = page.locator("#conversation-list [data-conversation-id]").first
    item.hover()
    item.locator(".rename-button").click()
    box = page.locator(".rename-input").bounding_box()
    screenshot(page, "rename")
    for button in item.locator(".conversation-actions button").all():
        if button.is_visible():
            assert not overlaps(box, button.bounding_box())
    row = item.bounding_box()
    assert box["x"] >= row["x"] and box["x"] + box["width"] <= row["x"] + row["width"] + 0.5
    page.locator(".rename-input").press("Escape")
    expect(item.locator(".rename-button")).to_be_attached()
    expect(page.locator(".rename-input")).to_have_count(0)
