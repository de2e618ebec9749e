"""The page while an answer streams: main-thread long tasks, rich Markdown against plain text.

Runs `main.py` against the fake OpenRouter on 127.0.0.1 and drives the page with Playwright and
Debian's chromium (desktop 1366×800). A PerformanceObserver records every long task (> 50 ms):

  * a ~20 KB answer rich in Markdown (headings, lists, two code blocks, a wide table, inline and
    block math), streamed at a realistic rate (16-character deltas, one every few ms), against
    plain text of the same size at the same rate: the main thread's blocked time (the sum of the
    long tasks' durations) and the worst long task, from sending to the answer's end;
  * opening a chat that holds five such answers: from the click in the sidebar to the frame
    whose message list is filled with rendered text (the last answer's end), until all five are
    rendered (older answers render a few blocks per frame after the one on screen), and the long
    tasks meanwhile.

Targets (issue 19): rich blocked time at most 2× plain, no long task over 100 ms, opening
under 300 ms.

    .venv/bin/python bench/page_stream.py [--rounds 3] [--delay 0.004]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Page, sync_playwright

from tests import fake_openrouter as fo
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.support.servers import start_app

TARGET_BYTES = 20_000
DELTA_CHARS = 16

OBSERVER = """
window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__longTasks.push({ start: entry.startTime, duration: entry.duration });
}).observe({ type: "longtask", buffered: true });
"""

CODE_PY = "\n".join(
    f"def step_{i}(values: list[int]) -> int:\n    total = sum(v * {i} for v in values if v % 3)\n"
    f"    return total + len(values)  # step {i}\n" for i in range(14))
CODE_JS = "\n".join(
    f"export function render{i}(node, items) {{\n  const list = items.map((item) => `<li>${{item.name}}</li>`);\n"
    f"  node.innerHTML = list.join(\"\"); return {i};\n}}" for i in range(12))
TABLE = "\n".join(
    ["| Provider | Model | Context | Input $/M | Output $/M | Latency | Throughput | Region | Notes |",
     "|---|---|---|---|---|---|---|---|---|"]
    + [f"| Anthropic{i} | claude-sonnet-4.5-{i} | 200,000 | 3.00 | 15.00 | {300 + i} ms | {80 + i} tok/s "
       f"| us-east-{i % 3} | long context, tool use, vision |" for i in range(24)])


def rich_answer() -> str:
    """~20 KB of Markdown that exercises every renderer: headings, lists, code, a table, math."""
    parts = ["# A long answer\n\nEnergy is $E = mc^2$ and a sum is $a_1 + a_2 = b_1$.\n",
             f"```python\n{CODE_PY}\n```\n", f"## The table\n\n{TABLE}\n", f"```javascript\n{CODE_JS}\n```\n"]
    section = 0
    while sum(len(part) + 1 for part in parts) < TARGET_BYTES:
        section += 1
        parts.append(
            f"## Section {section}\n\nSome **bold** and *italic* prose with `inline code` and a "
            f"[link](https://example.com/{section}), where $x_{section}^2 + y^2 = r^2$ holds.\n\n"
            f"- first point about item {section}\n- second point, with $\\alpha_{section}$\n"
            f"  1. nested one\n  2. nested two\n\n"
            f"$$\\int_0^{section} x^2\\,dx = \\frac{{{section}^3}}{{3}}$$\n\n> A quote in section {section}.\n")
    return "\n".join(parts)[:TARGET_BYTES]


def plain_answer() -> str:
    sentence = "Plain words in sentences without any markup at all, just text that goes on. "
    text = ""
    while len(text) < TARGET_BYTES:
        text += sentence * 6 + "\n\n"
    return text[:TARGET_BYTES]


def deltas(text: str) -> list[str]:
    return [text[i:i + DELTA_CHARS] for i in range(0, len(text), DELTA_CHARS)]


def long_tasks(page: Page, since: float) -> list[float]:
    return [task["duration"] for task in page.evaluate("window.__longTasks") if task["start"] >= since]


def stream_once(page: Page, fake: fo.FakeOpenRouter, text: str, delay: float) -> dict:
    """Stream `text` into a new chat; the long tasks from sending to the answer's end."""
    page.click("#new-chat-button")
    fake.stream_plans.append(fo.stream_tokens(deltas(text), delay=delay))
    since = page.evaluate("performance.now()")
    page.fill("#message-input", "Write it")
    page.press("#message-input", "Enter")
    page.wait_for_selector('.message[data-role="assistant"][data-status="complete"]', timeout=120_000)
    elapsed = page.evaluate("performance.now()") - since
    tasks = long_tasks(page, since)
    return {"seconds": elapsed / 1000, "blocked": sum(tasks), "count": len(tasks), "worst": max(tasks, default=0.0)}


def open_chat(page: Page) -> dict:
    """Click the chat of five rich answers in the sidebar (another chat is shown before): the time
    until the screen is filled with the last answer's rendered end, and until all five are rendered."""
    page.click("#new-chat-button")
    page.wait_for_timeout(300)
    since = page.evaluate("performance.now()")
    times = page.evaluate("""async () => {
      const start = performance.now();
      const frame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      const answers = () => document.querySelectorAll(
        '.message[data-role="assistant"][data-status="complete"] .message-body');
      document.querySelector('#conversation-list .conversation-item .conversation-link').click();
      // Shown: the last answer fills the message list from its top (its last blocks render first).
      const view = document.querySelector("#messages");
      const covered = (body) => !body.dataset.rendering
        || body.getBoundingClientRect().top <= view.getBoundingClientRect().top;
      while (answers().length < 5 || !covered(answers()[4])) await frame();
      const shown = performance.now() - start;
      while ([...answers()].some((body) => body.dataset.rendering)) await frame();
      return { shown, all: performance.now() - start };
    }""")
    page.wait_for_timeout(1000)
    tasks = long_tasks(page, since)
    return {**times, "blocked": sum(tasks), "worst": max(tasks, default=0.0)}


def run(rounds: int, delay: float) -> dict:
    fake = fo.FakeOpenRouter().start()
    workdir = Path(tempfile.mkdtemp(prefix="page-bench-"))
    server = start_app(f"sqlite:///{workdir / 'bench.db'}", fake.url, workdir)
    results: dict = {"rich": [], "plain": [], "open": []}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 800})
            page.add_init_script(OBSERVER)
            page.goto(server.url)
            page.wait_for_selector("body[data-ready='true']")
            stream_once(page, fake, rich_answer()[:3000], 0)   # warm up: modules, KaTeX, highlight
            for _ in range(rounds):
                results["plain"].append(stream_once(page, fake, plain_answer(), delay))
                results["rich"].append(stream_once(page, fake, rich_answer(), delay))
            page.click("#new-chat-button")
            for index in range(5):
                fake.stream_plans.append(fo.stream_tokens([rich_answer()]))
                page.fill("#message-input", f"Answer {index}")
                page.press("#message-input", "Enter")
                page.wait_for_selector(f'.message[data-role="assistant"][data-status="complete"] >> nth={index}')
            page.wait_for_timeout(500)
            page.goto(server.url)   # the newest chat (five answers) is the sidebar's first
            page.wait_for_selector("body[data-ready='true']")
            for _ in range(rounds):
                results["open"].append(open_chat(page))
            browser.close()
    finally:
        server.stop()
        fake.stop()
    return results


def median(rows: list[dict], key: str) -> float:
    return statistics.median(row[key] for row in rows)


def report(results: dict, delay: float) -> str:
    rich, plain, opened = results["rich"], results["plain"], results["open"]
    ratio = median(rich, "blocked") / max(median(plain, "blocked"), 1.0)
    worst = max(row["worst"] for row in rich)
    lines = [
        f"Answers of {TARGET_BYTES:,} characters in {DELTA_CHARS}-character deltas {delay * 1000:.0f} ms apart, "
        f"median of {len(rich)} rounds (chromium, 1366×800):",
        "",
        "| answer | stream s | blocked ms | long tasks | worst ms |",
        "|---|---|---|---|---|",
    ]
    for name, rows in (("rich Markdown", rich), ("plain text", plain)):
        lines.append(f"| {name} | {median(rows, 'seconds'):.1f} | {median(rows, 'blocked'):.0f} | "
                     f"{median(rows, 'count'):.0f} | {max(row['worst'] for row in rows):.0f} |")
    lines += [
        "",
        f"Rich / plain blocked time: ×{ratio:.2f} (target ≤ ×2) {'✓' if ratio <= 2 else '✗'}; "
        f"worst long task {worst:.0f} ms (target ≤ 100) {'✓' if worst <= 100 else '✗'}.",
        f"Opening a chat of five such answers: shown in {median(opened, 'shown'):.0f} ms "
        f"(target < 300) {'✓' if median(opened, 'shown') < 300 else '✗'}, all five rendered in "
        f"{median(opened, 'all'):.0f} ms; long tasks meanwhile {median(opened, 'blocked'):.0f} ms, "
        f"worst {max(row['worst'] for row in opened):.0f} ms.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--delay", type=float, default=0.004, help="seconds between deltas")
    args = parser.parse_args()
    print(report(run(args.rounds, args.delay), args.delay))


if __name__ == "__main__":
    main()
