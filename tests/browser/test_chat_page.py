"""What a person sees: sending, streaming, stopping, history, presets, sidebar, errors."""
import threading

import pytest
from playwright.sync_api import expect

from tests import fake_openrouter as fo
from tests.browser.conftest import ANSWER, send
from tests.support.client import Api
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("default_presets")]


@pytest.mark.every_database
def test_a_message_streams_in_token_by_token(page, fake):
    last_token = threading.Event()
    fake.stream_plans.append(fo.stream_tokens([f" part{i}" for i in range(30)], delay=0.08, hold=last_token))
    send(page, "Stream to me")
    expect(page.locator('.message[data-role="user"] .message-body')).to_have_text("Stream to me")
    answer = page.locator(ANSWER)
    expect(answer).to_have_attribute("data-status", "streaming")
    expect(answer.locator(".message-body")).to_contain_text("part3")
    partial = answer.locator(".message-body").inner_text()
    assert "part29" not in partial, "the answer appeared all at once, not streamed"
    expect(page.locator("#stop-button")).to_be_visible()
    last_token.set()
    expect(answer).to_have_attribute("data-status", "complete")
    expect(answer.locator(".message-body")).to_contain_text("part29")
    expect(page.locator("#stop-button")).to_be_hidden()
    expect(page.locator("#message-input")).to_have_value("")


def test_stop_aborts_the_stream_and_keeps_the_partial_answer(page, fake, api):
    fake.stream_plans.append(fo.stream_tokens([f" w{i}" for i in range(300)], delay=0.05))
    send(page, "Talk for a long time")
    answer = page.locator(ANSWER)
    expect(answer.locator(".message-body")).to_contain_text("w3")
    page.click("#stop-button")
    expect(answer).to_have_attribute("data-status", "stopped")
    expect(answer.locator(".message-note")).to_contain_text("Stopped")
    upstream = fake.chat_requests(stream=True)[-1]
    assert wait_for(lambda: upstream.disconnected, timeout=10)
    item = page.locator("#conversation-list [data-conversation-id]").first
    conversation_id = item.get_attribute("data-conversation-id")
    stored = wait_for(lambda: len(api.get(f"/conversation/{conversation_id}").json()["messages"]) == 2
                      and api.get(f"/conversation/{conversation_id}").json()["messages"][1])
    assert stored["status"] == "stopped" and "w300" not in stored["content"]
    send(page, "Still works?")
    expect(page.locator(ANSWER).nth(1)).to_have_attribute("data-status", "complete")


def test_reload_shows_the_stored_conversation(page):
    send(page, "Remember this")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    send(page, "And this")
    expect(page.locator(ANSWER).nth(1)).to_have_attribute("data-status", "complete")
    assert "?c=" in page.url
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    expect(page.locator(".message")).to_have_count(4)
    expect(page.locator('.message[data-role="user"]').nth(1)).to_contain_text("And this")
    expect(page.locator(ANSWER).nth(0)).to_contain_text("Echo: Remember this")


def test_enter_sends_and_shift_enter_adds_a_line(page):
    page.fill("#message-input", "line one")
    page.press("#message-input", "Shift+Enter")
    page.keyboard.type("line two")
    expect(page.locator(".message")).to_have_count(0)
    assert page.input_value("#message-input") == "line one\nline two"
    page.press("#message-input", "Enter")
    expect(page.locator('.message[data-role="user"] .message-body')).to_have_text("line one\nline two")


def test_presets_switch_the_model_in_one_click(page, fake):
    buttons = page.locator("[data-preset]")
    expect(buttons).to_have_count(6)
    expect(page.locator('[data-preset="1"]')).to_have_attribute("aria-pressed", "true")
    expect(page.locator('[data-preset="6"] .preset-model')).to_have_text(fo.FREE_MODEL)
    page.click('[data-preset="3"]')
    expect(page.locator('[data-preset="3"]')).to_have_attribute("aria-pressed", "true")
    expect(page.locator('[aria-pressed="true"]')).to_have_count(1)
    expect(page.locator("#active-model")).to_have_text("google/gemini-2.5-pro")
    send(page, "Which model?")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    assert fake.chat_requests(stream=True)[-1].body["model"] == "google/gemini-2.5-pro"
    expect(page.locator(f"{ANSWER} .message-model")).to_have_text("google/gemini-2.5-pro")
    page.click('[data-preset="6"]')
    send(page, "And now?")
    expect(page.locator(ANSWER).nth(1)).to_have_attribute("data-status", "complete")
    assert fake.chat_requests(stream=True)[-1].body["model"] == fo.FREE_MODEL
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    expect(page.locator('[data-preset="6"]')).to_have_attribute("aria-pressed", "true")


def test_changing_a_presets_model_in_the_settings_dialog(page, api, fake):
    page.click('[data-preset="2"]')
    page.click("#settings-button")
    dialog = page.locator("#preset-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator('input[name="preset-slot"][value="2"]')).to_be_checked()
    page.fill("#model-search", "mistral small")
    expect(page.locator("#model-list [data-model-id]")).to_have_count(1)
    page.click('#model-list [data-model-id="mistralai/mistral-small-3.2-24b-instruct"]')
    page.click("#preset-save")
    expect(dialog).to_be_hidden()
    expect(page.locator('[data-preset="2"] .preset-label')).to_have_text("Mistral Small 3.2 24B")
    expect(page.locator("#active-model")).to_have_text("mistralai/mistral-small-3.2-24b-instruct")
    assert api.get("/presets").json()["presets"][1]["model"] == "mistralai/mistral-small-3.2-24b-instruct"
    send(page, "hello mistral")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    assert fake.chat_requests(stream=True)[-1].body["model"] == "mistralai/mistral-small-3.2-24b-instruct"


def test_the_free_preset_lists_only_free_models(page):
    page.click("#settings-button")
    page.check('input[name="preset-slot"][value="6"]')
    items = page.locator("#model-list [data-model-id]")
    expect(items.first).to_be_visible()
    ids = items.evaluate_all("items => items.map(i => i.dataset.modelId)")
    assert fo.FREE_MODEL in ids and "openai/gpt-5" not in ids
    assert set(ids) == {m["id"] for m in fo.MODELS if m["id"].endswith(":free") or m["pricing"]["prompt"] == "0"}


def test_opening_a_conversation_from_the_sidebar(open_page, app_server):
    api = Api(app_server.url)
    first = api.chat("First conversation question").conversation_id
    api.chat("Second conversation question")
    page = open_page(app_server.url)
    item = page.locator(f'#conversation-list [data-conversation-id="{first}"]')
    expect(item).to_be_visible()
    item.locator(".conversation-link").click()
    expect(page.locator('.message[data-role="user"] .message-body')).to_have_text("First conversation question")
    expect(item).to_have_class("conversation-item active")
    assert page.url.endswith(f"?c={first}")
    page.click("#new-chat-button")
    expect(page.locator(".message")).to_have_count(0)
    expect(page.locator("#empty-state")).to_be_visible()


def test_model_output_is_rendered_as_sanitized_markdown(page, fake):
    hostile = ("**bold** and `code`\n\n<img src=x onerror=\"window.__pwned=1\">"
               "<script>window.__pwned=2</script><a href=\"javascript:window.__pwned=3\">link</a>\n\n"
               "```python\ndef f():\n    return 1\n```\n")
    fake.stream_plans.append(fo.stream_tokens([hostile[i:i + 7] for i in range(0, len(hostile), 7)]))
    send(page, "Render this")
    body = page.locator(f"{ANSWER} .message-body")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    expect(body.locator("strong")).to_have_text("bold")
    expect(body.locator("pre code.hljs")).to_contain_text("def f():")
    assert body.locator("img, script").count() == 0
    href = body.locator("a").first.get_attribute("href")
    assert href is None or not href.startswith("javascript:")
    if body.locator("a").count():
        body.locator("a").first.click()
    assert page.evaluate("window.__pwned") is None


def test_upstream_errors_show_inline_in_plain_words(page, fake):
    fake.stream_plans.append(fo.http_error(402, "Insufficient credits"))
    send(page, "Am I broke?")
    answer = page.locator(ANSWER)
    expect(answer).to_have_attribute("data-status", "error")
    expect(answer.locator(".message-note")).to_contain_text("out of credits")
    send(page, "Try again")
    expect(page.locator(ANSWER).nth(1)).to_have_attribute("data-status", "complete")


# Wraps fetch so that POST /chat's stream never reports its end: a server slow to close it.
HOLD_CHAT_STREAMS_OPEN = """() => {
  const realFetch = window.fetch;
  window.fetch = async (url, options) => {
    const response = await realFetch(url, options);
    if (url !== "/chat" || !response.ok) return response;
    const reader = response.body.getReader();
    const held = new ReadableStream({
      async pull(controller) {
        const { value, done } = await reader.read();
        if (done) return new Promise(() => {});
        controller.enqueue(value);
      },
    });
    return new Response(held, { status: response.status, headers: response.headers });
  };
}"""


def test_an_ended_answer_frees_the_composer_before_the_stream_closes(page, fake):
    """The last event (done or error) ends the answer: the next message can go at once."""
    page.evaluate(HOLD_CHAT_STREAMS_OPEN)
    send(page, "First")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    expect(page.locator("#stop-button")).to_be_hidden()
    fake.stream_plans.append(fo.http_error(402, "Insufficient credits"))
    send(page, "Second")
    expect(page.locator(ANSWER).nth(1)).to_have_attribute("data-status", "error")
    send(page, "Third")
    expect(page.locator(ANSWER).nth(2)).to_have_attribute("data-status", "complete")
    expect(page.locator("#message-input")).to_have_value("")


def test_refused_messages_are_explained_and_given_back(open_page, launch):
    server = launch(MESSAGE_MAX_CHARS="20")
    page = open_page(server.url)
    send(page, "This message is far longer than twenty characters")
    expect(page.locator(".notice")).to_contain_text("limit is 20")
    expect(page.locator(".message")).to_have_count(0)
    assert page.input_value("#message-input") == "This message is far longer than twenty characters"


def test_without_a_key_the_page_says_how_to_add_one(open_page, launch):
    page = open_page(launch(OPENROUTER_API_KEY="").url)
    banner = page.locator("#api-key-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("OPENROUTER_API_KEY")
    send(page, "hello?")
    expect(page.locator(".notice")).to_contain_text("No OpenRouter API key")
    assert page.input_value("#message-input") == "hello?"


def test_phone_width_layout(open_page, app_server):
    page = open_page(app_server.url, viewport={"width": 390, "height": 800}, is_mobile=True, has_touch=True)
    sidebar = page.locator("#sidebar")
    assert sidebar.bounding_box()["x"] + sidebar.bounding_box()["width"] <= 1, "sidebar should start hidden"
    for slot in range(1, 7):
        box = page.locator(f'[data-preset="{slot}"]').bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    send(page, "from my phone")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    page.click("#sidebar-toggle")
    page.wait_for_function("() => document.querySelector('#sidebar').getBoundingClientRect().x >= 0")
    page.locator("#conversation-list .conversation-link").first.click()
    page.wait_for_function("() => document.querySelector('#sidebar').getBoundingClientRect().right <= 1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_theme_toggle_switches_and_is_remembered(page):
    initial = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.click("#theme-toggle")
    toggled = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert toggled != initial
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == toggled
