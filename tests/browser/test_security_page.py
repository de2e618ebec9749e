"""A real browser against routerchat's defences: a hostile page on another origin, framing, DNS
rebinding, and model output that tries to make the browser load a stranger's URL."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from tests import fake_openrouter as fo
from tests.browser.conftest import ANSWER, CHROMIUM, CHROMIUM_ARGS, send
from tests.support.waiting import settle

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("default_presets")]


class RecordingServer:
    """A tiny web server that serves fixed pages and records every request it gets."""

    def __init__(self, host: str, pages: dict[str, str] | None = None):
        self.pages = pages or {}
        self.requests: list[str] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _answer(self) -> None:
                recorder.requests.append(f"{self.command} {self.path}")
                page = recorder.pages.get(self.path.split("?")[0])
                body = (page or "").encode()
                self.send_response(200 if page is not None else 204)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _answer

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.url = f"http://{host}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stranger():
    """Another origin (127.0.0.2) whose pages the test writes."""
    server = RecordingServer("127.0.0.2")
    yield server
    server.close()


@pytest.fixture
def leak():
    """Where hostile answers point: it must never hear from the browser."""
    server = RecordingServer("127.0.0.1")
    yield server
    server.close()


ATTACK_PAGE = """<!doctype html><html><body>
<iframe name="f1"></iframe><iframe name="f2"></iframe><iframe name="f3"></iframe>
<form method="post" target="f1" action="{app}/conversation/{cid}/summarize?force=1"></form>
<form method="post" target="f2" action="{app}/presets/1"><input name="model" value="openai/gpt-5"></form>
<form method="post" target="f3" enctype="text/plain" action="{app}/chat"><input name='{{"message": "spend", "x": "' value='"}}'></form>
<script>
const app = "{app}", cid = "{cid}";
const json = (method, body) => ({{method, headers: {{"Content-Type": "application/json"}}, body: JSON.stringify(body)}});
const attempts = [
  fetch(app + "/chat", json("POST", {{message: "spend the owner's credits"}})),
  fetch(app + "/chat", {{method: "POST", mode: "no-cors", headers: {{"Content-Type": "text/plain"}},
                         body: JSON.stringify({{message: "spend"}})}}),
  fetch(app + "/conversation/" + cid, json("PATCH", {{title: "Owned"}})),
  fetch(app + "/conversation/" + cid, {{method: "DELETE"}}),
  fetch(app + "/conversation/" + cid, {{method: "DELETE", mode: "no-cors"}}),
  fetch(app + "/conversation/" + cid + "/summarize?force=1", {{method: "POST", mode: "no-cors"}}),
  fetch(app + "/presets/1", json("PUT", {{model: "openai/gpt-5"}})),
  fetch(app + "/conversations").then((r) => r.text()),
].map((p) => p.then((v) => typeof v === "string" ? "read: " + v : "sent", () => "blocked"));
const forms = [...document.forms].map((form) => new Promise((resolve) => {{
  document.querySelector(`iframe[name=${{form.target}}]`).onload = resolve;
  form.submit();
}}));
Promise.all([...attempts, ...forms]).then((results) => {{ window.results = results; document.title = "done"; }});
</script></body></html>"""


def test_a_page_on_another_origin_can_change_nothing(browser, stranger, api, fake):
    conversation_id = api.chat("keep me").conversation_id
    before = api.settled_title(conversation_id)
    presets = api.get("/presets").json()
    conversations = api.get("/conversations").json()
    upstream_calls = len(fake.chat_requests())
    stranger.pages["/attack"] = ATTACK_PAGE.format(app=api.base_url, cid=conversation_id)

    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(stranger.url + "/attack")
        page.wait_for_function("document.title === 'done'")
        results = page.evaluate("window.results")
    finally:
        context.close()

    settle(fake)  # a chat the attack started would still be streaming, or its title job running
    assert not any(str(r).startswith("read:") for r in results), "another origin read the conversations"
    assert api.get(f"/conversation/{conversation_id}").json() == before
    assert api.get("/presets").json() == presets
    assert api.get("/conversations").json() == conversations
    assert len(fake.chat_requests()) == upstream_calls


def test_the_page_cannot_be_framed(browser, stranger, app_server):
    stranger.pages["/frame"] = f'<!doctype html><iframe src="{app_server.url}/" width="800" height="600"></iframe>'
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(stranger.url + "/frame")
        frame = page.frames[1]
        frame.wait_for_load_state()
        assert frame.query_selector("#message-input") is None
    finally:
        context.close()


def test_a_rebound_host_name_gets_nothing(browser, app_server, api):
    """DNS rebinding: evil.test resolves to 127.0.0.1, so the browser sends Host: evil.test."""
    api.chat("private words")
    port = app_server.url.rsplit(":", 1)[1]
    rebinding = browser.browser_type.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP evil.test 127.0.0.1"])
    try:
        page = rebinding.new_page()
        response = page.goto(f"http://evil.test:{port}/conversations")
        assert response.status == 400
        assert "private words" not in page.content() and "conversations" not in response.json()
    finally:
        rebinding.close()


def leak_payloads(leak: str) -> list[str]:
    """Ways an answer could make a browser fetch a URL with no click (each one its own block)."""
    return [
        f"![chart]({leak}/markdown-image)",
        f'<img src="{leak}/img">',
        f'<img srcset="{leak}/srcset 1x">',
        f'<picture><source srcset="{leak}/source"><img alt="x"></picture>',
        f'<table background="{leak}/table-bg"><tr><td background="{leak}/td-bg">cell</td></tr></table>',
        f'<div background="{leak}/div-bg">div</div>',
        f'<video poster="{leak}/poster" src="{leak}/video"><track src="{leak}/track"></video>',
        f'<audio src="{leak}/audio" autoplay></audio>',
        f'<a href="https://example.com/" ping="{leak}/ping">pinged link</a>',
        f'<form action="{leak}/form"><button formaction="{leak}/formaction">go</button></form>',
        f'<span style="background-image:url({leak}/style-url)">styled</span>',
        f"<style>@import url({leak}/style-import); p {{ background: url({leak}/style-rule) }}</style>",
        f'<link rel="stylesheet" href="{leak}/link-css">',
        f'<link rel="prefetch" href="{leak}/link-prefetch">',
        f'<meta http-equiv="refresh" content="0;url={leak}/meta-refresh">',
        f'<svg><image href="{leak}/svg-image" /></svg>',
        f'<svg><image xlink:href="{leak}/svg-xlink" /></svg>',
        f'<svg><use href="{leak}/svg-use#x" /></svg>',
        f'<math><mi xlink:href="{leak}/math">x</mi></math>',
        f'<iframe src="{leak}/iframe"></iframe>',
        f'<object data="{leak}/object"></object>',
        f'<embed src="{leak}/embed">',
        f'<input type="image" src="{leak}/input-image">',
        f'<body background="{leak}/body-bg">',
        f'<base href="{leak}/base/"><a href="relative">relative</a>',
        f'<img src="x" onerror="fetch(\'{leak}/onerror\')">',
        f'<script src="{leak}/script"></script>',
        f'<p data-src="{leak}/data-attr" lowsrc="{leak}/lowsrc">attributes</p>',
    ]


SURVIVING_URLS = """(leak) => {
  const found = [];
  for (const el of document.querySelectorAll('#messages .message-body, #messages .message-body *')) {
    for (const attr of el.attributes) {
      const keptLink = el.tagName === 'A' && attr.name === 'href';
      if (attr.value.includes(leak) && !keptLink) found.push(`${el.tagName} ${attr.name}`);
    }
  }
  return found;
}"""


def test_answers_make_the_browser_load_nothing_live_or_from_history(page, fake, leak):
    payloads = leak_payloads(leak.url)
    assert len(payloads) >= 20
    fake.stream_plans.append(fo.stream_tokens([p + "\n\n" for p in payloads]))
    send(page, "Show me everything")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    page.wait_for_load_state("networkidle")
    assert page.evaluate(SURVIVING_URLS, leak.url) == []
    expect(page.locator(f"{ANSWER} .message-body")).to_contain_text("pinged link")

    page.reload()  # the same answer rendered from history
    page.wait_for_selector("body[data-ready='true']")
    expect(page.locator(ANSWER)).to_have_attribute("data-status", "complete")
    page.wait_for_load_state("networkidle")
    assert page.evaluate(SURVIVING_URLS, leak.url) == []
    assert leak.requests == []
