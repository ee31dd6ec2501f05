"""The ROS side of ``sarl doctor``: list the graph's nodes and sample two topics, each within a deadline.

Only gathering happens here; ``doctor_checks`` judges. The probe runs in its
own rclpy context and spins its executor in the calling thread for a bounded
time, so it can neither hang nor disturb a graph it inspects. Subscriptions
use sensor-data QoS (best effort), which matches reliable and best-effort
publishers alike.
"""

from __future__ import annotations

import time

import numpy as np
import rclpy
from rclpy.context import Context
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from rclpy.qos import qos_profile_sensor_data
from rclpy.time import Time
from sarl_interfaces.msg import ArmState
from sensor_msgs.msg import Image

from .doctor_arm import ArmMotionSample
from .doctor_checks import ArmStateSample, FrameSample

POLL_PERIOD = 0.1


class GraphProbe:
    """A short-lived node named ``sarl_doctor`` in its own context."""

    def __init__(self, namespace: str = "") -> None:
        self._context = Context()
        rclpy.init(context=self._context)
        self._node = Node("sarl_doctor", namespace=namespace or None, context=self._context)
        self._executor = SingleThreadedExecutor(context=self._context)
        self._executor.add_node(self._node)

    def close(self) -> None:
        self._executor.shutdown()
        self._node.destroy_node()
        rclpy.shutdown(context=self._context)

    def __enter__(self) -> GraphProbe:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def node_names(self, expected: list[str], timeout: float) -> list[str]:
        """Fully qualified names of the other nodes, polled until all of ``expected`` appear or ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            self._executor.spin_once(timeout_sec=POLL_PERIOD)
            found = [
                f"{namespace.rstrip('/')}/{name}"
                for name, namespace in self._node.get_node_names_and_namespaces()
                if name != self._node.get_name()
            ]
            if all(name in found for name in expected) or time.monotonic() >= deadline:
                return found

    def frames(self, topic: str, window: float, wanted: int = 5) -> list[FrameSample]:
        """Images received on ``topic`` within ``window`` seconds (stops early after ``wanted``)."""
        samples: list[FrameSample] = []

        def on_image(msg: Image) -> None:
            pixels = np.frombuffer(bytes(msg.data), dtype=np.uint8)
            mean = float(pixels.mean()) if pixels.size else 0.0
            samples.append(FrameSample(time.monotonic(), msg.width, msg.height, msg.encoding, mean))

        self._collect(Image, topic, on_image, window, lambda: len(samples) >= wanted)
        return samples

    def arm_state(self, topic: str, window: float) -> ArmStateSample | None:
        """The first ArmState received on ``topic`` within ``window`` seconds."""
        received: list[ArmStateSample] = []

        def on_state(msg: ArmState) -> None:
            age = (self._node.get_clock().now() - Time.from_msg(msg.header.stamp)).nanoseconds / 1e9
            received.append(ArmStateSample(age, (msg.x, msg.y, msg.z), msg.gripper, msg.estop_active, msg.holding))

        self._collect(ArmState, topic, on_state, window, lambda: bool(received))
        return received[0] if received else None

    def arm_motion(self, topic: str, window: float) -> list[ArmMotionSample]:
        """Applied-command counter and end-effector position of every ArmState within ``window`` seconds."""
        received: list[ArmMotionSample] = []

        def on_state(msg: ArmState) -> None:
            received.append(ArmMotionSample(msg.commands_applied, (msg.x, msg.y, msg.z)))

        self._collect(ArmState, topic, on_state, window, lambda: False)
        return received

    def motor_registers(self, robot_model: str, register: str, timeout: float) -> list[int] | None:
        """``register`` of every arm motor from ``/<robot_model>/get_motor_registers``; None when unanswered.

        Needs the Interbotix messages (``interbotix_xs_msgs``) importable: the robot PC's Interbotix install.
        """
        from interbotix_xs_msgs.srv import RegisterValues

        client = self._node.create_client(RegisterValues, f"/{robot_model}/get_motor_registers")
        try:
            deadline = time.monotonic() + timeout
            while not client.service_is_ready():
                if time.monotonic() >= deadline:
                    return None
                self._executor.spin_once(timeout_sec=POLL_PERIOD)
            future = client.call_async(RegisterValues.Request(cmd_type="group", name="arm", reg=register))
            while not future.done():
                if time.monotonic() >= deadline:
                    return None
                self._executor.spin_once(timeout_sec=POLL_PERIOD)
            return [int(v) for v in future.result().values]
        finally:
            self._node.destroy_client(client)

    def _collect(self, msg_type: type, topic: str, callback, window: float, enough) -> None:
        subscription = self._node.create_subscription(msg_type, topic, callback, qos_profile_sensor_data)
        try:
            deadline = time.monotonic() + window
            while time.monotonic() < deadline and not enough():
                self._executor.spin_once(timeout_sec=POLL_PERIOD)
        finally:
            self._node.destroy_subscription(subscription)
