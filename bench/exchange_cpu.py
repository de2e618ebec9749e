"""The app's CPU per exchange and per relayed chunk, and where it goes (py-spy).

Runs `main.py` (SQLite, or `--database-url` PostgreSQL) against the fake OpenRouter on gevent,
whose answers echo the message word by word, and reads the app's CPU time from /proc:

  * per exchange: `--exchanges` new conversations with a one-word message (a 2-token answer),
    `--concurrency` at a time: the app's CPU ÷ exchanges (what one POST /chat costs apart from
    its text: validation, rows, the upstream request, the final store, the title job);
  * per relayed chunk: the same with `--words`-word messages; the CPU above the short round
    ÷ the extra upstream deltas (reading, parsing, publishing and sending one delta);
  * the median and the minimum of `--rounds` rounds of each, interleaved, so a busy machine hits
    both alike (on a shared machine the same code's CPU time scatters by up to 2x between rounds:
    other processes on the sibling hyperthread and in the caches slow it; the minimum is the
    round least disturbed);
  * `--profile FILE`: py-spy's raw stacks over one more round of each kind, summarised as the
    functions with the most own CPU and routerchat's functions by inclusive CPU;
  * at the end, how many TCP connections the app opened to the upstream for its chat and title
    requests (from the fake's record of each request's client port).

`--floor LAYERS` measures bench/relay_floor.py with those FLOOR_LAYERS instead of routerchat
(`--floor ""` the bare relay, `--floor flask,rows,feed,title` routerchat's required work in its
leanest form, `--floor flask,rows,feed,title,guards,search,ledger` with every request's checks, the
search index and the usage ledger too): what an exchange must cost, beside what routerchat's costs.

    .venv/bin/python bench/exchange_cpu.py [--exchanges 100] [--words 200] [--rounds 5] [--profile out.txt] [--root DIR]
                                           [--floor LAYERS]
"""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import requests  # noqa: E402
from gevent.pool import Pool  # noqa: E402

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from bench import report  # noqa: E402
from bench.run import App, Config, Floor, Process, Upstream, py_spy_path, start_upstream  # noqa: E402

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")  # the unit of /proc's CPU times


def tree_cpu_seconds(process: Process) -> float:
    """User + system CPU of the process and its children (gunicorn's workers)."""
    total = 0
    for pid in process.pids():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICKS_PER_SECOND


def round_cpu(app: App, exchanges: int, concurrency: int, message: Callable[[int], str]) -> float:
    """Run `exchanges` new conversations, `concurrency` at a time; the app's CPU seconds (all must succeed)."""
    before = tree_cpu_seconds(app.process)
    samples = Pool(concurrency).map(lambda i: app.chat(message(i)), range(exchanges))
    failed = sum(not s.ok for s in samples)
    if failed:
        raise RuntimeError(f"{failed} of {exchanges} exchanges failed")
    gevent.sleep(0.5)  # the answers' final stores and title jobs finish after the last event
    return tree_cpu_seconds(app.process) - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a new SQLite file")
    parser.add_argument("--exchanges", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--words", type=int, default=200, help="words of the long messages (their answers' chunks)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--delay", type=float, default=0.001, help="seconds between the upstream's chunks")
    parser.add_argument("--profile", type=Path, help="write py-spy's raw stacks here and print a summary")
    parser.add_argument("--root", type=Path, default=BENCH.parent,
                        help="the checkout whose main.py is measured (e.g. an export of older code)")
    parser.add_argument("--floor", metavar="LAYERS",
                        help="measure bench/relay_floor.py with these FLOOR_LAYERS instead of routerchat")
    args = parser.parse_args()
    if args.profile and not Path(py_spy_path()).exists():
        parser.error("--profile needs py-spy: .venv/bin/python -m pip install 'py-spy>=0.3.14' "
                     "(./scripts/bench.sh installs it)")
    with tempfile.TemporaryDirectory(prefix="routerchat-cpu-") as tmp:
        workdir = Path(tmp)
        upstream = start_upstream(workdir, tokens=0, delay=args.delay)  # echo: one chunk per word
        app = (Floor(upstream, workdir / "floor", args.floor) if args.floor is not None else
               App(Config("main.py", "sqlite", None), args.database_url or f"sqlite:///{workdir / 'bench.db'}",
                   upstream, workdir / "app", args.root))
        try:
            measure(app, args)
            print(connections_opened(upstream))
        finally:
            app.process.stop()
            upstream.process.stop()
            print(f"connection guard reports: {app.guard_reports()}")


def connections_opened(upstream: Upstream) -> str:
    """How many TCP connections the app opened to the upstream for its requests (a reused one
    saves a handshake, with OpenRouter a TLS one, before the request can go out)."""
    summaries = requests.get(f"{upstream.base_url}/_fake/requests", timeout=30).json()["requests"]
    chats = [s for s in summaries if s["path"] == "/chat/completions"]
    return (f"upstream connections opened: {len({s['peer_port'] for s in chats})} "
            f"for {len(chats)} chat and title requests")


def measure(app: App, args: argparse.Namespace) -> None:
    tag = uuid.uuid4().hex[:6]
    long_words = " ".join(f"w{k}" for k in range(args.words - 1))
    short = lambda r: lambda i: f"{tag}-{r}-{i}"  # noqa: E731
    long = lambda r: lambda i: f"{tag}-{r}-{i} {long_words}"  # noqa: E731
    round_cpu(app, args.concurrency, args.concurrency, short("warm"))
    shorts, longs = [], []
    for r in range(args.rounds):
        shorts.append(round_cpu(app, args.exchanges, args.concurrency, short(f"s{r}")))
        longs.append(round_cpu(app, args.exchanges, args.concurrency, long(f"l{r}")))
    extra_chunks = (args.words - 1) * args.exchanges
    for label, pick in (("median", statistics.median), ("minimum", min)):
        per_exchange = pick(shorts) / args.exchanges
        per_chunk = (pick(longs) - pick(shorts)) / extra_chunks
        print(f"{label}: CPU per exchange {per_exchange * 1e3:.2f} ms, per relayed chunk {per_chunk * 1e6:.0f} µs")
    print(f"rounds, ms per exchange: short {', '.join(f'{s / args.exchanges * 1e3:.2f}' for s in shorts)}; "
          f"long (answers of {args.words + 1} chunks) {', '.join(f'{s / args.exchanges * 1e3:.2f}' for s in longs)}")
    if args.profile:
        profile(app, args, short("ps"), long("pl"))


def profile(app: App, args: argparse.Namespace, short: Callable[[int], str], long: Callable[[int], str]) -> None:
    """py-spy over one short and one long round; prints the summary tables of bench/report.py."""
    spy = subprocess.Popen([py_spy_path(), "record", "--nonblocking", "--subprocesses", "-r", "200", "-f", "raw",
                            "-o", str(args.profile), "-p", str(app.process.popen.pid)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    gevent.sleep(1)
    round_cpu(app, args.exchanges, args.concurrency, short)
    round_cpu(app, args.exchanges, args.concurrency, long)
    spy.send_signal(2)  # py-spy writes its output on SIGINT
    spy.wait()
    raw = args.profile.read_text()
    print("\n".join(["| own CPU | function |", "|---|---|"]
                    + [f"| {share:.1f}% | `{name}` |" for name, share in report.own_time(raw, top=25)]))
    print("\n".join(["", "| inclusive | routerchat function |", "|---|---|"]
                    + [f"| {share:.1f}% | `{name}` |" for name, share in report.app_inclusive_time(raw, top=25)]))


if __name__ == "__main__":
    main()
