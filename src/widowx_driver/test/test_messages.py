"""Message conversions of the driver: images, scene arrays, arm state."""

import numpy as np
import pytest
from builtin_interfaces.msg import Time
from widowx_driver import messages
from widowx_driver.driver_counters import DriverCounters


def test_image_message_is_rgb8_with_the_frames_bytes():
    frame = np.random.default_rng(0).integers(0, 255, size=(4, 6, 3), dtype=np.uint8)
    msg = messages.image_message(frame, Time(sec=1), "base_link")
    assert (msg.height, msg.width, msg.step, msg.encoding) == (4, 6, 18, "rgb8")
    np.testing.assert_array_equal(np.frombuffer(bytes(msg.data), np.uint8).reshape(4, 6, 3), frame)


def test_image_message_refuses_non_rgb_frames():
    with pytest.raises(ValueError, match="uint8 RGB"):
        messages.image_message(np.zeros((4, 4), np.uint8), Time(), "")


def test_scene_round_trips_with_labelled_layout():
    scene = np.arange(22, dtype=np.float32).reshape(2, 11)
    msg = messages.scene_message(scene)
    assert [d.label for d in msg.layout.dim] == ["objects", "columns"]
    np.testing.assert_array_equal(messages.scene_array(msg), scene)


def test_arm_state_message_carries_pose_flags_and_counters():
    counters = DriverCounters(applied=3, clipped=2, rejected=1, received=9, lost=4, stale=5, wrong_frame=6,
                              wrong_source=7, estop_clears_refused=8)  # fmt: skip
    msg = messages.arm_state_message(np.arange(7.0), Time(sec=2), "base_link", estop_active=True, holding=False,
                                     counters=counters.message_fields(), estop_received=Time(sec=1))  # fmt: skip
    assert (msg.x, msg.yaw, msg.gripper) == (0.0, 5.0, 6.0)
    assert msg.estop_active and not msg.holding
    assert (msg.commands_applied, msg.commands_clipped, msg.commands_rejected) == (3, 2, 1)
    assert (msg.commands_received, msg.commands_lost, msg.commands_stale) == (9, 4, 5)
    assert (msg.commands_wrong_frame, msg.commands_wrong_source, msg.estop_clears_refused) == (6, 7, 8)
    assert msg.estop_received.sec == 1
