"""Peer process: publishes one SemanticTransition with a real JPEG camera frame, latched."""

import cv2
import numpy as np
import sys

import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from rclpy.signals import SignalHandlerOptions
from sarl_node_runtime import run_until_signal
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from sarl_interfaces.msg import SemanticTransition


def test_pattern() -> np.ndarray:
    """256x256 RGB frame with a red square top-left and a blue band at the bottom."""
    image = np.full((256, 256, 3), 200, dtype=np.uint8)
    image[20:100, 20:100] = (255, 0, 0)
    image[200:, :] = (0, 0, 255)
    return image


def make_transition() -> SemanticTransition:
    msg = SemanticTransition()
    msg.run_id = "run-middleware"
    msg.episode = 3
    msg.step = 1
    msg.sequence = 42
    msg.task = "move the banana to the pot"
    ok, jpeg = cv2.imencode(".jpg", cv2.cvtColor(test_pattern(), cv2.COLOR_RGB2BGR))
    assert ok
    msg.observation.image.format = "jpeg"
    msg.observation.image.data = jpeg.tobytes()
    msg.observation.proprio = [0.25, 0.05, 0.12, 0.0, 0.0, 0.0, 1.0]
    msg.observation.step = 1
    msg.observation.history = [4]
    msg.candidates.ids = [0, 4, 7]
    msg.candidates.prompts = ["reset to home", "pick up the banana", "put it in the pot"]
    msg.chosen_index = 2
    msg.chosen_id = 7
    msg.chosen_prompt = "put it in the pot"
    msg.q_values = [0.1, 0.2, 0.7]
    msg.probabilities = [0.2, 0.3, 0.5]
    msg.temperature = 0.5
    msg.reward = 1.0
    msg.next_observation.step = 2
    msg.next_observation.history = [4, 7]
    msg.next_observation.proprio = [0.3, 0.1, 0.05, 0.0, 0.0, 0.0, 1.0]
    msg.terminal = True
    return msg


def main() -> None:
    rclpy.init(args=sys.argv, signal_handler_options=SignalHandlerOptions.NO)  # --ros-args -r __ns:=...
    node = Node("transition_peer")
    qos = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL)
    publisher = node.create_publisher(SemanticTransition, "sarl/transitions", qos)
    message = make_transition()
    message.header.stamp = node.get_clock().now().to_msg()
    publisher.publish(message)
    run_until_signal(node, SingleThreadedExecutor())


if __name__ == "__main__":
    main()
