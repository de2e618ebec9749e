"""Answers as a person reads them while they stream and afterwards: blocks rendered once, the cursor
at the end of the text, wide tables that scroll, images that load nothing until clicked, quotes and
code blocks that say what they are (issue 19)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import fake_openrouter as fo
from tests.browser.conftest import ANSWER, send

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("default_presets")]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
BODY = f"{ANSWER} .message-body"

TABLE = "\n".join(
    ["| Provider | Model | Context | Input price | Output price | Latency | Throughput | Region |",
     "|---|---|---|---|---|---|---|---|"]
    + [f"| Anthropic | claude-sonnet-4.5 | 200,000 | 3.00 | 15.00 | {300 + i} ms | {80 + i} tok/s | us-east |"
       for i in range(4)])
LONG_URL = "https://example.com/" + "averyveryverylongpathsegment" * 8


def chunks(text: str, size: int = 7) -> list[str]:
    return [text[i:i + size] for i in range(0, len(text), size)]


def test_finished_blocks_are_rendered_once_and_the_cursor_sits_inline(page, fake):
    first = "# First heading\n\nA paragraph that is finished.\n\n"
    rest = "```python\nprint('hi')\n```\n\nThe last\nwords"
    fake.stream_plans.append(fo.stream_then_wait(chunks(first + rest), seconds=3))
    send(page, "stream")
    body = page.locator(BODY)
    expect(body).to_contain_text("The last\nwords")   # everything but " end", which comes in 3 s
    expect(body.locator(".stream-cursor")).to_have_count(1)
    page.evaluate("document.querySelector('.message[data-role=assistant] h1').__marker = 'kept'")
    # The cursor is inside the last paragraph, after its text: not on a line of its own.
    expect(body.locator("p:last-of-type .stream-cursor")).to_have_count(1)
    assert page.evaluate("""() => {
      const cursor = document.querySelector('.stream-cursor');
      return cursor.parentElement.tagName === 'P' && cursor.previousSibling?.nodeValue?.endsWith('words');
    }""")
    assert body.locator("pre code.hljs").count() == 1   # highlighted once its block was finished
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete", timeout=10_000)
    assert page.evaluate("document.querySelector('.message[data-role=assistant] h1').__marker") == "kept"
    expect(body.locator(".stream-cursor")).to_have_count(0)
    expect(body.locator("pre .code-language")).to_have_text("python")


def test_an_opened_chat_renders_every_block_in_order(page, fake):
    text = "\n\n".join(f"Paragraph {i} with $x_{i}$ and `code {i}`." for i in range(60)) + "\n\n```js\nlet a = 1;\n```"
    fake.stream_plans.append(fo.stream_tokens([text]))
    send(page, "long")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    body = page.locator(BODY)
    expect(body).not_to_have_attribute("data-rendering", "true")
    paragraphs = body.locator("p").all_inner_texts()
    assert [p.split(" with")[0] for p in paragraphs] == [f"Paragraph {i}" for i in range(60)]
    expect(body.locator(".math[data-rendered]")).to_have_count(60)
    expect(body.locator("pre code.hljs")).to_have_count(1)


@pytest.mark.parametrize("viewport", [390, 800, 1366])
def test_a_wide_table_scrolls_sideways_with_whole_words(open_page, app_server, fake, viewport, screenshot):
    options = PHONE if viewport == 390 else {"viewport": {"width": viewport, "height": 800}}
    page = open_page(app_server.url, **options)
    fake.stream_plans.append(fo.stream_tokens(chunks(f"{TABLE}\n\nSee {LONG_URL} for more.\n\nwordwithoutspaces" * 1)))
    send(page, "table")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    scroller = page.locator(f"{BODY} .table-scroll")
    expect(scroller).to_have_count(1)
    boxes = page.evaluate("""() => {
      const scroller = document.querySelector('.table-scroll');
      const body = scroller.closest('.message-body');
      const lines = (node) => {
        const range = document.createRange();
        range.selectNodeContents(node);
        return range.getClientRects().length;
      };
      // One word each (a hyphen is a place to break, as in prose).
      const words = [...scroller.querySelectorAll('td, th')].filter((cell) => !/[ -]/.test(cell.textContent));
      return {
        scrolls: scroller.scrollWidth > scroller.clientWidth,
        brokenWords: words.filter((cell) => lines(cell) > 1).map((cell) => cell.textContent),
        bodyOverflows: body.scrollWidth > body.clientWidth + 1,
        pageOverflows: document.documentElement.scrollWidth > window.innerWidth,
      };
    }""")
    assert boxes["brokenWords"] == []
    assert not boxes["bodyOverflows"], "the long URL must wrap inside the message"
    assert not boxes["pageOverflows"]
    if viewport < 1366:
        assert boxes["scrolls"], "a table wider than the message scrolls sideways"
    screenshot(page, f"table-{viewport}")


def test_an_image_is_a_placeholder_that_loads_nothing_until_clicked(page, fake, screenshot):
    image = fake.url + "/pictures/cat.png"
    fake.stream_plans.append(fo.stream_tokens(chunks(f"Here is a cat:\n\n![A sleepy cat]({image})\n\nNice.")))
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    send(page, "image")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    placeholder = page.locator(f"{BODY} .image-placeholder")
    expect(placeholder.locator(".image-kind")).to_have_text("Image")
    expect(placeholder.locator(".image-alt")).to_have_text("A sleepy cat")
    expect(placeholder.locator(".image-address")).to_have_text(image)
    assert page.locator(f"{BODY} img").count() == 0
    page.wait_for_timeout(300)
    assert image not in requested
    assert not [r for r in fake.requests if r.path == "/pictures/cat.png"]
    screenshot(page, "image-placeholder")
    with page.context.expect_page() as opened:
        placeholder.locator(".image-address").click()
    opened.value.wait_for_load_state()
    assert [r for r in fake.requests if r.path == "/pictures/cat.png"], "the click opens the image"


def test_quotes_are_styled_and_code_blocks_name_their_language(page, fake):
    text = "> Quoted words\n\n```javascript\nlet x = 1;\n```\n\n```\nplain\n```"
    fake.stream_plans.append(fo.stream_tokens(chunks(text)))
    send(page, "quote")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    quote = page.locator(f"{BODY} blockquote")
    assert quote.evaluate("el => getComputedStyle(el).borderLeftStyle") == "solid"
    tools = page.locator(f"{BODY} pre .code-tools")
    expect(tools.nth(0).locator(".code-language")).to_have_text("javascript")
    expect(tools.nth(0).locator(".copy-code")).to_have_text("Copy")
    expect(tools.nth(1).locator(".code-language")).to_have_count(0)
    tools_box = tools.nth(0).bounding_box()
    code_box = page.locator(f"{BODY} pre code").nth(0).bounding_box()
    assert tools_box["y"] + tools_box["height"] <= code_box["y"] + 0.5, "the tools never cover the code"


def test_reference_links_defined_in_another_block_are_links(page, fake):
    """[text][ref] in one block and its definition in another: a link while the answer streams (once
    the definition's line is complete), when it settles, and when the chat is opened again."""
    later = ("See [the docs][docs] and [Guide][] for details.\n\nA paragraph between.\n\n"
             '[docs]: https://example.com/docs "The docs"\n[guide]: https://example.com/guide\n\nStill streaming')
    fake.stream_plans.append(fo.stream_then_wait(chunks(later), seconds=4))
    send(page, "references defined later")
    answer = page.locator(ANSWER).first
    first = answer.locator(".message-body p").first
    expect(answer.locator(".message-body")).to_contain_text("Still streaming")
    expect(first.locator('a[href="https://example.com/docs"]')).to_have_text("the docs")
    expect(first.locator('a[href="https://example.com/guide"]')).to_have_text("Guide")
    expect(answer).to_have_attribute("data-status", "streaming")   # it was a link before the end
    expect(answer).to_have_attribute("data-status", "complete")

    ending = "Read [the guide][g] first.\n\n[early]: https://example.com/early\n\nThen [early].\n\n[g]: https://example.com/g"
    fake.stream_plans.append(fo.stream_tokens(chunks(ending)))
    send(page, "references at the very end")
    expect(page.locator(ANSWER).nth(1)).to_have_attribute("data-status", "complete")

    def check() -> None:
        bodies = page.locator(BODY)
        expect(bodies.nth(0).locator("a")).to_have_count(2)
        expect(bodies.nth(0).locator("a").first).to_have_attribute("title", "The docs")
        expect(bodies.nth(1).locator('a[href="https://example.com/g"]')).to_have_text("the guide")
        expect(bodies.nth(1).locator('a[href="https://example.com/early"]')).to_have_text("early")
        for text in bodies.all_inner_texts():
            assert "][" not in text and "]:" not in text, text
    check()
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    expect(page.locator(BODY).nth(1)).not_to_have_attribute("data-rendering", "true")
    check()
