"""``sarl doctor``'s probes against the REAL simulated xs_sdk and toolbox (../shared/upstream/interbotix).

The doctor reads the motor profile through the xs_sdk's own service and finds the xs_sdk node by its
simulated name; before the driver's backend connects the motors carry modes.yaml's 2 s profile, after
it the control period.
"""

from __future__ import annotations

import pytest
from sarl_bringup.doctor_arm import PROFILE_REGISTER, check_motor_profile, xs_sdk_node
from sarl_bringup.doctor_checks import Status
from sarl_bringup.doctor_ros import GraphProbe
from support import interbotix_peer
from support.ros_node import wait_until


@pytest.fixture
def sim(tmp_path):
    interbotix_peer.activate_toolbox()
    process = interbotix_peer.start_sim(tmp_path)
    yield process
    process.stop()


def test_doctor_reads_the_profile_and_names_the_simulated_xs_sdk(sim):
    from widowx_driver.interbotix_backend import InterbotixBackend

    with GraphProbe() as probe:
        found = probe.node_names(["/wx250s/xs_sdk_sim"], 30.0)
        assert xs_sdk_node("wx250s", found) == "/wx250s/xs_sdk_sim"
        before = probe.motor_registers("wx250s", PROFILE_REGISTER, 30.0)
        assert check_motor_profile(before, 5.0, "wx250s").status is Status.FAIL  # modes.yaml: 2000 ms
        arm = InterbotixBackend(moving_time=0.2, connect_timeout=30.0)
        arm.connect()
        try:
            after = probe.motor_registers("wx250s", PROFILE_REGISTER, 10.0)
            result = check_motor_profile(after, 5.0, "wx250s")
            assert result.status is Status.PASS, result.detail
        finally:
            arm.close()
    wait_until(lambda: sim.is_running(), 1.0, "the simulated xs_sdk still running")
