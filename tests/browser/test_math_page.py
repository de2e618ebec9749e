"""TeX in answers, as a person reads it: rendered by KaTeX after sanitizing, never markup from the model."""
import pytest
from playwright.sync_api import expect

from tests import fake_openrouter as fo
from tests.browser.conftest import ANSWER, send

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("default_presets")]

ANSWER_WITH_MATH = (
    "Energy: $E = mc^2$ and a sum $a_1 + a_2 = b_1$.\n\n"
    "$$\\int_0^1 x^2\\,dx = \\frac{1}{3}$$\n\n"
    "Also \\(\\alpha_i\\) and \\[\\sum_{k=1}^n k\\]\n\n"
    "Money is not math: it costs $5 and $10.\n\n"
    "`$not_math$` stays code, and so does\n\n```\n$$x$$\n```\n\n"
    "Hostile: $\\href{javascript:window.__pwned=1}{click}$ and $\\url{https://leak.example/x}$ "
    "and $\\htmlId{evil}{x}$"
)


def test_tex_is_rendered_and_money_and_code_are_left_alone(page, fake, screenshot):
    tokens = [ANSWER_WITH_MATH[i:i + 9] for i in range(0, len(ANSWER_WITH_MATH), 9)]
    fake.stream_plans.append(fo.stream_tokens(tokens))
    send(page, "Show me math")
    body = page.locator(f"{ANSWER} .message-body")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    expect(body.locator(".math[data-rendered]")).to_have_count(8)
    expect(body.locator(".math-display[data-rendered] .katex-display")).to_have_count(2)
    assert body.locator(".katex annotation").first.text_content() == "E = mc^2"
    assert "a_1 + a_2 = b_1" in body.locator(".katex annotation").nth(1).text_content()
    text = body.inner_text()
    assert "it costs $5 and $10." in text
    assert body.locator("code", has_text="$not_math$").count() == 1
    assert body.locator("pre code", has_text="$$x$$").count() == 1
    assert body.locator("a[href^='javascript'], a[href*='leak.example'], #evil").count() == 0
    if body.locator(".katex a").count():
        body.locator(".katex a").first.click()
    assert page.evaluate("window.__pwned") is None
    screenshot(page, "math")
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    expect(page.locator(f"{ANSWER} .math[data-rendered]")).to_have_count(8)
