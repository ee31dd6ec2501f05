"""SIGKILL of the real VLA bridge in the running sim graph, mid-run (issue 21's kill -9 of the bridge).

What must hold: the arm is not left moving (the driver's last act is its stopping hold, nothing applied
after it), the launcher stops the graph and reports the run failed naming the bridge, the agent's canceled
step is not learned from, and every acknowledged transition is in a complete bag.
"""

from __future__ import annotations

import os
import signal
import sys

import pytest
from sarl_agent.bag.reader import BagSet, find_bags
from sarl_agent.bag.recovery import is_complete
from sarl_auth import load_or_create_secret
from support.launch_checks import DRIVER_HELD, AckListener
from support.processes import PeerProcess
from support.ros_node import wait_until
from support.sessions import find_in_session

pytestmark = [
    pytest.mark.graph,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="finds the bridge's pid in /proc"),
]

RUN_ID = "bridge-kill"
EPISODES = 60
"""Far more than run before the kill: the kill must land mid-run."""


def test_sigkill_of_the_bridge_mid_run_stops_the_graph_with_the_arm_held_and_loses_nothing(tmp_path):
    acks = AckListener()
    bag_dir, logs = tmp_path / "bags", tmp_path / "logs"
    launcher = PeerProcess([
        sys.executable, "-m", "sarl_bringup.local_launch", "--profile", "sim", "--log-dir", str(logs),
        "--sim-policy-port", "0", "--set", f"recorder.bag_dir={bag_dir}",
        "--set", f"sarl_agent.episodes={EPISODES}", "--set", f"sarl_agent.run_id={RUN_ID}",
        "--set", f"sarl_agent.output_dir={tmp_path}",
    ], tmp_path / "launcher.log")
    try:
        wait_until(lambda: len(acks.acked) >= 3, 300, "3 acknowledged transitions")
        (bridge,) = find_in_session(launcher.pid, "lib/sarl_vla_bridge/vla_bridge")
        os.kill(bridge, signal.SIGKILL)
        acked_before_kill = {sequence for run, sequence in acks.acked if run == RUN_ID}
        wait_until(lambda: not launcher.is_running(), 90, "the launcher to stop the graph after the bridge died")
    finally:
        code = launcher.stop()
        acks.close()
    log = launcher.log_text()
    assert code != 0, "the launcher must report the run as failed"
    assert "'vla_bridge': -9" in log, log[-3000:]

    driver = (logs / "widowx_driver.log").read_text(errors="replace").splitlines()
    held = [i for i, line in enumerate(driver) if DRIVER_HELD in line]
    assert held, "the driver never logged its stopping hold:\n" + "\n".join(driver[-10:])
    assert not [line for line in driver[held[-1] + 1:] if "applied" in line], "the driver acted after its hold"

    (bag,) = find_bags([bag_dir])
    assert is_complete(bag), f"the recorder did not finish its bag:\n{log[-3000:]}"
    bags = BagSet([bag_dir], secret=load_or_create_secret())
    stored = {m.msg.sequence for m in bags.transitions() if m.msg.run_id == RUN_ID}
    assert bags.report.forged == bags.report.unsigned == 0
    assert acked_before_kill <= stored, f"acknowledged but not in the bag: {sorted(acked_before_kill - stored)}"
    episodes = (tmp_path / RUN_ID / "episodes.csv").read_text().splitlines()[1:]
    assert len(episodes) < EPISODES, "the kill did not happen mid-run"
    print(f"bridge SIGKILL after {len(episodes)} episodes: graph stopped ({code}), driver held last, "
          f"{len(acked_before_kill)} acknowledged before the kill, {len(stored)} in the bag")
