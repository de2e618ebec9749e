"""The Titles dialog: the account's title model and prompt, a bad prompt refused in words, and
"Try on this chat" showing the would-be title without saving it."""
import pytest
from playwright.sync_api import expect

from tests import fake_openrouter as fo
from tests.browser.conftest import ANSWER, send
from tests.support.client import Api
from tests.support.waiting import settle

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("default_presets")]


@pytest.fixture(autouse=True)
def _no_title_settings(app_server):
    yield
    Api(app_server.url).put("/settings", json={"title_model": None, "title_prompt": None})


def open_titles(page):
    page.locator("#title-settings-button").click()
    dialog = page.locator("#title-settings-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#title-settings-status")).to_have_text("")
    return dialog


def test_title_settings_are_saved_and_a_bad_prompt_is_refused_in_words(page, app_server):
    dialog = open_titles(page)
    dialog.locator("#title-model-input").fill("qwen/qwen3-4b:free")
    dialog.locator("#title-prompt-input").fill("Name it: {usr}")
    dialog.locator("#title-settings-save").click()
    status = dialog.locator("#title-settings-status")
    expect(status).to_contain_text("title_prompt uses unknown fields ['usr']")
    expect(status).to_have_class("title-settings-status error")
    assert Api(app_server.url).get("/settings").json()["title_model"] is None  # nothing stored

    dialog.locator("#title-prompt-input").fill("Name it in {language}: {user}")
    dialog.locator("#title-settings-save").click()
    expect(status).to_have_text("Saved: new titles use these settings.")
    saved = Api(app_server.url).get("/settings").json()
    assert (saved["title_model"], saved["title_prompt"]) == ("qwen/qwen3-4b:free", "Name it in {language}: {user}")

    page.reload()
    dialog = open_titles(page)
    expect(dialog.locator("#title-model-input")).to_have_value("qwen/qwen3-4b:free")
    expect(dialog.locator("#title-prompt-input")).to_have_value("Name it in {language}: {user}")


def test_try_on_this_chat_shows_the_would_be_title_without_saving_it(page, fake, app_server, screenshot):
    fake.completion_plans.append(fo.completion("Weekend Hiking Plans"))
    send(page, "Help me plan a hike this weekend")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    item = page.locator("#conversation-list [data-conversation-id]").first
    expect(item.locator(".conversation-title")).to_have_text("Weekend Hiking Plans")
    settle(fake)

    dialog = open_titles(page)
    dialog.locator("#title-model-input").fill("qwen/qwen3-4b:free")
    hostile = "<img src=x onload=alert(document.domain)> Hike Plan"  # words a language has: the checks keep it
    fake.completion_plans.append(fo.completion(f"Chat: {hostile}: A Weekend in the Hills of Somewhere Far Away"))
    dialog.locator("#title-try").click()
    expect(dialog.locator("#title-preview-title")).to_have_text(hostile)  # the label gone, one half kept
    expect(dialog.locator("#title-preview-why")).to_contain_text("qwen/qwen3-4b:free")
    assert dialog.locator("#title-preview img").count() == 0  # shown as text, never as markup
    assert fake.chat_requests(stream=False)[-1].body["model"] == "qwen/qwen3-4b:free"
    screenshot(page, "title-settings-wide")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "title-settings-phone")
    dialog.locator("#title-settings-close").click()
    expect(item.locator(".conversation-title")).to_have_text("Weekend Hiking Plans")  # nothing saved
    assert Api(app_server.url).get("/settings").json()["title_model"] is None


def test_try_is_off_without_an_open_chat(page):
    dialog = open_titles(page)
    expect(dialog.locator("#title-try")).to_be_disabled()
