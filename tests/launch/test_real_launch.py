"""``ros2 launch sarl_bringup real_widowx.launch.py`` on a machine without the arm, Interbotix or a Gemini key.

Why: on the robot PC a missing piece must stop the launch with a message that names it
and a non-zero exit code, not leave half a graph running or exit 0.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.graph

FAIL_WITHIN = 240.0
"""[s] start-up of the nodes on a loaded machine plus the driver's connect timeout (30 s in real_widowx.yaml)."""


@pytest.mark.timeout(400)
def test_real_launch_without_hardware_fails_clearly_and_leaves_nothing_running(start_launch):
    launch = start_launch("sarl_bringup", "real_widowx.launch.py",
                          unset_env=("GEMINI_API_KEY", "OPENPI_API_KEY"))
    code = launch.wait(FAIL_WITHIN)
    output = launch.output()
    assert code != 0, f"ros2 launch exited 0 although the graph could not run:\n{output[-3000:]}"
    assert "required process" in output and "exited with code" in output, output[-3000:]
    assert not launch.wait_nodes_gone(15.0), "nodes left running after the failed launch"
