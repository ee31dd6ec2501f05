"""The wrist camera: the simulated view follows the gripper; the driver publishes it only when asked."""

from __future__ import annotations

import numpy as np
import pytest
from rclpy.node import Node
from sarl_interfaces.msg import ArmCommand, ArmState
from sarl_sim.camera import project
from sensor_msgs.msg import Image
from support.applied_command import send_until_applied
from support.ros_node import wait_until
from widowx_driver.driver_node import LATEST_ONLY_QOS
from widowx_driver.wrist_camera import SIM_WRIST_FIELD_PX, WRIST_TOPIC, WristCamera, sim_wrist_view

HOME = np.array([0.25, 0.05, 0.12, 0.0, 0.0, 0.0, 1.0])


def test_the_simulated_wrist_view_magnifies_the_patch_around_the_gripper():
    third_person = np.zeros((256, 256, 3), np.uint8)
    u, v = project(*HOME[:3])
    third_person[v - 2 : v + 3, u - 2 : u + 3] = 255  # a white dot where the gripper is
    view = sim_wrist_view(third_person, HOME)
    assert view.shape == third_person.shape and view.dtype == np.uint8
    scale = 256 / SIM_WRIST_FIELD_PX
    assert view[128, 128].tolist() == [255, 255, 255]  # the gripper is at the centre, magnified
    assert int(np.count_nonzero(view[:, :, 0])) > 20 * scale**2
    moved = sim_wrist_view(third_person, HOME + np.array([0.0, 0.08, 0.0, 0, 0, 0, 0]))  # 8 cm to the left
    assert moved[128, 128].tolist() == [0, 0, 0] and not np.array_equal(moved, view)


def test_the_driver_publishes_a_wrist_image_that_moves_with_the_hand(make_driver, make_host, make_probe):
    peer = make_host(lambda context: Node("wrist_test_peer", context=context), threads=2)
    make_driver(wrist_camera=True, task_name="pot_lid_to_towel", seed=1)
    wrist = make_probe(peer.node, Image, WRIST_TOPIC, LATEST_ONLY_QOS)
    main = make_probe(peer.node, Image, "camera/image_raw", LATEST_ONLY_QOS)
    states = make_probe(peer.node, ArmState, "arm_state")
    first = wrist.wait_first(20, "a wrist image")
    assert (first.width, first.height, first.encoding) == (256, 256, "rgb8")
    assert bytes(first.data) != bytes(main.wait_first(20, "a third-person image").data)

    commands = peer.node.create_publisher(ArmCommand, "arm_command", 10)
    wait_until(lambda: commands.get_subscription_count() > 0, 20, "the driver to subscribe arm_command")

    def publish_fresh() -> None:
        command = ArmCommand(source=ArmCommand.SOURCE_OPERATOR, dy=0.03, gripper=1.0)
        command.header.stamp = peer.node.get_clock().now().to_msg()  # the driver refuses stale or unframed commands
        command.header.frame_id = "base_link"
        commands.publish(command)

    for number in range(1, 4):
        send_until_applied(publish_fresh, states.latest, f"command {number} of 3 applied")
    wrist.wait_for(lambda m: bytes(m.data) != bytes(first.data), 10, "a wrist image from the new hand position")


def test_no_wrist_topic_unless_enabled(make_driver, make_host):
    peer = make_host(lambda context: Node("no_wrist_peer", context=context), threads=2)
    make_driver(task_name="pot_lid_to_towel", seed=1)
    wait_until(lambda: peer.node.count_publishers("/camera/image_raw") > 0, 20, "the third-person camera")
    assert peer.node.count_publishers(f"/{WRIST_TOPIC}") == 0


def test_a_missing_real_wrist_camera_fails_naming_the_device():
    assert WristCamera.open("interbotix", False, "/dev/no_such_wrist_camera", 256, 256) is None
    with pytest.raises(RuntimeError, match="/dev/no_such_wrist_camera"):
        WristCamera.open("interbotix", True, "/dev/no_such_wrist_camera", 256, 256)
