"""bench/relay_timeline.py wraps routerchat's own functions by name: it must still find every phase
of every message, or the timeline it prints is no timeline."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TIMELINE = Path(__file__).resolve().parent.parent / "bench" / "relay_timeline.py"


def test_the_timeline_finds_every_phase_of_every_message(tmp_path):
    result = subprocess.run([sys.executable, str(TIMELINE), "--level", "3", "--rounds", "2"], capture_output=True,
                            text=True, timeout=240, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    last_round = result.stdout.split("Medians")[0]
    rows = [line for line in last_round.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert len(rows) == 3  # every message of the round, with all seven phases
    for row in rows:
        times = [float(cell) for cell in row.strip("| ").split(" | ")]
        assert len(times) == 7 and times == sorted(times)  # the phases in their order
