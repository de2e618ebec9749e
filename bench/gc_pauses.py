"""The garbage collector's share of the app's CPU under load, and its longest pauses.

Starts the fake upstream and main.py (SQLite) with `gc.callbacks` timing every collection in the
server process, sends `--levels` rounds of simultaneous new chats (default 100, 500, 500), and
prints per generation the number of collections, their total and longest time, and the total
against the process's CPU time. While the collector runs the event loop is stopped: every stream
waits. `--unfrozen` leaves out main.py's `freeze_start_up_objects` (the collector as Python sets
it), for the comparison.

    .venv/bin/python bench/gc_pauses.py [--levels 100,500,500] [--unfrozen]
"""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import runpy  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def serve(stats_path: str, unfrozen: bool) -> None:
    """main.py with every collection timed; the totals are written on SIGTERM."""
    sys.path.insert(0, str(ROOT))
    stats = {"count": [0, 0, 0], "seconds": [0.0, 0.0, 0.0], "longest": [0.0, 0.0, 0.0]}
    started: dict[int, float] = {}

    def timed(phase: str, info: dict) -> None:
        generation = info["generation"]
        if phase == "start":
            started[generation] = time.perf_counter()
            return
        took = time.perf_counter() - started.pop(generation, time.perf_counter())
        stats["count"][generation] += 1
        stats["seconds"][generation] += took
        stats["longest"][generation] = max(stats["longest"][generation], took)
    gc.callbacks.append(timed)
    if unfrozen:
        import routerchat.serving
        routerchat.serving.freeze_start_up_objects = lambda: None

    def write_stats(*_) -> None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        stats["cpu"] = usage.ru_utime + usage.ru_stime
        Path(stats_path).write_text(json.dumps(stats))
        os._exit(0)
    signal.signal(signal.SIGTERM, write_stats)
    sys.argv = [str(ROOT / "main.py")]
    runpy.run_path(str(ROOT / "main.py"), run_name="__main__")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="100,500,500", help="simultaneous new chats of each round")
    parser.add_argument("--unfrozen", action="store_true", help="without main.py's freeze_start_up_objects")
    parser.add_argument("--serve", help=argparse.SUPPRESS)  # the measured server, started by this script
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.unfrozen)
        return
    sys.path.insert(0, str(ROOT))
    from bench import load
    from bench.run import App, run_wrapped_main

    def rounds(app: App) -> None:
        for number, level in enumerate(int(n) for n in args.levels.split(",")):
            samples = load.concurrently(level, lambda i, n=number: app.chat(f"gc {n} {i}"))
            print(f"round {number + 1}: {level} streams, {sum(s.ok for s in samples)} ended well", flush=True)
        gevent.sleep(4)  # the last titles
    stats = json.loads(run_wrapped_main(Path(__file__).resolve(), ["--unfrozen"] if args.unfrozen else [], rounds))
    print("| generation | collections | total s | longest ms |")
    print("|---|---|---|---|")
    for generation in range(3):
        print(f"| {generation} | {stats['count'][generation]} | {stats['seconds'][generation]:.2f} | "
              f"{stats['longest'][generation] * 1e3:.0f} |")
    total = sum(stats["seconds"])
    print(f"collector {total:.2f} s of the app's {stats['cpu']:.1f} s CPU ({total / stats['cpu'] * 100:.1f}%)"
          f"{' (unfrozen)' if args.unfrozen else ''}")


if __name__ == "__main__":
    main()
