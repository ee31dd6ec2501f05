"""The bridge node in-process plus a fake driver that confirms commands the way the real one does.

The real ``widowx_driver`` counts every command it applies (``commands_applied``)
or refuses (``commands_rejected``) and reports the counts in the next
``arm_state``; the bridge waits on those counters before it queries the policy
again (``settle``). :class:`ConfirmingDriver` does the same, so a test sees the
bridge's real timing instead of a settle timeout on every query.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import rclpy
from rclpy.action import ActionClient
from rclpy.context import Context
from rclpy.executors import MultiThreadedExecutor
from rclpy.parameter import Parameter
from rclpy.qos import QoSProfile, ReliabilityPolicy, qos_profile_sensor_data
from sarl_auth import load_or_create_secret
from sarl_auth.prompt_goal import sign_goal
from sarl_interfaces.action import ExecutePrompt
from sarl_interfaces.msg import ArmCommand, ArmState
from sarl_vla_bridge.bridge_node import VlaBridgeNode
from sarl_vla_bridge.config import WX250S_JOINTS
from sensor_msgs.msg import Image, JointState
from std_msgs.msg import Float32MultiArray
from support.ros_node import SpunNode, wait_future


class Bridge:
    """VlaBridgeNode with its own Context and executor thread (as main() would run it)."""

    def __init__(self, namespace: str = "", **parameters: object) -> None:
        self.context = Context()
        rclpy.init(context=self.context)
        overrides = [Parameter(k, value=v) for k, v in parameters.items()]
        self.node = VlaBridgeNode(context=self.context, namespace=namespace, parameter_overrides=overrides)
        self.executor = MultiThreadedExecutor(num_threads=5, context=self.context)
        self.executor.add_node(self.node)
        self.thread = threading.Thread(target=self.executor.spin, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.executor.shutdown(timeout_sec=2.0)
        self.node.destroy_node()
        rclpy.shutdown(context=self.context)
        self.thread.join(timeout=5.0)


def image_message(height: int, width: int, value: int, encoding: str = "rgb8") -> Image:
    channels = 1 if encoding == "mono8" else 3
    data = np.full((height, width, channels), value, dtype=np.uint8).tobytes()
    return Image(height=height, width=width, encoding=encoding, step=width * channels, data=data)


class ConfirmingDriver:
    """Cameras, arm_state, joint_states, a scene at 20 Hz; each command is counted and confirmed in arm_state."""

    POSE = (0.25, 0.05, 0.12, 0.1, 0.0, 0.3)
    GRIPPER = 0.6
    JOINTS = (0.1, -0.2, 0.3, 0.0, 0.4, -0.1)

    def __init__(self, namespace: str) -> None:
        self.spun = SpunNode(f"confirming_driver_{namespace.strip('/')}", start=False)
        node = self.spun.node
        ns = f"{namespace}/"
        latest = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE)
        self._image_pub = node.create_publisher(Image, f"{ns}camera/image_raw", latest)
        self._wrist_pub = node.create_publisher(Image, f"{ns}camera/wrist/image_raw", latest)
        self._state_pub = node.create_publisher(ArmState, f"{ns}arm_state", 10)
        # Best effort, as the real driver publishes it: a bridge reading it reliably would never match.
        self._joint_pub = node.create_publisher(JointState, f"{ns}joint_states", qos_profile_sensor_data)
        self._scene_pub = node.create_publisher(Float32MultiArray, f"{ns}sim/scene", latest)
        self._lock = threading.Lock()
        self.applied = 0
        self.arm_commands: list[ArmCommand] = []
        self.joint_commands: list[JointState] = []
        node.create_subscription(ArmCommand, f"{ns}arm_command", self._arm_command_callback, 10)
        node.create_subscription(JointState, f"{ns}joint_command", self._joint_command_callback, 10)
        self.client = ActionClient(node, ExecutePrompt, f"{ns}execute_prompt")
        self._image = image_message(240, 320, 200)  # 4:3, so resize-with-pad must add black bars
        self._wrist = image_message(120, 160, 90, "bgr8")
        node.create_timer(0.05, self._publish_sensors)
        self.spun.start()

    def _state(self) -> ArmState:
        x, y, z, roll, pitch, yaw = self.POSE
        return ArmState(x=x, y=y, z=z, roll=roll, pitch=pitch, yaw=yaw, gripper=self.GRIPPER,
                        commands_applied=self.applied)  # fmt: skip

    def _publish_sensors(self) -> None:
        self._image_pub.publish(self._image)
        self._wrist_pub.publish(self._wrist)
        self._joint_pub.publish(JointState(name=[*WX250S_JOINTS, "gripper"], position=[*self.JOINTS, 0.02]))
        self._scene_pub.publish(Float32MultiArray(data=[0.0] * 11))
        with self._lock:
            self._state_pub.publish(self._state())

    def _confirm(self) -> None:
        with self._lock:
            self.applied += 1
            self._state_pub.publish(self._state())

    def _arm_command_callback(self, msg: ArmCommand) -> None:
        self.arm_commands.append(msg)
        self._confirm()

    def _joint_command_callback(self, msg: JointState) -> None:
        self.joint_commands.append(msg)
        self._confirm()

    def run_goal(self, prompt: str, max_steps: int, timeout: float = 20.0) -> ExecutePrompt.Result:
        started = time.monotonic()
        if not self.client.wait_for_server(timeout_sec=timeout):
            raise TimeoutError("execute_prompt server not discovered")
        goal = sign_goal(load_or_create_secret(), ExecutePrompt.Goal(prompt=prompt, max_steps=max_steps))
        handle = wait_future(self.client.send_goal_async(goal), timeout)  # signed with the run secret, as the agent
        assert handle.accepted
        remaining = max(1.0, timeout - (time.monotonic() - started))
        return wait_future(handle.get_result_async(), remaining).result

    def close(self) -> None:
        self.spun.close()
