"""`make bench`'s interbotix timing runs end to end against the real toolbox and xs_sdk_sim."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support.upstream import INTERBOTIX

SCRIPT = Path(__file__).with_name("interbotix_arm.py")


def test_the_interbotix_benchmark_measures_both_rows_against_the_toolbox_alone():
    INTERBOTIX.require()
    run = subprocess.run([sys.executable, str(SCRIPT), "--repeats", "1"], capture_output=True, text=True,
                         timeout=300)  # fmt: skip
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    rows = [line for line in run.stdout.splitlines() if "toolbox alone p50" in line]
    assert [line.split(" backend")[0].strip() for line in rows] == [
        "command -> first motion", "gripper command -> motor off"], run.stdout[-2000:]
    assert all("ratio" in line for line in rows)
