"""The simulator backend has no arm joints: joint commands are refused, counted and logged, never faked."""

from __future__ import annotations

import pytest
from rclpy.node import Node
from sarl_interfaces.msg import ArmState
from sensor_msgs.msg import JointState
from support.ros_node import wait_until
from widowx_driver.sim_backend import SIM_JOINT_NAMES

HOME_XYZ = (0.25, 0.05, 0.12)


def test_the_sim_refuses_joint_commands_as_unsupported_and_the_arm_stays(make_driver, make_host, make_probe):
    driver = make_driver()
    peer = make_host(lambda context: Node("joint_command_sim_peer", context=context), threads=2).node
    states = make_probe(peer, ArmState, "arm_state")
    commands = peer.create_publisher(JointState, "joint_command", 10)
    wait_until(lambda: commands.get_subscription_count() > 0, 20, "the driver to subscribe joint_command")
    states.wait_first(20, "a first arm_state")
    for count in (1, 2):  # the simulator's own joint names, a target one step from home
        msg = JointState(name=list(SIM_JOINT_NAMES), position=[0.26, 0.05, 0.12, 0.0, 0.0, 0.0, 1.0])
        msg.header.stamp = peer.get_clock().now().to_msg()
        msg.header.frame_id = "base_link"
        commands.publish(msg)
        state = states.wait_for(lambda m, c=count: m.commands_unsupported == c, 10.0, f"refusal {count} counted")
        assert (state.commands_rejected, state.commands_applied, state.commands_received) == (count, 0, count)
    assert (state.x, state.y, state.z) == pytest.approx(HOME_XYZ)
    assert driver.counters == (0, 0, 2)
