"""SIGINT, SIGTERM or SIGKILL to ``ros2 launch`` of the sim graph: every node stops by itself, safely.

Why: SIGTERM (``kill``, systemd, ``docker stop``) and SIGKILL end ``ros2 launch`` at once and
leave its nodes running (ros2/launch#666); an orphaned driver or agent would go on
commanding the arm. Each node watches its launcher (sarl_node_runtime) and stops as on
SIGINT: the driver holds, the agent stops, the recorder closes its bag.
"""

from __future__ import annotations

import signal
import sys

import pytest
from support.launch_checks import AckListener, check_driver_held_last, stored_transitions
from support.ros_node import wait_until
from support.sessions import command_line

pytestmark = [pytest.mark.graph,
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and process sessions: Linux")]

NODES_GONE_WITHIN = 10.0
"""[s] the issue's bound for every node to be gone after the signal. Nodes poll their launcher every 0.1 s;
the rest is their own stop (driver hold, agent's last label, recorder closing its bag)."""
STARTUP_TIMEOUT = 180.0
"""[s] for the first acknowledged transitions: seven Python processes importing torch on a loaded 2-core box."""


@pytest.mark.timeout(360)
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name)
def test_signal_to_ros2_launch_stops_every_node_with_a_hold_and_a_readable_bag(start_launch, tmp_path, signum):
    acks = AckListener()
    try:
        launch = start_launch("sarl_bringup", "sim.launch.py", "episodes:=50", "sim_policy_port:=0")
        wait_until(lambda: len(acks.acked) >= 3, STARTUP_TIMEOUT, "3 acknowledged transitions")
        nodes = launch.nodes()
        if signum == signal.SIGINT:
            launch.press_ctrl_c()  # as in a terminal: every node gets SIGINT twice (the terminal's, launch's)
        else:
            launch.send_signal(signum)
        survivors = launch.wait_nodes_gone(NODES_GONE_WITHIN)
        assert not survivors, (f"{signum.name}: still running {NODES_GONE_WITHIN} s later: "
                               f"{[command_line(pid)[:2] for pid in survivors]} (of {len(nodes)})")
        code = launch.wait(10.0)
        acked = acks.acked
    finally:
        acks.close()
    output = launch.output()
    if signum == signal.SIGINT:
        assert code == 0, f"ros2 launch exited with {code} on Ctrl-C:\n{output[-3000:]}"
        errors = [line for line in output.splitlines() if "ERROR" in line]
        assert not errors, "a normal Ctrl-C stop printed errors:\n" + "\n".join(errors)
    check_driver_held_last(launch)
    missing = acked - stored_transitions(tmp_path / "runs" / "bags")
    assert not missing, f"acknowledged but not in the bag: {sorted(missing)}"
