"""`make bench`'s bridge benchmark runs end to end (it once failed every goal: the bridge began requiring
goals signed with the run secret, and the benchmark's unsigned goals were rejected)."""

from __future__ import annotations

import subprocess
import sys


def test_the_bridge_benchmark_completes_a_short_run():
    run = subprocess.run([sys.executable, "-m", "sarl_vla_bridge.benchmark", "--steps", "8", "--warmup", "2",
                          "--rounds", "1", "--policy-ms", "0"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    assert "ratio bridge/bare: p50" in run.stdout and "rejected" not in run.stderr
