"""Turn one benchmark run into bench/RESULTS.md (pure formatting, no I/O but reading /proc)."""
from __future__ import annotations

import math
import os
import platform
import re
from collections import Counter
from datetime import UTC, datetime

TARGETS = {"relay100": 1.10, "relay500": 1.25, "first20_ms": 20.0, "titles": 1.05, "listing": 1.5}
LINE_NUMBER = re.compile(r":\d+\)$")


def parse_stacks(raw: str) -> list[tuple[list[str], int]]:
    """py-spy's raw (collapsed) output: Python frames without line numbers (process and thread
    frames dropped), with their sample counts."""
    stacks = []
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [LINE_NUMBER.sub(")", f.strip()) for f in stack.split(";")
                  if f.strip() and not f.startswith(("process ", "thread "))]
        if frames and count.isdigit():
            stacks.append((frames, int(count)))
    return stacks


def own_time(raw: str, top: int = 12) -> list[tuple[str, float]]:
    """Top functions by own (leaf) samples, in % of all samples."""
    counts: Counter = Counter()
    for frames, count in parse_stacks(raw):
        counts[frames[-1]] += count
    total = sum(counts.values()) or 1
    return [(name, 100 * n / total) for name, n in counts.most_common(top)]


def app_inclusive_time(raw: str, top: int = 8) -> list[tuple[str, float]]:
    """routerchat's own functions by inclusive samples (the time spent in them and below), in %."""
    counts: Counter = Counter()
    stacks = parse_stacks(raw)
    for frames, count in stacks:
        for name in {f for f in frames if "(routerchat/" in f}:
            counts[name] += count
    total = sum(count for _, count in stacks) or 1
    return [(name, 100 * n / total) for name, n in counts.most_common(top)]


def ms(seconds: float) -> str:
    return "—" if math.isnan(seconds) else f"{seconds * 1000:.0f}"


def ratio(value: float, base: float) -> float:
    return value / base if base and not math.isnan(value) and not math.isnan(base) else math.nan


def fmt(x: float) -> str:
    return "—" if math.isnan(x) else f"×{x:.2f}"


def mark(ok: bool) -> str:
    return "✓" if ok else "**✗**"


def relay_section(configs, missed: list[str]) -> list[str]:
    rows = ["## 1. Relay: answers through routerchat vs straight from the upstream", "",
            "Each level runs straight to the upstream, then through routerchat, with the same client; "
            "one stream = a new conversation (user message stored, answer relayed and stored, title job "
            "started). p50/p99: time to the end of the answer; first: time to the first token (p50).", "",
            "| setup | streams | upstream p50 / p99 / first ms | routerchat p50 / p99 / first ms | p50 | p99 | "
            "first token | errors | target |",
            "|---|---|---|---|---|---|---|---|---|"]
    for config in configs:
        for key, (direct, relayed) in sorted((k, v) for k, v in config.results.items()
                                             if isinstance(k, tuple) and k[0] == "relay"):
            level = key[1]
            p50, p99 = ratio(relayed.p50, direct.p50), ratio(relayed.p99, direct.p99)
            extra_ms = (relayed.first_p50 - direct.first_p50) * 1000
            target = ""
            if level == 100:
                target = f"p50 ≤ ×{TARGETS['relay100']} {mark(p50 <= TARGETS['relay100'])}"
            elif level == 500:
                target = f"p50 ≤ ×{TARGETS['relay500']} {mark(p50 <= TARGETS['relay500'])}"
            elif level == 20:
                target = f"first + ≤ {TARGETS['first20_ms']:.0f} ms {mark(extra_ms <= TARGETS['first20_ms'])}"
            if "✗" in target:
                missed.append(f"{config.name}, {level} streams: {target.split(' **')[0]} (measured p50 {fmt(p50)}, "
                              f"first token +{extra_ms:.0f} ms)")
            rows.append(f"| {config.name} | {level} | {ms(direct.p50)} / {ms(direct.p99)} / {ms(direct.first_p50)} | "
                        f"{ms(relayed.p50)} / {ms(relayed.p99)} / {ms(relayed.first_p50)} | {fmt(p50)} | {fmt(p99)} | "
                        f"{fmt(ratio(relayed.first_p50, direct.first_p50))} (+{extra_ms:.0f} ms) | "
                        f"{relayed.errors}/{relayed.count} | {target} |")
    return rows


def titles_section(configs, missed: list[str]) -> list[str]:
    rows = ["## 2. Other chats while 100 slow titles are pending", "",
            "20 existing conversations get a message at once: with no title pending (once before, once "
            "after, pooled), and once all 100 title requests of 100 new conversations are waiting on a "
            "title model that answers in 10 s. Title requests are counted in the fake upstream.", "",
            "| setup | none pending p50 / p99 ms | 100 pending p50 / p99 ms | p50 | p99 | title requests in flight "
            "| titles landed | one request per conversation | target p50 ≤ ×1.05 |",
            "|---|---|---|---|---|---|---|---|---|"]
    for config in configs:
        t = config.results.get("titles")
        if not t:
            continue
        p50, p99 = ratio(t["pending"].p50, t["none"].p50), ratio(t["pending"].p99, t["none"].p99)
        ok = p50 <= TARGETS["titles"]
        if not ok:
            missed.append(f"{config.name}: other chats with 100 pending titles {fmt(p50)} (target ×1.05)")
        overlap = "" if t["overlapped"] else " (measure outlasted the title delay)"
        rows.append(f"| {config.name} | {ms(t['none'].p50)} / {ms(t['none'].p99)} | {ms(t['pending'].p50)} / "
                    f"{ms(t['pending'].p99)} | {fmt(p50)} | {fmt(p99)} | {t['in_flight']}{overlap} | "
                    f"{t['landed']}/{t['probes']} | {'yes' if t['exactly_one'] else 'NO'} ({t['requests']} requests) "
                    f"| {mark(ok)} |")
    return rows


def listing_section(configs, missed: list[str]) -> list[str]:
    rows = ["## 3. Listing, search and page load, 1k vs 100k conversations (1M messages)", "",
            "Median of 15 after one warm-up. Deep page: `before=` the conversation halfway down the list. "
            "Page load: `GET /`, the first page of conversations and the newest conversation, one after "
            "the other. Search: `q=4321,` (in about one message in 10,000), `q=seeded 4321,` (with a "
            "word every message has: all words are required), `q=seeded` alone, and `q=zq` (in no message, "
            "and too short for the trigram index). The upstream column is a trivial "
            "request to the fake (`GET /models`).", "",
            "| setup | request | upstream ms | 1k ms | 100k ms | 100k ÷ 1k | 100k ÷ upstream | target ≤ ×1.5 |",
            "|---|---|---|---|---|---|---|---|"]
    for config in configs:
        listing = config.results.get("listing")
        if not listing:
            continue
        for name, small in listing["small"].items():
            large = listing["large"][name]
            growth = ratio(large, small)
            if growth > TARGETS["listing"]:
                missed.append(f"{config.name}: {name} {fmt(growth)} at 100k vs 1k (target ×1.5)")
            rows.append(f"| {config.name} | {name} | {ms(listing['upstream'])} | {ms(small)} | {ms(large)} | "
                        f"{fmt(growth)} | {fmt(ratio(large, listing['upstream']))} | "
                        f"{mark(growth <= TARGETS['listing'])} |")
    seeded = [f"{c.name}: {c.results['listing']['seeded_in']:.0f} s" for c in configs if "listing" in c.results]
    return rows + ["", f"Seeding 99k conversations and 990k messages (bulk SQL) took {', '.join(seeded)}."]


def footprint_section(configs, upstream_footprint: tuple[float, float]) -> list[str]:
    up_start, up_rss = upstream_footprint
    rows = ["## 4. Footprint", "",
            f"Upstream (the fake on gevent, one process): cold start {up_start:.2f} s, idle RSS {up_rss:.0f} MiB. "
            "Cold start: process start to the first healthy `/healthz` (migrations included; gunicorn: all "
            "processes). RSS: the whole process tree. Per stream: peak RSS during 500 simultaneous streams "
            "minus idle, ÷ 500. Load generator CPU: this bench's own CPU share during the 500-stream rounds "
            "(well under one core: the client is not the bottleneck). Guard: log lines of the connection "
            "guard (strict mode) — any would mean a connection held across a network wait.", "",
            "| setup | cold start | idle RSS | RSS per open stream (upstream's) | load generator CPU | guard |",
            "|---|---|---|---|---|---|"]
    for config in configs:
        r = config.results
        if "rss_per_stream" not in r:
            continue
        app_kib, up_kib = r["rss_per_stream"]
        rows.append(f"| {config.name} | {r['cold_start']:.2f} s ({fmt(ratio(r['cold_start'], up_start))}) | "
                    f"{r['idle_rss']:.0f} MiB ({fmt(ratio(r['idle_rss'], up_rss))}) | {app_kib:.0f} KiB "
                    f"({up_kib:.0f} KiB, {fmt(ratio(app_kib, up_kib))}) | {100 * r['client_cpu_share']:.0f}% | "
                    f"{r.get('guard_reports', '?')} |")
    return rows


def profile_section(configs) -> list[str]:
    rows = ["## Profiles", "",
            "py-spy (`--subprocesses --nonblocking`, 200 Hz, idle excluded) over an extra round of 500 streams "
            "per setup: the functions with the most own CPU samples, and routerchat's functions by "
            "inclusive samples (their time and everything they call)."]
    for config in configs:
        raw = config.results.get("profile")
        if raw:
            rows += ["", f"**{config.name}**", "", "| own CPU | function | | inclusive | routerchat function |",
                     "|---|---|---|---|---|"]
            own, inclusive = own_time(raw), app_inclusive_time(raw)
            for i, (name, share) in enumerate(own):
                app_part = f"{inclusive[i][1]:.1f}% | `{inclusive[i][0]}`" if i < len(inclusive) else " | "
                rows.append(f"| {share:.1f}% | `{name}` | | {app_part} |")
    return rows


def render(configs, upstream_footprint: tuple[float, float], seconds: float, command: str) -> str:
    missed: list[str] = []
    load1, load5, _ = os.getloadavg()
    header = ["# Benchmark results", "",
              f"Produced by `{command}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC in {seconds / 60:.1f} min: "
              f"{os.cpu_count()} cores, load average {load1:.1f} / {load5:.1f} at the end (the machine is shared), "
              f"Python {platform.python_version()}. Upstream: the fake OpenRouter from `tests/` on gevent, "
              "answers of 50 chunks × 20 ms. Every ratio compares figures measured in this run.", ""]
    body = (relay_section(configs, missed) + [""] + titles_section(configs, missed) + [""]
            + listing_section(configs, missed) + [""] + footprint_section(configs, upstream_footprint) + [""]
            + profile_section(configs))
    summary = ["## Targets missed in this run", ""] + ([f"- {m}" for m in missed] or ["None."]) + [""]
    return "\n".join(header + summary + body) + "\n"
