"""routerchat's benchmark table, written to bench/RESULTS.md (run it with ./scripts/bench.sh).

For main.py + SQLite and for gunicorn + PostgreSQL with 1, 2 and 4 gevent workers it measures,
against the fake OpenRouter from tests/ (on gevent, 50 chunks × 20 ms per answer):
  1. relay p50/p99 and first-token delay at 1, 20, 100 and 500 simultaneous streams;
  2. other chats while 100 slow titles are pending vs none; every title lands, one request each;
  3. GET /conversations (first and a deep page, and a search) and the page load, 1k vs 100k conversations;
  4. cold start, idle RSS and RSS per open stream at 500 streams.
Every figure is a ratio against the upstream measured in the same run, interleaved with the
app's own rounds, so the noise of a shared machine hits both sides alike.
"""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import contextlib  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from functools import partial  # noqa: E402
from pathlib import Path  # noqa: E402
from types import SimpleNamespace  # noqa: E402

import gevent  # noqa: E402
import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

from bench import load, report  # noqa: E402
from bench.seed import engine_for, seed  # noqa: E402
from routerchat.config import normalize_database_url  # noqa: E402
from routerchat.conversations import encode_cursor  # noqa: E402
from routerchat.db.models import Conversation  # noqa: E402
from tests.fake_openrouter import API_KEY  # noqa: E402
from tests.support.processes import free_port, stop_process  # noqa: E402

TOKENS, TOKEN_DELAY = 50, 0.02
LEVELS = {1: 5, 20: 2, 100: 1, 500: 1}  # simultaneous streams: rounds (N=1: five one-stream rounds)
SLOW_TITLE_SECONDS = 10.0
PENDING_TITLES, OTHER_CHATS = 100, 20
SMALL, LARGE, MESSAGES_PER = 1_000, 100_000, 10
PAGE_REPEATS = 15
PG_POOL_SIZE = 4  # per worker: 4 workers × 8 stay well under PostgreSQL's 100 connections
GUARD_MARK = "connection guard:"
CHUNK_EVENT = re.compile(rb'"type": "chunk"')
UPSTREAM_CONTENT = re.compile(rb'"content": "[^"]')


@dataclass
class Process:
    """A server this run started, its process tree, and where it listens."""
    popen: subprocess.Popen
    port: int
    log_path: Path
    started_in: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def pids(self) -> list[int]:
        pids, todo = [], [self.popen.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            with contextlib.suppress(OSError):
                todo += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        return pids

    def rss_mib(self) -> float:
        total = 0
        for pid in self.pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
        return total / 1024

    def stop(self) -> None:
        stop_process(self.popen, timeout=30)


def launch(command: list[str], env: dict, workdir: Path, health_path: str) -> Process:
    """Start a server and return once `health_path` answers; `started_in` is the cold start."""
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    log_path = workdir / f"{Path(command[1]).name}-{port}.log"
    started = time.perf_counter()
    popen = subprocess.Popen(command, cwd=workdir, env={**env, "PORT": str(port)}, stdout=log_path.open("w"),
                             stderr=subprocess.STDOUT)
    process = Process(popen, port, log_path)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and popen.poll() is None:
        try:
            if requests.get(process.url + health_path, timeout=2).ok:
                process.started_in = time.perf_counter() - started
                return process
        except requests.RequestException:
            gevent.sleep(0.02)
    process.stop()
    raise RuntimeError(f"{command} did not start:\n{log_path.read_text()}")


@dataclass
class Upstream:
    process: Process

    @property
    def base_url(self) -> str:
        return self.process.url + "/api/v1"

    def target(self) -> load.Target:
        return load.Target("127.0.0.1", self.process.port, "/api/v1/chat/completions",
                           {"Authorization": f"Bearer {API_KEY}"}, UPSTREAM_CONTENT, b"[DONE]")

    def stream(self, i: int) -> load.Sample:
        return load.stream(self.target(), {"model": "bench/model", "stream": True,
                                           "messages": [{"role": "user", "content": f"direct {i}"}]})

    def trivial_request(self) -> float:
        return timed_get(self.base_url + "/models")

    def set_completion_delay(self, seconds: float) -> None:
        requests.put(self.base_url + "/_fake/settings", json={"completion_delay": seconds}, timeout=10)

    def title_requests(self, marker: str) -> Counter:
        """Title (non-streamed) requests per conversation, recognised by the probe text in the prompt."""
        found = requests.get(self.base_url + "/_fake/requests", timeout=30).json()["requests"]
        pattern = re.compile(re.escape(marker) + r"\d+")
        return Counter(m.group(0) for r in found if not r["stream"] for m in [pattern.search(r["user"])] if m)


def start_upstream(workdir: Path, tokens: int = TOKENS, delay: float = TOKEN_DELAY) -> Upstream:
    """The fake on gevent in a process of its own; `tokens=0` echoes the message word by word."""
    command = [sys.executable, str(BENCH / "upstream.py"), "--tokens", str(tokens), "--delay", str(delay), "--port"]
    port = free_port()
    log_path = workdir / "upstream.log"
    started = time.perf_counter()
    popen = subprocess.Popen([*command, str(port)], cwd=ROOT, stdout=log_path.open("w"), stderr=subprocess.STDOUT)
    process = Process(popen, port, log_path)
    while popen.poll() is None:
        try:
            if requests.get(process.url + "/api/v1/models", timeout=2).ok:
                process.started_in = time.perf_counter() - started
                return Upstream(process)
        except requests.RequestException:
            gevent.sleep(0.02)
    raise RuntimeError(log_path.read_text())


def timed_get(url: str) -> float:
    start = time.perf_counter()
    response = requests.get(url, timeout=60)
    response.raise_for_status()
    return time.perf_counter() - start


def median_time(call, repeats: int = PAGE_REPEATS) -> float:
    call()  # warm caches and connections once
    return statistics.median(call() for _ in range(repeats))


@dataclass
class Config:
    name: str
    backend: str  # sqlite | postgresql
    workers: int | None  # None: main.py
    results: dict = field(default_factory=dict)
    layers: str = ""  # bench/relay_floor.py's FLOOR_LAYERS (backend "none")


def app_env(database_url: str, upstream: Upstream) -> dict[str, str]:
    """routerchat's settings under test: this database, the fake upstream, nothing from a .env."""
    return {**os.environ, "HOST": "127.0.0.1", "DATABASE_URL": database_url,
            "OPENROUTER_BASE_URL": upstream.base_url, "OPENROUTER_API_KEY": API_KEY, "SECRET_KEY": "bench",
            "ROUTERCHAT_DOTENV": "0", "TITLE_TIMEOUT": "60", "DB_CONNECTION_GUARD": "strict",
            "PYTHONUNBUFFERED": "1"}


class App:
    """One routerchat deployment under test."""

    def __init__(self, config: Config, database_url: str, upstream: Upstream, workdir: Path, root: Path = ROOT):
        env = app_env(database_url, upstream)
        if config.workers is None:
            command = [sys.executable, str(root / "main.py")]
        else:
            env.update(WEB_CONCURRENCY=str(config.workers), DB_POOL_SIZE=str(PG_POOL_SIZE),
                       DB_MAX_OVERFLOW=str(PG_POOL_SIZE),
                       PYTHONPATH=str(root))  # gunicorn imports the measured checkout's routerchat, not the venv's
            command = [str(Path(sys.executable).parent / "gunicorn"), "-c", "python:routerchat.gunicorn_conf",
                       "routerchat:create_app()"]
        self.process = launch(command, env, workdir, "/healthz")

    def target(self) -> load.Target:
        return load.Target("127.0.0.1", self.process.port, "/chat", {}, CHUNK_EVENT, b'"type": "done"')

    def chat(self, message: str, conversation_id: str | None = None) -> load.Sample:
        return load.stream(self.target(), {"message": message, "conversation_id": conversation_id})

    def conversation(self, conversation_id: str) -> dict:
        return requests.get(f"{self.process.url}/conversation/{conversation_id}", timeout=30).json()

    def guard_reports(self) -> int:
        return self.process.log_path.read_text(errors="replace").count(GUARD_MARK)


def peak_rss_during(process: Process, work) -> tuple[object, float]:
    """Run `work()` while sampling the process tree's RSS; return its value and the peak."""
    peak = [process.rss_mib()]

    def sample() -> None:
        while True:
            peak[0] = max(peak[0], process.rss_mib())
            gevent.sleep(0.05)
    sampler = gevent.spawn(sample)
    try:
        return work(), peak[0]
    finally:
        sampler.kill()


def relay_table(app: App, upstream: Upstream, results: dict, tag: str, levels: dict[int, int] = LEVELS) -> None:
    """(1), and (4)'s RSS per open stream from the 500-stream round: each level runs straight to
    the upstream, then through the app, while the process trees' RSS is sampled; `levels` maps
    simultaneous streams to rounds."""
    idle = {"app": app.process.rss_mib(), "upstream": upstream.process.rss_mib()}
    for level, rounds in levels.items():
        direct, relayed, peaks = [], [], {"app": 0.0, "upstream": 0.0}
        cpu_before, started = cpu_seconds(), time.perf_counter()
        for r in range(rounds):
            samples, peak = peak_rss_during(upstream.process, partial(load.concurrently, level, upstream.stream))
            direct, peaks["upstream"] = direct + samples, max(peaks["upstream"], peak)
            chat = partial(lambda level, r, i: app.chat(f"bench {tag} {level} {r} {i}"), level, r)
            samples, peak = peak_rss_during(app.process, partial(load.concurrently, level, chat))
            relayed, peaks["app"] = relayed + samples, max(peaks["app"], peak)
        results["relay", level] = (load.Stats.of(direct), load.Stats.of(relayed))
        # The last (largest) level's figures stay: the client's CPU share and KiB per open stream.
        results["client_cpu_share"] = (cpu_seconds() - cpu_before) / (time.perf_counter() - started)
        results["rss_per_stream"] = tuple((peaks[side] - idle[side]) * 1024 / level
                                          for side in ("app", "upstream"))


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def second_messages(app: App, conversation_ids: list[str], label: str) -> list[load.Sample]:
    return load.concurrently(len(conversation_ids), lambda i: app.chat(f"{label} {i}", conversation_ids[i]))


def titles_table(app: App, upstream: Upstream, results: dict, tag: str) -> None:
    """(2): the same other chats while 100 slow titles are pending, vs with none pending (measured
    before and after)."""
    others = [s.conversation_id for s in load.concurrently(OTHER_CHATS, lambda i: app.chat(f"other {tag} {i}"))]
    wait_until(lambda: all(app.conversation(c)["title_source"] != "default" for c in others), 30)
    none = second_messages(app, others, "calm")
    upstream.set_completion_delay(SLOW_TITLE_SECONDS)
    marker = f"title-probe-{tag}-"
    started = time.monotonic()
    try:
        # "echo reply" grounds the fake's title ("Echo Reply") in the exchange, so it is accepted.
        probes = load.concurrently(PENDING_TITLES, lambda i: app.chat(f"{marker}{i}: echo reply"))
        # Measure once every title request is out and waiting, not while they are being sent.
        wait_until(lambda: sum(upstream.title_requests(marker).values()) >= PENDING_TITLES, SLOW_TITLE_SECONDS / 2)
        busy = second_messages(app, others, "busy")
        in_flight = sum(upstream.title_requests(marker).values())  # none can have answered yet:
        overlapped = time.monotonic() - started < SLOW_TITLE_SECONDS  # each takes SLOW_TITLE_SECONDS
    finally:
        upstream.set_completion_delay(0)
    ids = [p.conversation_id for p in probes if p.conversation_id]
    wait_until(lambda: all(app.conversation(c)["title_source"] != "default" for c in ids), SLOW_TITLE_SECONDS + 60)
    landed = sum(app.conversation(c)["title_source"] == "auto" for c in ids)
    counts = upstream.title_requests(marker)
    none += second_messages(app, others, "calm again")  # before and after: the machine's noise evens out
    results["titles"] = {"none": load.Stats.of(none), "pending": load.Stats.of(busy), "in_flight": in_flight,
                         "overlapped": overlapped, "landed": landed, "probes": len(ids),
                         "requests": sum(counts.values()),
                         "exactly_one": len(counts) == len(ids) and set(counts.values()) == {1}}


def wait_until(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        gevent.sleep(0.1)
    return predicate()


def deep_cursor(engine: sa.Engine) -> str:
    """The cursor of the conversation halfway down the list."""
    with engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(Conversation)).scalar()
        row = conn.execute(sa.select(Conversation.id, Conversation.updated_at)
                           .order_by(Conversation.updated_at.desc(), Conversation.id.desc())
                           .offset(total // 2).limit(1)).one()
    return encode_cursor(SimpleNamespace(id=row.id, updated_at=row.updated_at))


def listing_times(app: App, engine: sa.Engine) -> dict:
    base = app.process.url
    cursor = deep_cursor(engine)
    newest = requests.get(base + "/conversations?limit=1", timeout=30).json()["conversations"][0]["id"]

    def page_load() -> float:
        return sum(timed_get(base + path) for path in ("/", "/conversations?limit=50", f"/conversation/{newest}"))
    return {"first page": median_time(lambda: timed_get(base + "/conversations?limit=50")),
            "deep page": median_time(lambda: timed_get(f"{base}/conversations?limit=50&before={cursor}")),
            "page load": median_time(page_load),
            # a word in ~1 message in 10,000 ("Seeded message 4321," and its longer cousins), as people search
            "search": median_time(lambda: timed_get(f"{base}/conversations?limit=50&q=4321%2C")),
            "search, two words": median_time(lambda: timed_get(f"{base}/conversations?limit=50&q=seeded+4321%2C")),
            "search, a word in every message": median_time(
                lambda: timed_get(f"{base}/conversations?limit=50&q=seeded")),
            # too short for the trigram index, and in no message: every message is read once
            "search, a rare two-letter word": median_time(lambda: timed_get(f"{base}/conversations?limit=50&q=zq"))}


def listing_table(app: App, upstream: Upstream, database_url: str, results: dict) -> None:
    """(3): seed 1k conversations, measure; seed up to 100k (and 1M messages), measure again."""
    engine = engine_for(database_url)
    try:
        seed(engine, 0, SMALL, MESSAGES_PER)
        small = listing_times(app, engine)
        started = time.perf_counter()
        seed(engine, SMALL, LARGE, MESSAGES_PER)
        seeded_in = time.perf_counter() - started
        large = listing_times(app, engine)
    finally:
        engine.dispose()
    results["listing"] = {"small": small, "large": large, "upstream": median_time(upstream.trivial_request),
                          "seeded_in": seeded_in}


def py_spy_path() -> str:
    """py-spy as scripts/bench.sh installs it (in the virtualenv), or from PATH."""
    return shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")


def profile_round(app: App, tag: str, seconds: int = 4) -> str:
    """py-spy (when installed) over an extra 500-stream round: where the app's CPU goes."""
    py_spy = py_spy_path()
    if not Path(py_spy).exists():
        return ""
    out = app.process.log_path.with_suffix(".pyspy.txt")
    spy = subprocess.Popen([py_spy, "record", "--nonblocking", "--subprocesses", "-r", "200", "-d", str(seconds),
                            "-f", "raw", "-o", str(out), "-p", str(app.process.popen.pid)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    gevent.sleep(0.5)
    load.concurrently(500, lambda i: app.chat(f"bench {tag} profile {i}"))
    spy.wait()
    return out.read_text() if out.exists() else ""


def run_config(config: Config, database_url: str, upstream: Upstream, workdir: Path, measure_listing: bool) -> None:
    print(f"== {config.name}", flush=True)
    app = App(config, database_url, upstream, workdir / config.name.split()[0])
    results = config.results
    try:
        results["cold_start"] = app.process.started_in
        gevent.sleep(1)
        results["idle_rss"] = app.process.rss_mib()
        tag = uuid.uuid4().hex[:6]
        if measure_listing:
            listing_table(app, upstream, database_url, results)
        relay_table(app, upstream, results, tag)
        titles_table(app, upstream, results, tag)
        results["profile"] = profile_round(app, tag)
    finally:
        app.process.stop()
        results["guard_reports"] = app.guard_reports()


def postgres_schema(base_url: str) -> tuple[str, str]:
    schema = f"rc_bench_{uuid.uuid4().hex[:10]}"
    with sa.create_engine(normalize_database_url(base_url)).begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in base_url else "?"
    return schema, f"{base_url}{separator}options=-csearch_path%3D{schema}"


def drop_schema(base_url: str, schema: str) -> None:
    with sa.create_engine(normalize_database_url(base_url)).begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))


def run_wrapped_main(script: Path, extra: list[str], drive: Callable[[App], None]) -> str:
    """Run main.py through `script --serve OUTPUT *extra` (a bench script that wraps it to measure
    it from inside: relay_timeline.py, gc_pauses.py) on a new SQLite file against the fake upstream,
    `drive` it, stop it with SIGTERM (on which the script writes OUTPUT) and return OUTPUT's text."""
    with tempfile.TemporaryDirectory(prefix="routerchat-wrapped-") as tmp:
        workdir = Path(tmp)
        upstream = start_upstream(workdir)
        output = workdir / "measured.json"
        app = App.__new__(App)
        app.process = launch([sys.executable, str(script), "--serve", str(output), *extra],
                             app_env(f"sqlite:///{workdir / 'bench.db'}", upstream), workdir / "app", "/healthz")
        try:
            drive(app)
        finally:
            app.process.popen.send_signal(signal.SIGTERM)
            app.process.popen.wait(30)
            upstream.process.stop()
        return output.read_text()


def floor_env(upstream: Upstream, workdir: Path, layers: str) -> dict[str, str]:
    """relay_floor.py's settings: this upstream, these FLOOR_LAYERS, its database in `workdir`."""
    return {"UPSTREAM": upstream.base_url, "UPSTREAM_KEY": API_KEY, "FLOOR_LAYERS": layers,
            "FLOOR_DB": str(workdir / "floor.db")}


class Floor(App):
    """bench/relay_floor.py: a bare gevent relay (no Flask, no database), or it with `layers` of
    routerchat's required work, measured like the app (App's way of sending a chat and reading its
    events; a process of its own instead of routerchat)."""

    def __init__(self, upstream: Upstream, workdir: Path, layers: str = ""):
        workdir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **floor_env(upstream, workdir, layers)}
        self.process = launch([sys.executable, str(BENCH / "relay_floor.py")], env, workdir, "/healthz")

    def guard_reports(self) -> int:
        return 0


def floor_config(layers: str) -> Config:
    """A row of the relay table for bench/relay_floor.py with these layers ("" is the bare floor)."""
    name = "bare gevent relay (floor)" if not layers else "floor + " + " + ".join(layers.split(","))
    return Config(name, "none", None, layers=layers)


def relay_only(root: Path, floor: bool, floor_layers: list[str], levels: dict[int, int] = LEVELS,
               gunicorn: int | None = None, postgres: str = "") -> None:
    """Section 1 alone for main.py + SQLite, or gunicorn ×`gunicorn` + PostgreSQL in a schema of
    its own in `postgres` (a minute): the relay figures of one checkout; with `floor`, those of the
    bare relay of bench/relay_floor.py first, and of it with each of `floor_layers` (routerchat's
    required work added back), against the same upstream."""
    configs = [floor_config(layers) for layers in ([""] if floor else []) + floor_layers]
    configs.append(Config(f"gunicorn ×{gunicorn} + PostgreSQL", "postgresql", gunicorn) if gunicorn
                   else Config("main.py + SQLite", "sqlite", None))
    guard_reports = 0
    with tempfile.TemporaryDirectory(prefix="routerchat-bench-") as tmp:
        workdir = Path(tmp)
        upstream = start_upstream(workdir)
        try:
            for number, config in enumerate(configs):
                schema, database_url = (postgres_schema(postgres) if config.backend == "postgresql"
                                        else (None, f"sqlite:///{workdir / 'bench.db'}"))
                app = (Floor(upstream, workdir / f"floor-{number}", config.layers) if config.backend == "none"
                       else App(config, database_url, upstream, workdir / "app", root))
                try:
                    relay_table(app, upstream, config.results, uuid.uuid4().hex[:6], levels)
                finally:
                    app.process.stop()
                    if schema is not None:
                        drop_schema(postgres, schema)
                guard_reports += app.guard_reports()
        finally:
            upstream.process.stop()
    print("\n".join(report.relay_section(configs, [])[4:]))
    print(f"guard reports: {guard_reports}; load average {os.getloadavg()[0]:.1f}")



PAGE_MARK = "<!-- page_stream.py -->"


def page_section(text: str) -> str:
    """The page benchmark's section (bench/page_stream.py --record), kept when the table is rewritten."""
    return "\n\n" + text[text.index(PAGE_MARK):] if PAGE_MARK in text else ""


def main() -> None:
    parser = argparse.ArgumentParser(description="routerchat benchmark: writes bench/RESULTS.md")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_DATABASE_URL", "postgresql://127.0.0.1:5432/test"))
    parser.add_argument("--output", default=str(BENCH / "RESULTS.md"))
    parser.add_argument("--relay-only", action="store_true",
                        help="only section 1 on main.py + SQLite, printed instead of written")
    parser.add_argument("--gunicorn", type=int, metavar="N",
                        help="with --relay-only: gunicorn ×N + PostgreSQL (--postgres) instead of main.py + SQLite")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="with --relay-only: the checkout whose main.py is measured (e.g. an export of older code)")
    parser.add_argument("--floor", action="store_true",
                        help="with --relay-only: measure bench/relay_floor.py (a bare gevent relay) first")
    parser.add_argument("--floor-layers", action="append", default=[], metavar="LAYERS",
                        help="with --relay-only: also measure relay_floor.py with these FLOOR_LAYERS "
                             "(flask,rows,feed,title,guards,search,ledger; repeat for several rows)")
    parser.add_argument("--levels", help="with --relay-only: these simultaneous streams only (e.g. 20,100)")
    parser.add_argument("--rounds", type=int, help="with --relay-only: rounds of each level (default: as the table)")
    args = parser.parse_args()
    if args.relay_only:
        chosen = [int(n) for n in args.levels.split(",")] if args.levels else list(LEVELS)
        relay_only(args.root, args.floor, args.floor_layers,
                   {level: args.rounds or LEVELS.get(level, 1) for level in chosen}, args.gunicorn, args.postgres)
        return
    configs = [Config("main.py + SQLite", "sqlite", None)] + [
        Config(f"gunicorn ×{n} + PostgreSQL", "postgresql", n) for n in (1, 2, 4)]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="routerchat-bench-") as tmp:
        workdir = Path(tmp)
        upstream = start_upstream(workdir)
        upstream_footprint = (upstream.process.started_in, upstream.process.rss_mib())
        schema, pg_url = postgres_schema(args.postgres)
        try:
            run_config(configs[0], f"sqlite:///{workdir / 'bench.db'}", upstream, workdir, True)
            for i, config in enumerate(configs[1:]):
                run_config(config, pg_url, upstream, workdir, measure_listing=i == 0)
        finally:
            upstream.process.stop()
            drop_schema(args.postgres, schema)
    output = Path(args.output)
    kept = page_section(output.read_text() if output.exists() else "")
    output.write_text(report.render(configs, upstream_footprint, time.perf_counter() - started,
                                    " ".join(["./scripts/bench.sh", *sys.argv[1:]])) + kept)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
