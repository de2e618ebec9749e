"""Titles as a person sees them in the sidebar and above the messages: generated, safe, renamed,
regenerated, kept, late, and arriving without moving what is below them."""

import threading

import pytest
from playwright.sync_api import expect

from tests import fake_openrouter as fo
from tests.browser.conftest import ANSWER, QUESTION, send
from tests.support.client import Api
from tests.support.waiting import settle, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("default_presets")]


def current_item(page):
    return page.locator("#conversation-list [data-conversation-id]").first


def test_new_chat_gets_its_generated_title_without_reload(page, fake):
    named = threading.Event()
    fake.completion_plans.append(fo.completion('"Weekend Hiking Plans."', hold=named))
    send(page, "Help me plan a hike this weekend")
    item = current_item(page)
    expect(item.locator(".conversation-title")).to_have_text("New Conversation")
    expect(item).to_have_class("conversation-item active naming")
    named.set()
    expect(item.locator(".conversation-title")).to_have_text("Weekend Hiking Plans")
    expect(item).not_to_have_class("conversation-item active naming")
    expect(page).to_have_title("Weekend Hiking Plans · routerchat")
    navigations = page.evaluate("performance.getEntriesByType('navigation').length")
    assert navigations == 1
    settle(fake)  # the page's own title requests and the answer's job have all reached the fake
    assert len(fake.chat_requests(stream=False)) == 1


def test_an_html_title_is_shown_as_text_and_runs_nothing(page, fake):
    hostile = '<img src=x onerror="window.__pwned=true"><b>Bold</b>'  # no number: the title checks refuse invented ones
    fake.completion_plans.append(fo.completion(hostile))
    send(page, "Say something bold")
    title = current_item(page).locator(".conversation-title")
    expect(title).to_have_text(hostile)
    assert title.locator("img, b").count() == 0
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    expect(current_item(page).locator(".conversation-title")).to_have_text(hostile)
    assert page.locator("#conversation-list img").count() == 0
    assert page.evaluate("window.__pwned") is None
    assert hostile in page.title()


def test_rename_inline_enter_saves_and_escape_cancels(page, fake, app_server):
    fake.completion_plans.append(fo.completion("Generated Name"))
    send(page, "Name me something generated")
    item = current_item(page)
    expect(item.locator(".conversation-title")).to_have_text("Generated Name")
    conversation_id = item.get_attribute("data-conversation-id")

    item.hover()
    item.locator(".rename-button").click()
    page.locator(".rename-input").fill("Throwaway")
    page.locator(".rename-input").press("Escape")
    expect(item.locator(".conversation-title")).to_have_text("Generated Name")

    item.locator(".rename-button").click()
    page.locator(".rename-input").fill("My Hiking Notes")
    page.locator(".rename-input").press("Enter")
    expect(item.locator(".conversation-title")).to_have_text("My Hiking Notes")
    stored = Api(app_server.url).get(f"/conversation/{conversation_id}").json()
    assert (stored["title"], stored["title_source"]) == ("My Hiking Notes", "user")
    expect(page).to_have_title("My Hiking Notes · routerchat")


def test_regenerate_title(page, fake):
    fake.completion_plans.extend([fo.completion("First Name"), fo.completion("Second Name")])
    send(page, "Regenerate my first name")
    item = current_item(page)
    expect(item.locator(".conversation-title")).to_have_text("First Name")
    item.hover()
    item.locator(".regenerate-button").click()
    expect(item.locator(".conversation-title")).to_have_text("Second Name")
    settle(fake)
    assert len(fake.chat_requests(stream=False)) == 2


def test_title_survives_a_reload(page, fake):
    fake.completion_plans.append(fo.completion("Kept Across Reloads"))
    send(page, "Keep my title across reloads")
    expect(current_item(page).locator(".conversation-title")).to_have_text("Kept Across Reloads")
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    expect(current_item(page).locator(".conversation-title")).to_have_text("Kept Across Reloads")
    expect(page).to_have_title("Kept Across Reloads · routerchat")


def test_failed_title_shows_the_fallback(page, fake):
    fake.completion_plans.append(fo.http_error(429, "Rate limit exceeded: free-models-per-min."))
    send(page, "Explain the offside rule in football")
    expect(current_item(page).locator(".conversation-title")).to_have_text("Offside rule in football")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")


def test_delete_from_the_sidebar(page, fake, app_server):
    send(page, "Delete me later")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    item = current_item(page)
    conversation_id = item.get_attribute("data-conversation-id")
    expect(item.locator(".conversation-title")).not_to_have_text("New Conversation")
    item.hover()
    item.locator(".delete-button").click()
    expect(page.locator(f'[data-conversation-id="{conversation_id}"]')).to_be_hidden()
    expect(page.locator(".message")).to_have_count(0)
    expect(page.locator(".toast")).to_be_hidden(timeout=10_000)   # the Undo toast ended: deleted
    expect(page.locator(f'[data-conversation-id="{conversation_id}"]')).to_have_count(0)
    assert Api(app_server.url).get(f"/conversation/{conversation_id}").status_code == 404


def test_the_naming_state_is_visible_beside_the_rows_buttons(open_page, launch, default_presets, fake, screenshot):
    # The title request is held while the state is checked and photographed: longer, on a loaded
    # runner, than the test servers' TITLE_TIMEOUT (2 s: the fallback title landed) and their
    # TITLE_WAIT_SECONDS (10 s: the page's wait for the title ended before it).
    page = open_page(launch(TITLE_TIMEOUT="60", TITLE_WAIT_SECONDS="60").url)  # the page's wait too
    named = threading.Event()
    fake.completion_plans.append(fo.completion("Naming Visible", hold=named))
    send(page, "Is the naming state visible?")
    item = current_item(page)
    status = item.locator(".naming-status")
    expect(status).to_be_visible()
    expect(status).to_have_text("naming…")
    expect(item.locator(".conversation-actions")).to_be_visible()  # the active row shows its buttons
    status_box, actions_box = status.bounding_box(), item.locator(".conversation-actions").bounding_box()
    assert status_box["width"] > 30 and status_box["y"] + status_box["height"] <= actions_box["y"]   # above them
    screenshot(page, "titles-naming")
    named.set()
    expect(item.locator(".conversation-title")).to_have_text("Naming Visible")
    expect(status).to_be_hidden()


def test_the_open_conversations_title_is_shown_above_the_messages(page, fake, screenshot):
    fake.completion_plans.extend([fo.completion("Lake Hiking Weekend"), fo.completion("Hiking with Kids")])
    heading = page.locator("#conversation-heading")
    expect(heading).to_be_hidden()
    send(page, "Weekend hiking plans around the lakes with kids")
    expect(heading).to_have_text("Lake Hiking Weekend")
    expect(heading).to_have_attribute("title", "Lake Hiking Weekend")
    current_item(page).hover()
    current_item(page).locator(".regenerate-button").click()
    expect(heading).to_have_text("Hiking with Kids")
    screenshot(page, "titles-heading")
    page.click("#new-chat-button")
    expect(heading).to_be_hidden()


def test_nothing_below_the_chats_row_moves_as_its_tools_cost_and_title_arrive(page, fake, screenshot):
    """A new chat's row (title, cost, Pin and Archive) takes its place when the first question is
    sent; the tools, the cost and the title come later and only fill it. Arriving as their own rows,
    they pushed the messages down under the reader's eyes and finger (a tap on Edit missed)."""
    streamed, named = threading.Event(), threading.Event()
    fake.stream_plans.append(fo.stream_tokens(["Knead", " it", " for", " ten", " minutes."], hold=streamed, usage={
        "prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15, "cost": 0.0042}))
    fake.completion_plans.append(fo.completion("Bread Kneading Time", hold=named))
    heading, question = page.locator("#conversation-heading"), page.locator(QUESTION).first
    expect(page.locator("#chat-header")).to_be_hidden()
    send(page, "How long should I knead bread dough?")
    expect(heading).to_have_text("New Conversation")
    expect(heading).to_have_class("conversation-heading pending")
    top = question.bounding_box()["y"]
    expect(page.locator("#chat-tools")).to_be_visible()
    screenshot(page, "chat-row-pending")
    streamed.set()
    expect(page.locator("#conversation-cost")).to_have_text("Cost: $0.0042")
    named.set()
    expect(heading).to_have_text("Bread Kneading Time")
    expect(heading).to_have_class("conversation-heading")
    assert question.bounding_box()["y"] == top
    page.evaluate("for (const id of ['chat-tools', 'conversation-cost']) document.getElementById(id).hidden = true")
    assert question.bounding_box()["y"] == top, "the row is only as tall as its tools: it grows when they arrive"
    page.evaluate("for (const id of ['chat-tools', 'conversation-cost']) document.getElementById(id).hidden = false")
    screenshot(page, "chat-row")
    page.set_viewport_size({"width": 390, "height": 844})
    sidebar = page.locator(".sidebar")
    wait_for(lambda: (box := sidebar.bounding_box()) is None or box["x"] + box["width"] <= 0,
             message="the sidebar did not slide away (a drawer at this width)")
    row = page.locator("#chat-header").bounding_box()
    assert row["height"] < 44, "title, cost and tools share one line on a phone too"
    for part in ("#conversation-heading", "#conversation-cost", "#archive-chat-button"):
        box = page.locator(part).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, part
    assert page.locator("#conversation-cost").inner_text() == "$0.0042"  # no "Cost:" label: the title keeps room
    screenshot(page, "chat-row-phone")


def test_a_refused_first_question_leaves_no_row(page):
    page.route("**/chat", lambda route: route.fulfill(status=429, json={"error": "Too many answers at once."}))
    send(page, "Anything at all")
    expect(page.locator(".notice")).to_contain_text("Too many answers at once.")
    expect(page.locator("#chat-header")).to_be_hidden()
    expect(page.locator("#message-input")).to_have_value("Anything at all")


def test_a_long_title_is_cut_in_the_heading_with_the_full_text_on_hover(page, fake, app_server, screenshot):
    send(page, "Kubernetes ingress certificates")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    conversation_id = current_item(page).get_attribute("data-conversation-id")
    title = "Kubernetes Ingress TLS Certificates: Renewal, Troubleshooting and Everything Else We Learned in 2025"
    assert Api(app_server.url).patch(f"/conversation/{conversation_id}", json={"title": title}).status_code == 200
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    heading = page.locator("#conversation-heading")
    expect(heading).to_have_text(title)
    expect(heading).to_have_attribute("title", title)
    assert heading.evaluate("el => el.scrollWidth > el.clientWidth"), "a long title is cut with an ellipsis"
    screenshot(page, "titles-heading-long")


def test_a_title_that_arrives_after_a_later_answer_appears_without_reload(page, fake):
    fake.completion_plans.extend([fo.http_error(503, "busy"), fo.completion("Sourdough Starter Care", delay=1.0)])
    send(page, "How do I keep a sourdough starter alive?")
    item = current_item(page)
    expect(item.locator(".conversation-title")).to_have_text("Keep a sourdough starter alive")
    expect(page.locator(ANSWER)).to_have_count(1)
    send(page, "And how often should I feed it?")
    expect(page.locator(ANSWER)).to_have_count(2)
    expect(item.locator(".conversation-title")).to_have_text("Sourdough Starter Care")
    expect(page.locator("#conversation-heading")).to_have_text("Sourdough Starter Care")
    expect(page).to_have_title("Sourdough Starter Care · routerchat")
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
    settle(fake)
    assert len(fake.chat_requests(stream=False)) == 2
