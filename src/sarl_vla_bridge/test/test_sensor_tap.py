"""The bridge's sensor side node: it spins itself, and the bridge's camera and arm_state readers live on it."""

from __future__ import annotations

import threading

import pytest
import rclpy
from rclpy.context import Context
from rclpy.node import Node
from sarl_interfaces.msg import ArmState
from sarl_vla_bridge.sensor_tap import SensorTap
from support.ros_node import SpunNode, wait_until


@pytest.fixture
def owner():
    context = Context()
    rclpy.init(context=context)
    node = Node("owner_bridge", namespace="/arm1", context=context)
    yield node
    node.destroy_node()
    rclpy.shutdown(context=context)


def test_messages_arrive_without_anyone_spinning_the_owner_node(owner):
    received = []
    tap = SensorTap(owner)
    tap.subscribe(ArmState, "arm_state", received.append, 10)
    tap.start()
    peer = SpunNode("arm_state_peer")
    try:
        publisher = peer.node.create_publisher(ArmState, "/arm1/arm_state", 10)
        wait_until(lambda: publisher.get_subscription_count() > 0, 10.0, "the tap's reader")
        for count in range(3):
            publisher.publish(ArmState(commands_applied=count))
        wait_until(lambda: len(received) == 3, 10.0, "three arm states in the tap's callback")
        assert [msg.commands_applied for msg in received] == [0, 1, 2]
        assert tap.node.get_fully_qualified_name() == "/arm1/owner_bridge_sensors"
    finally:
        peer.close()
        tap.close()
        tap.close()  # a second close (destroy_node after a failed start) does nothing
    assert not any(t.name == "sensor-tap" for t in threading.enumerate())


def test_subscribing_after_start_is_refused(owner):
    tap = SensorTap(owner)
    tap.start()
    try:
        with pytest.raises(RuntimeError, match="before start"):
            tap.subscribe(ArmState, "arm_state", lambda _: None, 10)
    finally:
        tap.close()
