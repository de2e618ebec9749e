"""Files in the page: the paperclip, drag and drop, paste, chips with thumbnails and remove, sent
messages showing their files, and the inline message when a model cannot read images."""
import base64

import pytest
from playwright.sync_api import expect

from tests.attachments import files
from tests.browser.conftest import ANSWER, send

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("default_presets")]

TRAY_CHIP = "#attachment-tray .attachment-chip"
SENT = '.message[data-role="user"] .message-attachments'


def pick_with_paperclip(page, *chosen: dict) -> None:
    with page.expect_file_chooser() as chooser:
        page.click("#attach-button")
    chooser.value.set_files(list(chosen))


def png_file(name: str = "chart.png") -> dict:
    return {"name": name, "mimeType": "image/png", "buffer": files.png((30, 20))}


# A DataTransfer holding one file, made in the page (as a drop or a paste delivers it).
DATA_TRANSFER = """([name, type, b64]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type }));
  return transfer;
}"""


def transfer(page, name: str, mime: str, data: bytes):
    return page.evaluate_handle(DATA_TRANSFER, [name, mime, base64.b64encode(data).decode()])


def test_the_paperclip_adds_chips_with_thumbnails_that_can_be_removed(page, fake, screenshot):
    pick_with_paperclip(page, png_file(), {"name": "notes.md", "mimeType": "text/markdown", "buffer": b"# hi\n"})
    chips = page.locator(TRAY_CHIP)
    expect(chips).to_have_count(2)
    expect(chips.nth(0)).not_to_have_class("attachment-chip is-uploading")
    expect(chips.nth(0).locator("img.attachment-thumb")).to_be_visible()
    page.wait_for_function("() => document.querySelector('#attachment-tray img').naturalWidth === 30")
    expect(chips.nth(0)).to_contain_text("chart.png")
    expect(chips.nth(1)).to_contain_text("notes.md")
    expect(chips.nth(1)).to_contain_text("5 B")
    screenshot(page, "attachments-tray-1366")
    chips.nth(1).locator(".attachment-remove").click()
    expect(chips).to_have_count(1)
    send(page, "What is in the chart?")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    expect(chips).to_have_count(0)
    sent = page.locator(SENT + " a.attachment-chip")
    expect(sent).to_have_count(1)
    href = sent.get_attribute("href")
    assert href.startswith("/attachment/") and sent.get_attribute("target") == "_blank"
    page.wait_for_function(f"() => document.querySelector('{SENT} img').naturalWidth === 30")
    content = fake.chat_requests(stream=True)[-1].body["messages"][-1]["content"]
    assert [part["type"] for part in content] == ["text", "image_url"]
    screenshot(page, "attachments-sent-1366")
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    expect(page.locator(SENT + " a.attachment-chip")).to_have_attribute("href", href)  # shown again from the server
    with page.context.expect_page() as opened:
        page.locator(SENT + " a.attachment-chip").click()
    opened.value.wait_for_load_state()
    assert opened.value.url.endswith(href)


def test_a_dropped_file_becomes_a_chip(page):
    page.dispatch_event("#composer", "drop", {"dataTransfer": transfer(page, "paper.pdf", "application/pdf",
                                                                       files.pdf())})
    chip = page.locator(TRAY_CHIP)
    expect(chip).to_have_count(1)
    expect(chip).to_contain_text("paper.pdf")
    expect(chip.locator(".attachment-icon")).to_have_text("PDF")
    page.wait_for_selector(f"{TRAY_CHIP}[data-attachment-id]")


def test_a_pasted_image_becomes_a_chip(page):
    page.focus("#message-input")
    page.evaluate("""(transfer) => document.querySelector('#message-input').dispatchEvent(
        new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }))""",
                  transfer(page, "image.png", "image/png", files.png((30, 20))))
    expect(page.locator(TRAY_CHIP + " img.attachment-thumb")).to_be_visible()
    expect(page.locator("#message-input")).to_have_value("")


def test_a_refused_file_is_said_inline_and_leaves_no_chip(page):
    pick_with_paperclip(page, {"name": "logo.svg", "mimeType": "image/svg+xml", "buffer": files.SVG})
    expect(page.locator(".notice")).to_contain_text("logo.svg: HTML and SVG files cannot be attached")
    expect(page.locator(TRAY_CHIP)).to_have_count(0)


def test_an_image_for_a_text_only_model_is_refused_inline_naming_presets_that_can(page, fake, screenshot):
    page.click('[data-preset="5"]')  # DeepSeek V3.1 reads text only
    pick_with_paperclip(page, png_file())
    page.wait_for_selector(f"{TRAY_CHIP}[data-attachment-id]")
    send(page, "Describe it")
    notice = page.locator(".notice")
    expect(notice).to_contain_text("DeepSeek V3.1 (deepseek/deepseek-chat-v3.1) cannot read images")
    expect(notice).to_contain_text("1 (Claude Sonnet 4.5)")
    expect(page.locator(TRAY_CHIP)).to_have_count(1)  # the file and the text come back to try again
    expect(page.locator("#message-input")).to_have_value("Describe it")
    assert fake.chat_requests(stream=True) == []
    screenshot(page, "attachments-refused-1366")


def test_chips_fit_a_phone(open_page, app_server, screenshot):
    page = open_page(app_server.url, viewport={"width": 390, "height": 844})
    pick_with_paperclip(page, png_file("a-very-long-file-name-that-will-not-fit-on-a-phone.png"))
    page.wait_for_selector(f"{TRAY_CHIP}[data-attachment-id]")
    send(page, "Look")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    pick_with_paperclip(page, png_file())
    page.wait_for_selector(f"{TRAY_CHIP}[data-attachment-id]")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width}px)"
    screenshot(page, "attachments-390")
