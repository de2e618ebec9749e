"""How long `/healthz` waits while a large import is under way (issue 23).

    .venv/bin/python bench/import_healthz.py [--megabytes 45]

Runs `main.py` on a new SQLite file (or, with `--postgresql`, a schema of its own in the database
TEST_DATABASE_URL names) with two accounts, then: (1) posts a ~48 MB body of `[[],[],…]` to
`/import` without logging in, (2) imports a routerchat export of about `--megabytes` MB (the most
conversations and messages the default limits allow), logged in. Meanwhile a thread asks
`/healthz` every 50 ms; the slowest answer, the request's own time and the server's peak RSS are
printed. During the import, a second account chats with the fake OpenRouter (answers of 40 words
50 ms apart, one after another): the longest wait between two pieces of its answers, and whether
every answer ended, are printed too. `--hub-log FILE` keeps the server's stderr with gevent's
monitor on, which prints the stack of every stretch that blocks the event loop over 0.3 s.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import nullcontext
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import fake_openrouter as fo  # noqa: E402
from tests.support.databases import fresh_database  # noqa: E402
from tests.support.processes import answers_health, free_port, stop_process  # noqa: E402

PASSWORD = "correct horse battery"


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def start(workdir: Path, database_url: str, fake: fo.FakeOpenRouter,
          hub_log: Path | None) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "PORT": str(free_port()), "DATABASE_URL": database_url,
           "OPENROUTER_BASE_URL": fake.url, "OPENROUTER_API_KEY": fake.api_key,
           "SECRET_KEY": "x", "ROUTERCHAT_DOTENV": "0"}
    if hub_log is not None:  # gevent's monitor prints the stack of whatever blocks the loop this long
        env.update(GEVENT_MONITOR_THREAD_ENABLE="true", GEVENT_MAX_BLOCKING_TIME="0.3")
    for name in ("alice", "bob"):
        subprocess.run([sys.executable, str(ROOT / "main.py"), "user", "add", name, "--password-stdin"],
                       input=PASSWORD + "\n", text=True, env=env, check=True, capture_output=True)
    process = subprocess.Popen([sys.executable, str(ROOT / "main.py")], cwd=workdir, env=env,
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL if hub_log is None else hub_log.open("w"))
    url = f"http://127.0.0.1:{env['PORT']}"
    if answers_health(url, process):
        return process, url
    raise RuntimeError("the app did not start")


def export_of(megabytes: float) -> bytes:
    conversations, messages_each = 9_000, 20  # within IMPORT_MAX_CONVERSATIONS and IMPORT_MAX_MESSAGES
    text = "w" * max(1, int(megabytes * 1024 * 1024 / (conversations * messages_each)) - 90)
    now = "2026-01-01T00:00:00Z"
    return json.dumps({"format": "routerchat", "version": 1, "conversations": [
        {"title": f"chat {n}", "created_at": now, "messages": [
            {"role": "user" if m % 2 == 0 else "assistant", "content": text, "created_at": now}
            for m in range(messages_each)]} for n in range(conversations)]}).encode()


def logged_in(url: str, name: str) -> requests.Session:
    session = requests.Session()
    session.post(url + "/login", json={"username": name, "password": PASSWORD}, timeout=30).raise_for_status()
    return session


class LiveChats:
    """Another account's answers, one after another, while `done` is not set: the longest wait
    between two pieces of an answer, and how many answers ended (a `done` event) or did not."""

    WORDS, DELAY = 40, 0.05

    def __init__(self, url: str, fake: fo.FakeOpenRouter) -> None:
        self.url, self.fake, self.session = url, fake, logged_in(url, "bob")
        self.longest_gap, self.ended, self.failed = 0.0, 0, 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)  # never outlives a failed run

    def _run(self) -> None:
        while not self.done.is_set():
            self.fake.stream_plans.append(fo.stream_tokens([f" w{i}" for i in range(self.WORDS)], delay=self.DELAY))
            ended, last = False, time.monotonic()
            try:
                with self.session.post(self.url + "/chat", json={"message": "hi", "model": "openai/gpt-5"},
                                       stream=True, timeout=120) as response:
                    for line in response.iter_lines():
                        now = time.monotonic()
                        self.longest_gap, last = max(self.longest_gap, now - last), now
                        ended = ended or (line.startswith(b"data: ") and json.loads(line[6:])["type"] == "done")
            except requests.RequestException:
                ended = False
                time.sleep(0.5)
            self.ended, self.failed = self.ended + ended, self.failed + (not ended)

    def report(self) -> dict[str, float]:
        return {"chat_longest_gap_s": round(self.longest_gap, 3), "chats_ended": self.ended,
                "chats_failed": self.failed}


def while_probing(url: str, pid: int, action, chats: LiveChats | None = None) -> dict[str, float]:
    """Run `action` while /healthz is asked every 50 ms; the slowest answer, the action's time, peak RSS."""
    slowest, peak, done = 0.0, rss_mib(pid), threading.Event()

    def probe() -> None:
        nonlocal slowest, peak
        while not done.is_set():
            started = time.monotonic()
            requests.get(url + "/healthz", timeout=120)
            slowest = max(slowest, time.monotonic() - started)
            peak = max(peak, rss_mib(pid))
            time.sleep(0.05)
    prober = threading.Thread(target=probe)
    prober.start()
    if chats:
        chats.thread.start()
    started = time.monotonic()
    status = action()
    took = time.monotonic() - started
    done.set()
    prober.join()
    if chats:
        chats.done.set()
        chats.thread.join()
    return {"status": status, "seconds": round(took, 2), "healthz_max_s": round(slowest, 3),
            "peak_rss_mib": round(peak), **(chats.report() if chats else {})}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=45)
    parser.add_argument("--postgresql", action="store_true",
                        help="a schema of its own (made and dropped here) in the database TEST_DATABASE_URL names")
    parser.add_argument("--hub-log", type=Path, help="write the server's stderr here with gevent's "
                        "monitor on: every stretch that blocks the event loop over 0.3 s, with its stack")
    args = parser.parse_args()
    fake = fo.FakeOpenRouter().start()
    with tempfile.TemporaryDirectory() as folder, (
            fresh_database("postgresql", None) if args.postgresql
            else nullcontext(f"sqlite:///{Path(folder) / 'bench.db'}")) as database_url:
        process, url = start(Path(folder), database_url, fake, args.hub_log)
        try:
            junk = b"[" + b"[]," * (16 * 1024 * 1024) + b"[]]"
            print("unauthenticated 48 MB of [[],[],…]:", while_probing(url, process.pid, lambda: requests.post(
                url + "/import", data=junk, headers={"Content-Type": "application/json"}, timeout=300).status_code))
            session = logged_in(url, "alice")
            body = export_of(args.megabytes)
            print(f"logged-in import of {len(body) / 1024 / 1024:.1f} MB:", while_probing(
                url, process.pid, lambda: session.post(url + "/import", data=body, timeout=600,
                                                        headers={"Content-Type": "application/json"}).status_code,
                LiveChats(url, fake)))
        finally:
            stop_process(process)
            fake.stop()


if __name__ == "__main__":
    main()
