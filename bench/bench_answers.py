"""Answers that outlive the page: what following an answer costs, and the memory of a running one.

Runs `main.py` of a checkout (this one by default; `--root /path/to/other/checkout` measures
another, e.g. the code before background answers) against the fake OpenRouter on 127.0.0.1 and
reads the app process's CPU time and resident memory from /proc:

  * CPU per relayed chunk: one chat whose upstream sends N tokens at once, read to the end;
    the app's user+system CPU time divided by N (best of a few runs);
  * the same with a second reader re-attached (GET /conversation/<id>/stream), where available;
  * memory per running answer: K chats held mid-answer at once, resident memory above idle / K.

    .venv/bin/python bench/bench_answers.py [--root DIR] [--tokens 5000] [--answers 100]
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
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import fake_openrouter as fo
from tests.support.processes import answers_health, free_port, stop_process

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def start(root: Path, fake: fo.FakeOpenRouter, workdir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "PORT": str(port), "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
           "OPENROUTER_BASE_URL": fake.url, "OPENROUTER_API_KEY": fake.api_key, "SECRET_KEY": "x",
           "ROUTERCHAT_DOTENV": "0", "TITLE_TIMEOUT": "2"}
    process = subprocess.Popen([sys.executable, str(root / "main.py")], cwd=workdir, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    if answers_health(url, process):
        return process, url
    raise RuntimeError("the app did not start")


def read_chat(url: str, body: dict, on_first=None) -> int:
    chunks = 0
    with requests.post(url + "/chat", json=body, stream=True, timeout=120) as response:
        for line in response.iter_lines():
            if line.startswith(b"data: "):
                event = json.loads(line[6:])
                if event["type"] == "conversation" and on_first:
                    on_first(event["conversation_id"])
                chunks += event["type"] == "chunk"
    return chunks


def cpu_per_chunk(url: str, pid: int, fake: fo.FakeOpenRouter, tokens: int, follower: bool) -> float:
    """Microseconds of app CPU per upstream token, best of 3."""
    best = float("inf")
    for _ in range(3):
        fake.wait_until_quiet()
        fake.stream_plans.append(fo.stream_tokens([f" t{i}" for i in range(tokens)], delay=0.0005, usage=None))
        readers: list[threading.Thread] = []

        def attach(conversation_id: str) -> None:
            reader = threading.Thread(target=requests.get, args=(f"{url}/conversation/{conversation_id}/stream",),
                                      kwargs={"timeout": 120})
            reader.start()
            readers.append(reader)  # noqa: B023 - attach() runs within this iteration
        before = cpu_seconds(pid)
        read_chat(url, {"message": "bench", "model": "openai/gpt-5"}, attach if follower else None)
        for reader in readers:
            reader.join()
        best = min(best, (cpu_seconds(pid) - before) / tokens * 1e6)
    return best


def memory_per_answer(url: str, pid: int, fake: fo.FakeOpenRouter, answers: int) -> float:
    """MiB of resident memory per answer held mid-stream (each ~10 kB of text so far)."""
    fake.wait_until_quiet()
    idle = rss_mib(pid)
    words = [" " + "w" * 49 for _ in range(400)]
    release = threading.Event()
    for _ in range(answers):
        fake.stream_plans.append(fo.stream_then_wait(words[:200], seconds=8))
    threads = [threading.Thread(target=read_chat, args=(url, {"message": "m", "model": "openai/gpt-5"}))
               for _ in range(answers)]
    for thread in threads:
        thread.start()
    time.sleep(5)  # every answer has its first 10 kB and waits upstream
    held = rss_mib(pid)
    release.set()
    for thread in threads:
        thread.join()
    return (held - idle) / answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--tokens", type=int, default=5000)
    parser.add_argument("--answers", type=int, default=100)
    args = parser.parse_args()
    fake = fo.FakeOpenRouter().start()
    with tempfile.TemporaryDirectory() as workdir:
        process, url = start(args.root, fake, Path(workdir))
        try:
            read_chat(url, {"message": "warm up"})
            print(f"{args.root}: CPU per relayed chunk "
                  f"{cpu_per_chunk(url, process.pid, fake, args.tokens, follower=False):.0f} µs", flush=True)
            attached = requests.get(f"{url}/conversation/{'0' * 32}/stream", timeout=5).status_code != 405
            answers_code = args.root / "routerchat" / "answers"
            if attached and (answers_code.is_dir() or answers_code.with_suffix(".py").exists()):
                print(f"  with a second, re-attached reader: "
                      f"{cpu_per_chunk(url, process.pid, fake, args.tokens, follower=True):.0f} µs", flush=True)
            per_answer = memory_per_answer(url, process.pid, fake, args.answers)
            print(f"  memory per running answer: {per_answer * 1024:.0f} KiB", flush=True)
        finally:
            stop_process(process)
    fake.stop()


if __name__ == "__main__":
    main()
