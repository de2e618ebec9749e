"""Habits people bring from other chat apps, on a phone and a desktop (issue 19): Enter on a touch
keyboard adds a line, edits have Save & send and Cancel, a "↓" button brings back the end, every
answer names its model whatever became of it, the composer stays put when Stop appears, drafts
are kept per chat, a delete waits for its Undo toast, and the sidebar's row buttons leave the titles
readable."""
from __future__ import annotations

import re
import time

import pytest
import requests
from playwright.sync_api import expect

from tests import fake_openrouter as fo
from tests.browser.conftest import ANSWER, send
from tests.support.client import Api

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("default_presets")]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 800}}
QUESTION = '.message[data-role="user"]'
QUESTION_TEXT = f"{QUESTION} .message-body"


def test_enter_on_a_touch_keyboard_adds_a_line_and_send_sends(open_page, app_server, fake):
    page = open_page(app_server.url, **PHONE)
    expect(page.locator("#empty-hint")).to_have_text(
        "Pick a model above, type below, tap Send. Enter starts a new line.")
    page.fill("#message-input", "first line")
    page.press("#message-input", "Enter")
    page.keyboard.type("second line")
    assert page.input_value("#message-input") == "first line\nsecond line"
    expect(page.locator(QUESTION)).to_have_count(0)
    page.tap("#send-button")
    expect(page.locator(QUESTION_TEXT)).to_have_text("first line\nsecond line")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")


def test_enter_with_a_keyboard_still_sends(open_page, app_server, fake):
    page = open_page(app_server.url, **DESKTOP)
    send(page, "hello")
    expect(page.locator(QUESTION_TEXT)).to_have_text("hello")


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_edit_has_save_and_send_and_cancel_buttons(open_page, app_server, fake, size, screenshot):
    page = open_page(app_server.url, **size)
    page.fill("#message-input", "My name is Ada")
    page.click("#send-button")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    # The title lands just after the answer and its heading pushes the messages down: a click
    # aimed at Edit while it appeared hit the button's old place (CI, under load).
    expect(page.locator("#conversation-heading")).to_be_visible()
    question = page.locator(QUESTION)
    question.locator(".message-edit").click()
    editor = question.locator(".message-editor")
    expect(question.locator(".edit-cancel")).to_have_text("Cancel")
    expect(question.locator(".edit-save")).to_have_text("Save & send")
    screenshot(page, f"edit-{'phone' if size is PHONE else 'desktop'}")
    editor.fill("My name is Grace")
    question.locator(".edit-cancel").click()
    expect(question.locator(".message-body")).to_have_text("My name is Ada")
    expect(question.locator(".edit-actions")).to_have_count(0)
    question.locator(".message-edit").click()
    editor.fill("My name is Grace")
    if size is PHONE:   # Enter adds a line on a touch keyboard: only the button sends
        editor.press("Enter")
        expect(editor).to_have_value("My name is Grace\n")
    question.locator(".edit-save").click()
    expect(page.locator(QUESTION_TEXT)).to_have_text("My name is Grace" + ("\n" if size is PHONE else ""))
    expect(page.locator(f"{QUESTION} .version-label")).to_have_text("2/2")


def test_the_scroll_to_end_button_appears_when_the_reader_scrolls_up(open_page, app_server, fake):
    page = open_page(app_server.url, **DESKTOP)
    long_text = "\n\n".join(f"Paragraph {i} of a long answer." for i in range(80))
    pieces = [long_text[i:i + 40] for i in range(0, len(long_text), 40)]
    fake.stream_plans.append(fo.stream_then_wait(pieces, seconds=2))
    send(page, "long")
    button = page.locator("#scroll-end-button")
    expect(page.locator(ANSWER)).to_contain_text("Paragraph 79")
    expect(button).to_be_hidden()   # following the end while it streams
    page.locator("#messages").evaluate("el => el.scrollTop = 0")
    expect(button).to_be_visible()
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete", timeout=10_000)
    assert page.locator("#messages").evaluate("el => el.scrollTop") == 0   # the end did not pull the reader down
    button.click()
    expect(button).to_be_hidden()
    page.wait_for_function(  # at the end once what came into sight is laid out (content-visibility)
        "() => { const el = document.querySelector('#messages'); "
        "return el.scrollHeight - el.scrollTop - el.clientHeight < 5; }", timeout=5_000)


@pytest.mark.parametrize("ending", ["error", "stopped"])
def test_every_answer_names_its_model_whatever_its_end(page, fake, ending):
    if ending == "error":
        fake.stream_plans.append(fo.stream_midstream_error(["Half an"]))
    else:
        fake.stream_plans.append(fo.stream_then_wait(["Half an"], seconds=10))
    send(page, "hello")
    answer = page.locator(ANSWER)
    expect(answer.locator(".message-model")).to_have_text("anthropic/claude-sonnet-4.5")
    if ending == "stopped":
        expect(answer).to_contain_text("Half an")
        page.click("#stop-button")
    expect(answer).to_have_attribute("data-status", ending)
    expect(answer.locator(".message-model")).to_have_text("anthropic/claude-sonnet-4.5")


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_composer_does_not_move_when_stop_appears(open_page, app_server, fake, size):
    page = open_page(app_server.url, **size)
    box = page.locator("#message-input").bounding_box()
    fake.stream_plans.append(fo.stream_then_wait(["Thinking"], seconds=10))
    page.fill("#message-input", "hello")
    page.click("#send-button")
    expect(page.locator("#stop-button")).to_be_visible()
    assert page.locator("#message-input").bounding_box() == box
    page.click("#stop-button")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "stopped")
    assert page.locator("#message-input").bounding_box() == box


def test_each_chat_keeps_its_draft_while_switching_and_across_reloads(page, fake):
    send(page, "Chat A")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    chat_a = page.url
    page.fill("#message-input", "half a thought for A")
    page.click("#new-chat-button")
    expect(page.locator("#message-input")).to_have_value("")
    page.fill("#message-input", "a thought for a new chat")
    page.locator("#conversation-list .conversation-link").first.click()
    expect(page.locator("#message-input")).to_have_value("half a thought for A")
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    assert page.url == chat_a
    expect(page.locator("#message-input")).to_have_value("half a thought for A")
    page.click("#new-chat-button")
    expect(page.locator("#message-input")).to_have_value("a thought for a new chat")
    page.click("#send-button")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    expect(page.locator("#message-input")).to_have_value("")   # sent: the draft is gone
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    expect(page.locator("#message-input")).to_have_value("")


def chat_exists(app_server, conversation_id: str) -> bool:
    return requests.get(f"{app_server.url}/conversation/{conversation_id}", timeout=5).status_code == 200


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_delete_waits_for_its_undo_toast(open_page, app_server, fake, size, screenshot):
    page = open_page(app_server.url, **size)
    send(page, "Keep me, maybe")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    conversation_id = page.url.split("?c=")[1]
    row = page.locator(f'[data-conversation-id="{conversation_id}"]')
    if size is PHONE:
        page.click("#sidebar-toggle")
    row.locator(".delete-button").click()
    expect(row).to_be_hidden()
    expect(page.locator(".message")).to_have_count(0)   # the open chat closed
    toast = page.locator(".toast")
    expect(toast).to_contain_text("Deleted")
    screenshot(page, f"undo-toast-{'phone' if size is PHONE else 'desktop'}")
    assert chat_exists(app_server, conversation_id)   # nothing sent yet
    toast.locator(".toast-undo").click()
    expect(toast).to_have_count(0)
    expect(page.locator('.message[data-role="user"] .message-body')).to_have_text("Keep me, maybe")   # open again
    page.wait_for_timeout(6000)
    assert chat_exists(app_server, conversation_id)   # undone: never deleted
    drawer_open = page.evaluate("document.body.classList.contains('sidebar-open')")
    if size is PHONE and not drawer_open:
        page.click("#sidebar-toggle")
    row.locator(".delete-button").click()
    expect(toast).to_be_visible()
    assert chat_exists(app_server, conversation_id)
    # The DELETE is sent as the toast ends and answered a moment later.
    with page.expect_response(lambda r: r.request.method == "DELETE" and conversation_id in r.url, timeout=10_000):
        expect(toast).to_have_count(0, timeout=10_000)
    assert not chat_exists(app_server, conversation_id)   # deleted when the toast ended
    expect(row).to_have_count(0)


def test_leaving_the_page_deletes_at_once(page, app_server, fake):
    send(page, "Delete me as I leave")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    conversation_id = page.url.split("?c=")[1]
    page.locator(f'[data-conversation-id="{conversation_id}"] .delete-button').click()
    expect(page.locator(".toast")).to_be_visible()
    page.goto("about:blank")
    deadline = time.monotonic() + 5
    while chat_exists(app_server, conversation_id) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not chat_exists(app_server, conversation_id)


def test_the_sidebar_folds_away_on_a_desktop_and_stays_folded(open_page, app_server, fake):
    page = open_page(app_server.url, **DESKTOP)
    sidebar, toggle = page.locator("#sidebar"), page.locator("#sidebar-toggle")
    expect(sidebar).to_be_visible()
    toggle.click()
    expect(sidebar).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    assert page.locator("main.main").bounding_box()["width"] == 1366   # the chat takes the room
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    expect(sidebar).to_be_hidden()   # remembered
    page.keyboard.press("Control+Shift+S")
    expect(sidebar).to_be_visible()
    page.keyboard.press("Control+Shift+S")
    expect(sidebar).to_be_hidden()


def test_a_shortcut_copies_the_last_answer(open_page, app_server, fake):
    page = open_page(app_server.url, **DESKTOP)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    fake.stream_plans.append(fo.stream_tokens(["The **last** ", "answer"]))
    send(page, "hello")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    page.locator("#message-input").focus()
    page.keyboard.press("Control+Shift+C")
    expect(page.locator(f"{ANSWER} .message-copy")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == "The **last** answer"


LAYOUT_CHECK = """() => {
  const visible = (el) => el.getClientRects().length && getComputedStyle(el).visibility !== "hidden";
  const cut = (el) => {   // the text is wider than its box (an ellipsis shows), to a fraction of a pixel
    const range = document.createRange();
    range.selectNodeContents(el);
    return range.getBoundingClientRect().width > el.getBoundingClientRect().width + 0.05;
  };
  const labels = [...document.querySelectorAll(".preset-label, .preset-short")].filter(visible);
  const outside = [...document.querySelectorAll("body *")].filter(visible).filter((el) => {
    if (el.closest(".sidebar") && !document.body.classList.contains("sidebar-open") && innerWidth <= 760) return false;
    if (el.closest(".table-scroll, pre, .preset-bar, .conversation-list, dialog:not([open])")) return false;
    const box = el.getBoundingClientRect();
    return box.width > 0 && (box.right > innerWidth + 1 || box.left < -1);
  }).map((el) => el.id || el.className || el.tagName);
  const composer = document.querySelector("#composer");
  const style = getComputedStyle(composer);
  const inner = composer.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const share = document.querySelector("#message-input").getBoundingClientRect().width / inner;
  return { cutLabels: labels.filter(cut).map((el) => el.textContent), count: labels.length, outside,
           pageWidth: document.documentElement.scrollWidth, inputShare: share };
}"""


@pytest.mark.parametrize("width", [360, 390, 430, 800, 1100, 1366])
def test_presets_readable_and_nothing_off_screen(open_page, app_server, fake, width, screenshot):
    options = {**PHONE, "viewport": {"width": width, "height": 844}} if width <= 430 else \
        {"viewport": {"width": width, "height": 800}}
    page = open_page(app_server.url, **options)
    send(page, "A question with a rather long text to see the layout")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    expect(page.locator(".preset-short").first).not_to_be_empty()
    result = page.evaluate(LAYOUT_CHECK)
    screenshot(page, f"layout-{width}")
    assert result["count"] == 6
    assert result["cutLabels"] == [], "preset labels must be readable, never 'G…'"
    assert result["outside"] == []
    assert result["pageWidth"] <= width
    assert result["inputShare"] >= 0.35, "the message box keeps a good part of the composer"


def inside_viewport(locator, width: int) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5


def test_no_chats_yet_sits_under_the_search_box(open_page, own_database_url, launch):
    server = launch(DATABASE_URL=own_database_url)   # a database of its own: no chats at all
    page = open_page(server.url, **DESKTOP)
    empty = page.locator("#sidebar-empty")
    expect(empty).to_be_visible()
    assert empty.bounding_box()["y"] < 200, "'No chats yet' sits under the search box"
    conversation_id = Api(server.url).chat("The only chat").conversation_id
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    page.locator(f'[data-conversation-id="{conversation_id}"]').hover()
    page.locator(f'[data-conversation-id="{conversation_id}"] .organise-button').click()
    page.locator(".organise-menu [role=menuitem]", has_text="Delete").click()
    expect(page.locator(".toast")).to_be_visible()
    expect(empty).to_be_visible()
    assert empty.bounding_box()["y"] < 200, "also while the last chat's delete can still be undone"


@pytest.mark.parametrize("width", [360, 390])
def test_phone_usage_and_picker_fit(open_page, app_server, fake, width, screenshot):
    page = open_page(app_server.url, **{**PHONE, "viewport": {"width": width, "height": 844}})
    fake.stream_plans.append(fo.stream_tokens(["Costly"], usage={"prompt_tokens": 900, "completion_tokens": 100,
                                                                  "total_tokens": 1000, "cost": 0.0123}))
    send(page, "What will this cost?")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    page.click("#sidebar-toggle")
    page.click("#usage-button")
    dialog = page.locator("#usage-dialog")
    expect(dialog.locator("#usage-table tbody tr").first).to_be_visible()
    for cell in dialog.locator("#usage-table th, #usage-table td").all():
        assert inside_viewport(cell, width), cell.text_content()
    lines = dialog.locator("#usage-table tbody td").first.evaluate("""(td) => [...td.childNodes]
      .filter((node) => node.nodeType === Node.TEXT_NODE).map((node) => {
        const range = document.createRange();
        range.selectNodeContents(node);
        return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
      })""")
    assert lines[0] == 1, "the provider ('anthropic/') stays on one line: the id breaks after its '/'"
    screenshot(page, f"usage-{width}")
    dialog.locator("#usage-close").click()
    page.click("#sidebar-backdrop", position={"x": width - 20, "y": 400})
    page.click("#settings-button")
    first = page.locator("#model-list li").first
    expect(first).to_be_visible()
    expect(first.locator(".model-info")).to_be_visible()   # prices are shown on a phone too
    assert inside_viewport(first.locator(".model-info"), width)
    screenshot(page, f"picker-{width}")
    for button in page.locator("#preset-dialog .dialog-actions button").all():
        assert inside_viewport(button, width), button.text_content()


LONG_TITLES = ["Autumn itinerary for Kyoto temples and gardens", "Comparing PostgreSQL index types for search"]
TITLE_ROOM = """(row) => {
  const box = (el) => el.getBoundingClientRect();
  const title = box(row.querySelector(".conversation-title"));
  const shown = [...row.querySelectorAll(".conversation-actions button")].filter((b) => b.getClientRects().length);
  const covered = shown.filter((b) => { const r = box(b);
    return r.left < title.right && title.left < r.right && r.top < title.bottom && title.top < r.bottom; });
  return { share: title.width / box(row).width, covered: covered.map((b) => b.className), shown: shown.length };
}"""


@pytest.mark.parametrize("width", [390, 800, 1366])
def test_the_row_buttons_leave_the_title_readable(open_page, own_database_url, launch, width, screenshot):
    """The open chat's buttons sit under its title; another row shows ⋯ alone (its menu does
    everything), while hovered or focused (the keyboard reaches it), always on a touch screen."""
    server = launch(DATABASE_URL=own_database_url)
    api = Api(server.url)
    ids = []
    for title in LONG_TITLES:
        conversation_id = api.chat("Plan it").conversation_id
        api.settled_title(conversation_id)
        api.patch(f"/conversation/{conversation_id}", json={"title": title})
        ids.append(conversation_id)
    phone = width == 390
    page = open_page(server.url, f"/?c={ids[1]}", **(PHONE if phone else {"viewport": {"width": width, "height": 800}}))
    if phone:
        page.click("#sidebar-toggle")
        expect(page.locator("#sidebar")).to_be_in_viewport(ratio=1)
    other, active = (page.locator(f'#conversation-list [data-conversation-id="{i}"]') for i in ids)
    expect(active).to_have_class(re.compile(r"\bactive\b"))
    expect(active.locator(".rename-button")).to_be_visible()   # the open chat's buttons are there at once
    screenshot(page, f"sidebar-rows-{width}")
    for row in (active, other):
        room = row.evaluate(TITLE_ROOM)
        assert room["covered"] == [] and room["share"] >= 0.8, room
    if phone:
        expect(other.locator(".organise-button")).to_be_visible()
        expect(other.locator(".delete-button")).to_be_hidden()
        return
    expect(other.locator(".organise-button")).to_be_hidden()
    other.locator(".conversation-link").focus()
    page.keyboard.press("Tab")   # the keyboard reaches the row's ⋯, which shows while focused
    expect(other.locator(".organise-button")).to_be_focused()
    room = other.evaluate(TITLE_ROOM)
    assert room["shown"] == 1 and room["share"] >= 0.8, room
    screenshot(page, f"sidebar-row-focus-{width}")
    page.keyboard.press("Enter")
    menu = other.locator(".organise-menu [role=menuitem]")
    expect(menu.first).to_be_focused()
    assert menu.all_inner_texts() == ["Rename", "Regenerate title", "Pin", "Archive", "Share…", "Export as Markdown",
                                      "Export as JSON", "Delete"]
    page.keyboard.press("Enter")
    expect(other.locator(".rename-input")).to_be_focused()
    page.keyboard.press("Escape")
    page.locator("#message-input").focus()
    expect(other.locator(".organise-button")).to_be_hidden()
    other.hover()
    expect(other.locator(".organise-button")).to_be_visible()
    expect(other.locator(".delete-button")).to_be_hidden()


COMPOSER_BOXES = """() => Object.fromEntries(
  ["attach-button", "message-input", "active-model", "web-search-toggle", "send-button", "composer"].map((id) => {
    const el = document.getElementById(id);
    const { left, right, top, bottom, width } = el.getBoundingClientRect();
    return [id, { left, right, top, bottom, width, cut: el.scrollWidth > el.clientWidth + 1 }];
  }))"""


@pytest.mark.parametrize("width", [360, 390, 430, 800])
def test_the_composer_fits_with_a_model_chosen_once(open_page, app_server, fake, width, screenshot):
    """Paperclip, message box, the model chosen once (no preset names it), web search and Send:
    all on screen, none cut or covering another, the message box the larger part of the row."""
    options = {**PHONE, "viewport": {"width": width, "height": 844}} if width <= 430 else \
        {"viewport": {"width": width, "height": 800}}
    page = open_page(app_server.url, **options)
    page.click("#settings-button")
    page.fill("#model-search", "qwen3")
    page.click('#model-list [data-model-id="qwen/qwen3-4b"]')
    page.click("#preset-use-once")
    expect(page.locator("#active-model")).to_have_text("qwen/qwen3-4b (once)")
    page.click("#web-search-toggle")
    expect(page.locator("#web-search-toggle")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#web-search-toggle")).to_have_accessible_name("Web search")
    page.fill("#message-input", "A question typed on a narrow phone")
    boxes = page.evaluate(COMPOSER_BOXES)
    composer = boxes.pop("composer")
    screenshot(page, f"composer-{width}")
    for name, box in boxes.items():
        assert box["width"] > 0 and box["left"] >= 0 and box["right"] <= width and not box["cut"], (name, box)
    names = list(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            one, two = boxes[a], boxes[b]
            assert not (one["left"] < two["right"] and two["left"] < one["right"]
                        and one["top"] < two["bottom"] and two["top"] < one["bottom"]), (a, b)
    assert boxes["message-input"]["width"] >= 0.45 * composer["width"], boxes["message-input"]


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_end_is_followed_while_it_settles_over_several_frames(open_page, app_server, fake, screenshot, size):
    """On a slow machine the messages that come into sight after a jump to the end are laid out over
    several frames (content-visibility); ↓ keeps the end in sight until it stays put."""
    page = open_page(app_server.url, **size)
    long_text = "\n\n".join(f"Paragraph {i} of a long answer." for i in range(80))
    fake.stream_plans.append(fo.stream_tokens([long_text]))
    send(page, "long")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    expect(page.locator("#conversation-heading")).to_be_visible()  # the title's heading, landing
    # within the frames measured, shortened the list by its height (33 px short of the end, CI)
    page.locator("#messages").evaluate("el => el.scrollTop = 0")
    button = page.locator("#scroll-end-button")
    expect(button).to_be_visible()
    short_of_the_end = page.evaluate("""() => new Promise(done => {
        // ↓, then the end moves once more three frames later (a late layout); measured ten frames on
        const list = document.querySelector('#messages');
        document.querySelector('#scroll-end-button').click();
        let frame = 0;
        const tick = () => {
            if (frame === 3) {
                const late = document.createElement('div');
                late.style.height = '600px';
                [...document.querySelectorAll('.message[data-role="assistant"]')].pop().append(late);
            }
            if (++frame < 13) requestAnimationFrame(tick);
            else done(list.scrollHeight - list.scrollTop - list.clientHeight);
        };
        requestAnimationFrame(tick);
    })""")
    assert short_of_the_end < 5
    expect(button).to_be_hidden()
    screenshot(page, f"end-followed-{size['viewport']['width']}")
