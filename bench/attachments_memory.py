"""What an attachment upload costs the server in memory, and whether uploads stall other chats.

Runs `main.py` (a new SQLite file, or a schema of its own in `--database-url` PostgreSQL) against
the fake OpenRouter and reads the app's resident memory from /proc every 50 ms:

  * one upload of each kind (`--mb` MB of UTF-8 text, a PNG and a JPEG of about that size): the
    app's peak RSS above its RSS before, against the file's size;
  * ten of the text uploads at once while another chat streams (`--tokens` chunks, 20 ms apart):
    the peak RSS above the start, that chat's time to its end and the slowest `GET /healthz`
    meanwhile, each against the same chat and probes without uploads.

    .venv/bin/python bench/attachments_memory.py [--mb 20] [--database-url postgresql://…]
"""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import requests  # noqa: E402
from PIL import Image  # noqa: E402

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from bench.run import App, Config, drop_schema, peak_rss_during, postgres_schema, start_upstream  # noqa: E402

MIB = 1024 * 1024


def text_file(megabytes: float) -> bytes:
    line = "routerchat attachment benchmark: plain UTF-8 text, line after line, é ü ß 漢字\n".encode()
    return (line * (int(megabytes * MIB) // len(line) + 1))[:int(megabytes * MIB)]


def noise_image(fmt: str, megabytes: float) -> bytes:
    """Random pixels compress badly, so the file is about as large as asked."""
    side = int((megabytes * MIB / (3 if fmt == "PNG" else 1.2)) ** 0.5)
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, fmt, **(
        {"quality": 95} if fmt == "JPEG" else {"compress_level": 1}))
    return out.getvalue()


def upload(app: App, path: Path) -> None:
    """curl in a process of its own sends the file: the probes in this process measure the app,
    not this process building ten 20 MB request bodies."""
    status = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-F", f"file=@{path}",
                             f"{app.process.url}/attachments"], capture_output=True, text=True, check=True).stdout
    if status != "201":
        raise RuntimeError(f"{path.name}: HTTP {status}")


def slowest_probe(app: App, until: gevent.event.Event) -> float:
    slowest = 0.0
    while not until.is_set():
        started = time.perf_counter()
        requests.get(f"{app.process.url}/healthz", timeout=60)
        slowest = max(slowest, time.perf_counter() - started)
        gevent.sleep(0.05)
    return slowest


def chat_beside(app: App, work) -> tuple[float, float, float]:
    """A chat streaming while `work()` runs: its time to the end, the slowest health probe, the peak RSS."""
    done = gevent.event.Event()
    probe = gevent.spawn(slowest_probe, app, done)

    def both():
        chat = gevent.spawn(app.chat, "a chat beside the uploads")
        work()
        sample = chat.get()
        if not sample.ok:
            raise RuntimeError("the chat beside the uploads failed")
        return sample.total
    try:
        total, peak = peak_rss_during(app.process, both)
    finally:
        done.set()
    return total, probe.get(), peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a new SQLite file")
    parser.add_argument("--mb", type=float, default=20)
    parser.add_argument("--tokens", type=int, default=150, help="chunks of the chat beside the uploads (20 ms apart)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="routerchat-attachments-") as tmp:
        workdir = Path(tmp)
        upstream = start_upstream(workdir, tokens=args.tokens, delay=0.02)
        schema, database_url = (postgres_schema(args.database_url) if args.database_url
                                else (None, f"sqlite:///{workdir / 'bench.db'}"))
        app = App(Config("main.py", "sqlite", None), database_url, upstream, workdir / "app")
        try:
            measure(app, args, workdir)
        finally:
            app.process.stop()
            upstream.process.stop()
            if schema is not None:
                drop_schema(args.database_url, schema)
            print(f"connection guard reports: {app.guard_reports()}")


def measure(app: App, args: argparse.Namespace, folder: Path) -> None:
    files = {"text.txt": text_file(args.mb), "noise.png": noise_image("PNG", args.mb),
             "noise.jpg": noise_image("JPEG", args.mb), "warm.txt": b"warm up"}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    upload(app, folder / "warm.txt")
    print(f"idle RSS: {app.process.rss_mib():.0f} MiB ({'PostgreSQL' if args.database_url else 'SQLite'})")
    print("| file | size | peak RSS above idle | ratio |\n|---|---|---|---|")
    for name in ("text.txt", "noise.png", "noise.jpg"):
        size, before = len(files[name]), app.process.rss_mib()
        _, peak = peak_rss_during(app.process, lambda name=name: upload(app, folder / name))
        print(f"| {name} | {size / MIB:.1f} MiB | {peak - before:.1f} MiB | {(peak - before) * MIB / size:.2f} |")
    quiet = chat_beside(app, lambda: None)
    before = app.process.rss_mib()
    busy = chat_beside(app, lambda: gevent.joinall(
        [gevent.spawn(upload, app, folder / "text.txt") for _ in range(10)], raise_error=True))
    print(f"\nten {args.mb:g} MiB uploads at once beside a streaming chat ({args.tokens} chunks × 20 ms):")
    print("| | chat to its end | slowest GET /healthz | peak RSS above start |\n|---|---|---|---|")
    print(f"| no uploads | {quiet[0]:.2f} s | {quiet[1] * 1000:.0f} ms | — |")
    print(f"| ten uploads | {busy[0]:.2f} s | {busy[1] * 1000:.0f} ms | {busy[2] - before:.0f} MiB |")


if __name__ == "__main__":
    main()
