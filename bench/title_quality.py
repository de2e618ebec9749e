"""Title quality against a real model, through the real app (`python main.py`); the title model is
whatever OpenAI-compatible server --base-url points at (SmolLM2 or Gemma from ../shared/real-llm/,
or OpenRouter).

Two sets of first messages:
- `--set real` (bench/title_messages.py, 56 messages in 14 languages): the chat answer comes from
  the same model (cached in --answers-cache so a rerun only asks for titles again);
- `--set corpus` (tests/titles/corpus.py): the corpus answer is replayed, so only the title varies.

The app talks to a small local relay: chat streams get the answer above, title requests go to
--base-url as they are. For each message the report gives the raw title answer, the title shown,
its source (auto or fallback) and the rule that fired, read from the app's log line
`title conversation=… source=… rule=… raw=…`, plus a verdict column read from --verdicts
(a JSON object {"<message>\\t<title shown>": "ok…"|"junk: why"|"poor: why"}) so a person's reading
survives reruns; a title that changed has no verdict until someone reads it.

    port=$(../shared/real-llm/start-smollm2.sh 24090)
    python bench/title_quality.py --base-url http://127.0.0.1:$port/v1 --model smollm2-135m-instruct \\
        --set real --answers-cache /tmp/answers.json --verdicts bench/title_verdicts.json \\
        --out bench/title_quality_results.md --raw-json bench/title_raw.json

`--rejudge bench/title_raw.json` runs no server: it judges the recorded raw answers again with the
current checks, salvage and fallback (what the app would now show for the same model answers).

`--second-chance` measures the "second chance" of issue 18 before anyone builds it: for every
row that fell back after a rejection, the model at --base-url is asked once more, directly, with
a stricter prompt (STRICT_PROMPTS below, --strict-prompt); the report adds what that answer would show (its title if it
passes the checks, else the same fallback), the acceptable rate with it, and the tokens it costs
next to those of the first title requests (counted by the relay in a live run). The second
answers go into --raw-json, so `--rejudge … --second-chance` judges them again without a server.
"""
from __future__ import annotations

import argparse
import ast
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
from bench.title_messages import MESSAGES  # noqa: E402
from tests.support.processes import answers_health, free_port, stop_process  # noqa: E402
from tests.titles.corpus import GOOD  # noqa: E402

LOG_LINE = re.compile(r"title conversation=(\w+) source=(\w+) rule=(\S+) raw=(.*)$")
CHAT_MAX_TOKENS = 80  # the start of an answer: what a title needs, and the machine is slow
STRICT_PROMPTS = {  # two candidates for the second chance's prompt: with two short examples, and without
    "examples": "Name this chat in 3 to 6 words of {language}, taken from the user's message. No colon, no "
                "quotes, no explanation.\n\nMessage: How do I bake bread without yeast?\nTitle: Bread Without "
                "Yeast\n\nMessage: Wie lange muss ein Ei kochen?\nTitle: Eier richtig kochen\n\nMessage: {user}\n"
                "Title:",
    "plain": "Write a title of 3 to 6 words for this message, in {language}, using its own words. No colon, no "
             "quotes. Reply with the title only.\n\n{user}",
}
TITLE_USAGE: Counter[str] = Counter()  # prompt and completion tokens of the first title requests (relay)


class Answers:
    """Chat answers by user message: given (corpus), or asked once from the model and cached."""

    def __init__(self, base_url: str, given: dict[str, str], cache: Path | None) -> None:
        self.base_url, self.given, self.cache = base_url, given, cache
        self.cached: dict[str, str] = json.loads(cache.read_text()) if cache and cache.exists() else {}
        self.lock = threading.Lock()

    def answer(self, body: dict, authorization: str) -> str:
        user = body["messages"][-1]["content"]
        if user in self.given:
            return self.given[user]
        with self.lock:
            if user not in self.cached:
                asked = {**body, "stream": False, "max_tokens": CHAT_MAX_TOKENS}
                reply = requests.post(f"{self.base_url}/chat/completions", json=asked, timeout=600,
                                      headers={"Authorization": authorization}).json()
                self.cached[user] = reply["choices"][0]["message"]["content"] or ""
                if self.cache:
                    self.cache.write_text(json.dumps(self.cached, ensure_ascii=False, indent=1))
            return self.cached[user]


def relay_handler(base_url: str, answers: Answers):
    class Relay(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            if body.get("stream"):
                self.replay(answers.answer(body, self.headers.get("Authorization", "")))
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
            if upstream.ok:
                TITLE_USAGE.update(_token_counts(upstream.json().get("usage")))
            self.send_response(upstream.status_code)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(upstream.content)
    return Relay


def _token_counts(usage: dict | None) -> Counter[str]:
    usage = usage or {}
    return Counter({key: int(usage.get(key) or 0) for key in ("prompt_tokens", "completion_tokens")})


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
    if answers_health(url, process):
        return process, log_path, url
    process.terminate()
    raise SystemExit(f"the app did not start:\n{log_path.read_text()}")


def name_one(url: str, user: str) -> tuple[str, dict]:
    with requests.post(f"{url}/chat", json={"message": user}, stream=True, timeout=600) as response:
        lines = [line for line in response.iter_lines(decode_unicode=True) if line.startswith("data: ")]
    conversation_id = json.loads(lines[0][6:])["conversation_id"]
    return conversation_id, requests.post(f"{url}/conversation/{conversation_id}/summarize", timeout=400).json()


def log_entries(log_path: Path) -> dict[str, tuple[str, str]]:
    entries = {}
    for line in log_path.read_text(errors="replace").splitlines():
        match = LOG_LINE.search(line)
        if match:
            entries[match[1]] = (match[3], ast.literal_eval(match[4]))  # the log has repr(raw)
    return entries


def cell(text: str, limit: int = 90) -> str:
    """One table cell: one line, pipes escaped, cut."""
    flat = " ".join(text.split()).replace("|", "\\|")
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


def report(args, rows: list[dict], verdicts: dict[str, str]) -> str:
    sources = Counter(row["source"] for row in rows)
    rules = Counter(row["rule"] for row in rows)
    read = [verdicts.get(f"{row['user']}\t{row['title']}") for row in rows]
    accepted = sum(1 for verdict in read if verdict and verdict.startswith("ok"))
    lines = [f"# Title quality: {args.model} at {args.base_url} ({len(rows)} first messages, set {args.set})", "",
             f"sources: {dict(sources)}", f"rules: {dict(rules)}",
             f"acceptable (verdict ok): {accepted}/{len(rows)}, unread: {read.count(None)}", "",
             "| lang | message | model's raw answer | title shown | source | rule | verdict |",
             "|---|---|---|---|---|---|---|"]
    for row, verdict in zip(rows, read, strict=True):
        lines.append(f"| {row['language']} | {cell(row['user'], 60)} | {cell(row['raw'])} | {cell(row['title'])} "
                     f"| {row['source']} | {row['rule']} | {cell(verdict or '(unread)')} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True, help="OpenAI-compatible base URL, e.g. http://127.0.0.1:24090/v1")
    parser.add_argument("--api-key", default=os.environ.get("OPENROUTER_API_KEY") or "bench-placeholder-key")
    parser.add_argument("--model", default="meta-llama/llama-3.2-3b-instruct:free")
    parser.add_argument("--set", choices=("real", "corpus"), default="real")
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--answers-cache", type=Path, help="JSON file of chat answers by message (real set)")
    parser.add_argument("--verdicts", type=Path, help="JSON file of verdicts by message and title shown")
    parser.add_argument("--out", help="also write the report (Markdown) here")
    parser.add_argument("--raw-json", help="write each message with the model's raw answer here")
    parser.add_argument("--rejudge", type=Path, help="judge the raw answers of an earlier --raw-json again")
    parser.add_argument("--second-chance", action="store_true",
                        help="ask rejected rows once more with a stricter prompt and report what that would show")
    parser.add_argument("--strict-prompt", choices=sorted(STRICT_PROMPTS), default="examples")
    args = parser.parse_args()
    rows = rejudged(json.loads(args.rejudge.read_text())) if args.rejudge else run(args)
    verdicts = json.loads(args.verdicts.read_text()) if args.verdicts and args.verdicts.exists() else {}
    text = report(args, rows, verdicts)
    if args.second_chance:
        text += "\n\n" + second_chance_report(args, rows, ask_again(args, rows), verdicts)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    if args.raw_json:
        Path(args.raw_json).write_text(json.dumps(rows, ensure_ascii=False, indent=1))


def second_answer(args, row: dict) -> dict:
    """The stricter prompt's answer for a row: recorded by an earlier run with the same prompt, or
    asked now, as the app asks for a title."""
    from routerchat.titles.job import MAX_TOKENS
    from routerchat.titles.language import language_name

    prompt = STRICT_PROMPTS[args.strict_prompt]
    recorded = row.get("second") or {}
    if recorded.get("prompt") == prompt:
        return recorded
    filled = prompt.format(user=row["user"], language=language_name(row["user"]))
    reply = requests.post(f"{args.base_url.rstrip('/')}/chat/completions", timeout=300,
                          headers={"Authorization": f"Bearer {args.api_key}"},
                          json={"model": args.model, "messages": [{"role": "user", "content": filled}],
                                "max_tokens": MAX_TOKENS, "temperature": 0.3, "stream": False}).json()
    row["second"] = {"prompt": prompt, "raw": reply["choices"][0]["message"]["content"] or "",
                     "usage": _token_counts(reply.get("usage"))}
    return row["second"]


def ask_again(args, rows: list[dict]) -> dict[int, dict]:
    """The second answer for each row that fell back after a rejection (not after an upstream
    error), judged; by row index."""
    from routerchat.titles.checks import judge
    from routerchat.titles.fallback import fallback_title

    again = {}
    for index, row in enumerate(rows):
        if row["source"] != "fallback" or row["rule"] in ("upstream_error", "?"):
            continue
        answer = second_answer(args, row)
        verdict = judge(answer["raw"], row["user"], row["assistant"] or "(no answer)")
        again[index] = {"raw": answer["raw"], "rule": verdict.rule or "-", "usage": Counter(answer["usage"]),
                        "title": verdict.title or fallback_title(row["user"]),
                        "source": "auto" if verdict.title else "fallback"}
    return again


def second_chance_report(args, rows: list[dict], again: dict[int, dict], verdicts: dict[str, str]) -> str:
    """The rows asked again, and the acceptable rate with and without their second answers."""
    def accepted(user: str, title: str) -> bool | None:
        verdict = verdicts.get(f"{user}\t{title}")
        return None if verdict is None else verdict.startswith("ok")

    before = [accepted(row["user"], row["title"]) for row in rows]
    after = [accepted(row["user"], again[i]["title"]) if i in again else before[i] for i, row in enumerate(rows)]
    tokens = sum((entry["usage"] for entry in again.values()), Counter())
    first = sum(TITLE_USAGE.values())
    lines = [f"### Second chance ('{args.strict_prompt}' prompt, asked once more after a rejection)", "",
             f"prompt: {STRICT_PROMPTS[args.strict_prompt]!r}", "",
             f"asked again: {len(again)} of {len(rows)}; their titles shown: "
             f"{dict(Counter(entry['source'] for entry in again.values()))}",
             f"acceptable without: {before.count(True)}/{len(rows)}, with: {after.count(True)}/{len(rows)} "
             f"(unread: {after.count(None)})",
             f"tokens of the second requests: {dict(tokens)}"
             + (f"; of the first title requests: {dict(TITLE_USAGE)} (x{1 + sum(tokens.values()) / first:.2f} "
                "with the second chance)" if first else ""), "",
             "| lang | message | first rule | second raw answer | would show | source | rule | verdict |",
             "|---|---|---|---|---|---|---|---|"]
    for index, entry in again.items():
        row = rows[index]
        read = verdicts.get(f"{row['user']}\t{entry['title']}") or "(unread)"
        lines.append(f"| {row['language']} | {cell(row['user'], 60)} | {row['rule']} | {cell(entry['raw'])} "
                     f"| {cell(entry['title'])} | {entry['source']} | {entry['rule']} | {cell(read)} |")
    return "\n".join(lines)


def rejudged(recorded: list[dict]) -> list[dict]:
    """The recorded raw answers through today's checks (no upstream error is recorded as raw)."""
    from routerchat.titles.checks import judge
    from routerchat.titles.fallback import fallback_title

    rows = []
    for row in recorded:
        verdict = judge(row["raw"], row["user"], row["assistant"] or "(no answer)")
        rule = verdict.rule or (f"salvaged_from_{verdict.salvaged}" if verdict.salvaged else "-")
        title, source = (verdict.title, "auto") if verdict.title else (fallback_title(row["user"]), "fallback")
        rows.append({**row, "title": title, "source": source, "rule": rule})
    return rows


def run(args) -> list[dict]:
    """Every message through the app and the model: the title shown, its source and rule."""
    if args.set == "corpus":
        messages = [(language, user) for language, user, _, _ in GOOD][:args.limit]
        given = {user: answer for _, user, answer, _ in GOOD}
    else:
        messages, given = MESSAGES[:args.limit], {}
    base_url = args.base_url.rstrip("/")
    answers = Answers(base_url, given, args.answers_cache)
    relay = ThreadingHTTPServer(("127.0.0.1", 0), relay_handler(base_url, answers))
    threading.Thread(target=relay.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as tmp:
        process, log_path, url = start_app(f"http://127.0.0.1:{relay.server_port}", args, Path(tmp))
        try:
            results = [(language, user, *name_one(url, user)) for language, user in messages]
            time.sleep(0.5)
            entries = log_entries(log_path)
        finally:
            stop_process(process)
            relay.shutdown()
    rows = []
    for language, user, conversation_id, shown in results:
        rule, raw = entries.get(conversation_id, ("?", ""))
        rows.append({"language": language, "user": user, "assistant": given.get(user) or answers.cached.get(user, ""),
                     "raw": raw, "rule": rule, "title": shown["title"], "source": shown["title_source"]})
    return rows


if __name__ == "__main__":
    main()
