"""SIGKILL of the recorder under the real ``ros2 launch``: launch restarts it and the run loses nothing.

Why: a crashed recorder used to end the whole graph under ``ros2 launch`` (only the local launcher
restarted it). The agent keeps every unacknowledged transition and re-sends it, so a restarted recorder
must end the run with every acknowledged transition, from before and after the kill, in the bag.
"""

from __future__ import annotations

import os
import signal
import sys

import pytest
from support.launch_checks import AckListener, stored_transitions
from support.ros_node import wait_until
from support.sessions import find_in_session

pytestmark = [pytest.mark.graph,
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and process sessions: Linux")]

STARTUP_TIMEOUT = 180.0
"""[s] for the first acknowledged transitions: seven Python processes importing torch on a loaded 2-core box."""


@pytest.mark.timeout(420)
def test_a_killed_recorder_is_restarted_by_ros2_launch_and_the_run_finishes_with_every_transition(
        start_launch, tmp_path):  # fmt: skip
    acks = AckListener()
    try:
        launch = start_launch("sarl_bringup", "sim.launch.py", "episodes:=3", "sim_policy_port:=0")
        wait_until(lambda: len(acks.acked) >= 2, STARTUP_TIMEOUT, "2 acknowledged transitions")
        (recorder,) = find_in_session(launch.pid, "lib/sarl_agent/recorder")
        os.kill(recorder, signal.SIGKILL)
        acked_before_kill = acks.acked
        wait_until(lambda: "recorder exited with code -9: restarting it (1/" in launch.output(), 30,
                   "launch to restart the recorder")
        code = launch.wait(300.0)
        acked = acks.acked
    finally:
        acks.close()
    output = launch.output()
    assert code == 0, f"ros2 launch exited with {code} after a restarted recorder:\n{output[-3000:]}"
    assert "run finished" in output, output[-3000:]
    stored = stored_transitions(tmp_path / "runs" / "bags")
    assert acked_before_kill <= acked and not acked - stored, f"acknowledged but not stored: {sorted(acked - stored)}"
    print(f"recorder SIGKILL after {len(acked_before_kill)} acknowledged: restarted by ros2 launch, run finished, "
          f"{len(acked)} acknowledged, all in the bag")
