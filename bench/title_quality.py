"""Title quality against a real model: every first exchange of tests/titles/corpus.py goes
through the real app (`python main.py`), and the title model is whatever OpenAI-compatible
server --base-url points at (the llama.cpp server of ../shared/real-llm/, or OpenRouter).

The app talks to a small local relay: chat streams replay the corpus answer (so every title
request sees the same exchange whatever the model), title requests go to --base-url as they
are. For each exchange it prints the title, its source (auto or fallback) and the rule that
fired, read from the app's log line `title conversation=… source=… rule=… raw=…`.

    python bench/title_quality.py --base-url http://127.0.0.1:24080/v1 --model gemma-3-270m \\
        --out bench/title_quality_results.md --raw-json /tmp/raw.json
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.support.processes import free_port, stop_process  # noqa: E402
from tests.titles.corpus import GOOD  # noqa: E402

LOG_LINE = re.compile(r"title conversation=(\w+) source=(\w+) rule=(\S+) raw=(.*)$")


def relay_handler(base_url: str, answers: dict[str, str]):
    class Relay(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            if body.get("stream"):
                self.replay(answers.get(body["messages"][-1]["content"], "I do not know."))
            else:
                self.forward(body)

        def replay(self, answer: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for event in ({"choices": [{"delta": {"content": answer}}]},
                          {"choices": [{"delta": {}, "finish_reason": "stop"}]}):
                self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")

        def forward(self, body: dict) -> None:
            upstream = requests.post(f"{base_url}/chat/completions", json=body, timeout=180,
                                     headers={"Authorization": self.headers.get("Authorization", "")})
            self.send_response(upstream.status_code)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(upstream.content)
    return Relay


def start_app(relay_url: str, args, workdir: Path) -> tuple[subprocess.Popen, Path, str]:
    port = free_port()
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "ROUTERCHAT_DOTENV": "0",
           "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}", "OPENROUTER_BASE_URL": relay_url,
           "OPENROUTER_API_KEY": args.api_key, "TITLE_MODEL_DEFAULT": args.model, "TITLE_TIMEOUT": "120",
           "TITLE_WAIT_SECONDS": "300", "PYTHONUNBUFFERED": "1"}
    log_path = workdir / "app.log"
    process = subprocess.Popen([sys.executable, str(ROOT / "main.py")], cwd=workdir, env=env,
                               stdout=log_path.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if requests.get(f"{url}/healthz", timeout=1).ok:
                return process, log_path, url
        except requests.RequestException:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"the app did not start:\n{log_path.read_text()}")


def name_one(url: str, user: str) -> tuple[str, dict]:
    with requests.post(f"{url}/chat", json={"message": user}, stream=True, timeout=60) as response:
        lines = [line for line in response.iter_lines(decode_unicode=True) if line.startswith("data: ")]
    conversation_id = json.loads(lines[0][6:])["conversation_id"]
    return conversation_id, requests.post(f"{url}/conversation/{conversation_id}/summarize", timeout=400).json()


def log_entries(log_path: Path) -> dict[str, tuple[str, str]]:
    entries = {}
    for line in log_path.read_text(errors="replace").splitlines():
        match = LOG_LINE.search(line)
        if match:
            entries[match[1]] = (match[3], match[4])
    return entries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True, help="OpenAI-compatible base URL, e.g. http://127.0.0.1:24080/v1")
    parser.add_argument("--api-key", default=os.environ.get("OPENROUTER_API_KEY") or "bench-placeholder-key")
    parser.add_argument("--model", default="meta-llama/llama-3.2-3b-instruct:free")
    parser.add_argument("--limit", type=int, default=len(GOOD))
    parser.add_argument("--out", help="also write the report (Markdown) here")
    parser.add_argument("--raw-json", help="write each exchange with the model's raw answer here")
    args = parser.parse_args()

    corpus = GOOD[:args.limit]
    answers = {user: answer for _, user, answer, _ in corpus}
    relay = ThreadingHTTPServer(("127.0.0.1", 0), relay_handler(args.base_url.rstrip("/"), answers))
    threading.Thread(target=relay.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as tmp:
        process, log_path, url = start_app(f"http://127.0.0.1:{relay.server_port}", args, Path(tmp))
        try:
            results = [(language, user, *name_one(url, user)) for language, user, _, _ in corpus]
            time.sleep(0.5)
            entries = log_entries(log_path)
        finally:
            stop_process(process)
            relay.shutdown()
    rows, raw_rows = [], []
    for language, user, conversation_id, answer in results:
        rule, raw = entries.get(conversation_id, ("?", "''"))
        rows.append(f"| {language} | {answer['title_source']} | {rule} | {answer['title']} | {raw[:70]} |")
        raw_rows.append({"language": language, "user": user, "raw": raw, "rule": rule, "title": answer["title"],
                         "source": answer["title_source"]})
    sources = Counter(row["source"] for row in raw_rows)
    rules = Counter(row["rule"] for row in raw_rows)
    report = "\n".join([
        f"# Title quality: {args.model} at {args.base_url} ({len(corpus)} exchanges)", "",
        f"sources: {dict(sources)}", f"rules: {dict(rules)}", "",
        "| lang | source | rule | title shown | model's raw answer (repr, cut) |", "|---|---|---|---|---|", *rows])
    print(report)
    if args.out:
        Path(args.out).write_text(report + "\n")
    if args.raw_json:
        Path(args.raw_json).write_text(json.dumps(raw_rows, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
