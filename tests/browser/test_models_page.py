"""Models in the page: the model follows the chat, "use once", the chat settings panel, reasoning
(open while it streams, then "Thought for N s"), web search and its citations as links."""
import re
import threading

import pytest
from playwright.sync_api import expect

from tests import fake_openrouter as fo
from tests.browser.conftest import ANSWER, send
from tests.support.client import Api

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("default_presets")]
MISTRAL = "mistralai/mistral-small-3.2-24b-instruct"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


def test_opening_a_chat_selects_its_model_a_preset_or_a_one_off(open_page, app_server, fake):
    api = Api(app_server.url)
    on_preset_2 = api.chat("On GPT-5", preset=2).conversation_id
    one_off = api.chat("On Mistral", model=MISTRAL).conversation_id
    page = open_page(app_server.url)
    page.click('[data-preset="1"]')

    page.click(f'[data-conversation-id="{on_preset_2}"] .conversation-link')
    expect(page.locator('[data-preset="2"]')).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#active-model")).to_have_text("openai/gpt-5")

    page.click(f'[data-conversation-id="{one_off}"] .conversation-link')
    expect(page.locator('[aria-pressed="true"][data-preset]')).to_have_count(0)
    expect(page.locator("#active-model")).to_have_text(f"{MISTRAL} (once)")
    send(page, "Still Mistral?")
    expect(page.locator(ANSWER).last).to_have_attribute("data-status", "complete")
    assert fake.chat_requests(stream=True)[-1].body["model"] == MISTRAL

    page.reload()  # the chat in the URL brings its model back
    page.wait_for_selector("body[data-ready='true']")
    expect(page.locator("#active-model")).to_have_text(f"{MISTRAL} (once)")
    page.click("#new-chat-button")
    expect(page.locator('[data-preset="2"]')).to_have_attribute("aria-pressed", "true")


def test_use_once_asks_a_model_without_changing_a_preset(page, api, fake):
    before = api.get("/presets").json()
    page.click("#settings-button")
    page.fill("#model-search", "qwen3")
    page.click('#model-list [data-model-id="qwen/qwen3-4b"]')
    expect(page.locator("#preset-save")).to_have_text("Save to preset 1")
    page.click("#preset-use-once")
    expect(page.locator("#preset-dialog")).to_be_hidden()
    expect(page.locator("#active-model")).to_have_text("qwen/qwen3-4b (once)")
    send(page, "Just this once")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    assert fake.chat_requests(stream=True)[-1].body["model"] == "qwen/qwen3-4b"
    assert api.get("/presets").json() == before
    page.click('[data-preset="1"]')
    expect(page.locator("#active-model")).to_have_text("anthropic/claude-sonnet-4.5")


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_chat_settings_panel_sets_the_system_prompt_params_and_instructions(
        open_page, app_server, fake, clean_settings, screenshot, size):
    api = Api(app_server.url)
    page = open_page(app_server.url, **size)
    page.click('[data-preset="2"]')  # GPT-5 takes max_tokens and reasoning, not temperature or top_p
    send(page, "Settings please")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    page.click("#chat-settings-button")
    dialog = page.locator("#chat-settings-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator('[data-param="max_tokens"]')).to_be_visible()
    expect(dialog.locator('[data-param="reasoning_effort"]')).to_be_visible()
    expect(dialog.locator('[data-param="temperature"]')).to_be_hidden()
    expect(dialog.locator('[data-param="top_p"]')).to_be_hidden()
    page.fill("#system-prompt-input", "You are a pirate.")
    page.fill("#param-max_tokens", "321")
    page.select_option("#param-reasoning_effort", "low")
    page.fill("#instructions-input", "Answer briefly.")
    screenshot(page, f"chat-settings-{size['viewport']['width']}")
    page.click("#chat-settings-save")
    expect(dialog).to_be_hidden()

    conversation_id = page.evaluate("new URLSearchParams(location.search).get('c')")
    shown = api.get(f"/conversation/{conversation_id}").json()
    assert shown["system_prompt"] == "You are a pirate."
    assert shown["params"] == {"max_tokens": 321, "reasoning_effort": "low"}
    assert api.get("/settings").json()["instructions"] == "Answer briefly."
    send(page, "Again")
    expect(page.locator(ANSWER).last).to_have_attribute("data-status", "complete")
    sent = fake.chat_requests(stream=True)[-1].body
    assert sent["messages"][0] == {"role": "system", "content": "Answer briefly.\n\nYou are a pirate."}
    assert sent["max_tokens"] == 321 and sent["reasoning"] == {"effort": "low"}

    page.click("#chat-settings-button")  # the saved values come back; clearing one removes it
    expect(page.locator("#system-prompt-input")).to_have_value("You are a pirate.")
    expect(page.locator("#param-max_tokens")).to_have_value("321")
    page.fill("#param-max_tokens", "")
    page.click("#chat-settings-save")
    expect(dialog).to_be_hidden()
    assert api.get(f"/conversation/{conversation_id}").json()["params"] == {"reasoning_effort": "low"}


def test_a_model_that_takes_temperature_shows_it_and_bad_values_say_why(page, fake, clean_settings):
    page.click('[data-preset="6"]')
    send(page, "Free model")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    page.click("#chat-settings-button")
    dialog = page.locator("#chat-settings-dialog")
    expect(dialog.locator('[data-param="temperature"]')).to_be_visible()
    expect(dialog.locator('[data-param="reasoning_effort"]')).to_be_hidden()
    page.fill("#param-temperature", "7")
    page.click("#chat-settings-save")
    expect(page.locator("#chat-settings-error")).to_contain_text("temperature")
    expect(dialog).to_be_visible()


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_reasoning_is_open_while_it_streams_then_collapsed_with_its_duration(open_page, app_server, fake,
                                                                             screenshot, size):
    page = open_page(app_server.url, **size)
    thought = threading.Event()
    fake.stream_plans.append(fo.stream_reasoning(
        ["Let me think ", "about **bananas** ", "<img src=x onerror=alert(1)>", " carefully."],
        ["Bananas", " are", " berries."], delay=0.6, hold=thought))
    send(page, "Are bananas berries?")
    reasoning = page.locator(f"{ANSWER} details.reasoning")
    expect(reasoning).to_be_visible()
    expect(reasoning.locator("summary")).to_have_text("Thinking…")
    expect(reasoning).to_have_attribute("open", "")
    expect(reasoning.locator(".reasoning-body")).to_contain_text("bananas")
    screenshot(page, f"reasoning-live-{size['viewport']['width']}")
    thought.set()
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete", timeout=20_000)
    expect(reasoning.locator("summary")).to_have_text(re.compile(r"^Thought for \d+ s$"))
    expect(reasoning).not_to_have_attribute("open", "")
    expect(page.locator(f"{ANSWER} .message-body")).to_have_text("Bananas are berries.")
    assert reasoning.locator("img").count() == 0  # untrusted text: sanitized like answers
    screenshot(page, f"reasoning-done-{size['viewport']['width']}")

    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    stored = page.locator(f"{ANSWER} details.reasoning")
    expect(stored.locator("summary")).to_have_text(re.compile(r"^Thought for \d+ s$"))
    stored.locator("summary").click()
    expect(stored.locator(".reasoning-body")).to_contain_text("carefully")
    expect(stored.locator(".reasoning-body strong")).to_have_text("bananas")


def test_web_search_toggle_sends_the_plugin_and_citations_show_as_numbered_links(page, fake, screenshot):
    fake.stream_plans.append(fo.stream_reasoning([], ["Yes", ", they are."], annotations=[
        fo.url_citation("https://en.wikipedia.org/wiki/Banana", "Banana - Wikipedia"),
        fo.url_citation("javascript:alert(1)", "Evil"),
        fo.url_citation("https://example.org/berries", "<b>Berries</b>")]))
    toggle = page.locator("#web-search-toggle")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    send(page, "Are bananas berries? Search the web.")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    assert fake.chat_requests(stream=True)[-1].body["plugins"] == [{"id": "web"}]
    links = page.locator(f"{ANSWER} ol.citations a")
    expect(links).to_have_count(2)
    expect(links.nth(0)).to_have_text("Banana - Wikipedia")
    expect(links.nth(1)).to_have_text("<b>Berries</b>")  # a title is text, never HTML
    assert links.nth(0).get_attribute("rel") == "noopener noreferrer"
    assert links.nth(0).get_attribute("href") == "https://en.wikipedia.org/wiki/Banana"
    screenshot(page, "citations")
    toggle.click()  # off again: no plugin
    expect(toggle).to_have_attribute("aria-pressed", "false")
    send(page, "No search now")
    expect(page.locator(ANSWER).last).to_have_attribute("data-status", "complete")
    assert "plugins" not in fake.chat_requests(stream=True)[-1].body
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    expect(page.locator(f"{ANSWER} ol.citations a")).to_have_count(2)


def test_the_usage_panel_shows_the_credit_and_free_requests_left(page, screenshot):
    page.click("#usage-button")
    credits = page.locator("#usage-credits")
    expect(credits).to_have_text("Credit left: $7.25 of $10.00 · Free-model requests left today: 1,000")
    screenshot(page, "usage-credits")
    page.click("#usage-close")
    # an upstream without GET /key (the server caches credits for a minute: answer as it would)
    page.route("**/usage?days=30", lambda route: route.fulfill(json={
        "total_cost": 0, "by_model": [], "titles": {"requests": 0, "cost": None}, "credits": None}))
    page.click("#usage-button")
    expect(page.locator("#usage-total")).to_contain_text("Total: $0")
    expect(credits).to_be_hidden()


def test_a_local_model_is_offered_for_a_preset_and_for_once(open_page, launch, fake):
    local = fo.FakeOpenRouter(api_key="", models_plan=fo.local_models_ok).start()
    try:
        server = launch(LOCAL_BASE_URL=local.url)
        page = open_page(server.url)
        page.click("#settings-button")
        page.check('input[name="preset-slot"][value="6"]')
        page.fill("#model-search", "qwen")
        item = page.locator('#model-list [data-model-id="local/qwen2.5:0.5b"]')
        expect(item).to_contain_text("qwen2.5:0.5b (local)")
        item.click()
        page.click("#preset-use-once")
        expect(page.locator("#active-model")).to_have_text("local/qwen2.5:0.5b (once)")
        send(page, "Hello, local model")
        expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
        expect(page.locator(f"{ANSWER} .message-body")).to_have_text("Echo: Hello, local model")
        assert local.chat_requests(stream=True)[-1].body["model"] == "qwen2.5:0.5b"
        assert "Authorization" not in local.chat_requests(stream=True)[-1].headers
    finally:
        local.stop()


def test_a_reload_while_the_model_reasons_shows_the_reasoning_so_far_and_follows_it(page, fake):
    thought = threading.Event()
    fake.stream_plans.append(fo.stream_reasoning(["First thought. ", "Second thought. ", "Third thought."],
                                                 ["Answer", " at", " last."], delay=0.7, hold=thought))
    send(page, "Think slowly")
    reasoning = page.locator(f"{ANSWER} details.reasoning")
    expect(reasoning.locator(".reasoning-body")).to_contain_text("First thought.")
    page.reload()  # the answer goes on on the server; the page re-attaches
    page.wait_for_selector("body[data-ready='true']")
    reasoning = page.locator(f"{ANSWER} details.reasoning")
    expect(reasoning.locator(".reasoning-body")).to_contain_text("First thought.")
    thought.set()
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete", timeout=20_000)
    expect(reasoning.locator("summary")).to_have_text(re.compile(r"^Thought for \d+ s$"))
    reasoning.locator("summary").click()
    expect(reasoning.locator(".reasoning-body")).to_have_text("First thought. Second thought. Third thought.")
    expect(page.locator(f"{ANSWER} .message-body")).to_have_text("Answer at last.")
