"""Builders shared by the bag tests: transition messages with a real camera frame, bags, topics."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from sarl_auth import load_or_create_secret
from sarl_interfaces.msg import SemanticTransition

from sarl_agent.bag.metadata import BagTopic
from sarl_agent.bag.qos import OfferedQos
from sarl_agent.bag.transition_mac import sign_transition
from sarl_agent.bag.typestore import rosidl_type_hash
from sarl_agent.bag.writer import DurableBagWriter

TOPIC = BagTopic("/sarl/transitions", "sarl_interfaces/msg/SemanticTransition",
                 rosidl_type_hash("SemanticTransition"),
                 (OfferedQos(reliability="reliable", durability="transient_local"),))
"""The transitions topic as the recorder describes it when the agent publishes (no torch import here:
peer processes use these helpers)."""


def camera_pattern(shift: int = 0) -> np.ndarray:
    """256x256 RGB: a red square (moved by ``shift``) on grey, a blue band at the bottom."""
    image = np.full((256, 256, 3), 200, dtype=np.uint8)
    image[20 + shift:100 + shift, 20:100] = (255, 0, 0)
    image[200:, :] = (0, 0, 255)
    return image


def jpeg(image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    return data.tobytes()


def run_secret_bytes() -> bytes:
    """The run secret of this pytest run (root conftest points SARL_SECRET_FILE at a temp file)."""
    return load_or_create_secret()


def rclpy_transition(sequence: int, run_id: str = "run-test", episode: int = 0, step: int = 0,
                     terminal: bool = False, reward: float = 0.0, signed: bool = True) -> SemanticTransition:
    """An rclpy SemanticTransition as the agent publishes it (two JPEG frames, prompt texts and ids),
    signed with the test run's secret unless ``signed`` is False."""
    msg = SemanticTransition()
    msg.run_id, msg.episode, msg.step, msg.sequence = run_id, episode, step, sequence
    msg.task = "put the banana in the drawer"
    msg.header.stamp.sec, msg.header.stamp.nanosec = 1_700_000_000 + sequence, 5
    for obs, shift, at in ((msg.observation, sequence % 50, step), (msg.next_observation, sequence % 50 + 1, step + 1)):
        obs.image.format = "jpeg"
        obs.image.data = jpeg(camera_pattern(shift))
        obs.proprio = [0.25, 0.05, 0.12, 0.0, 0.0, 0.0, 1.0]
        obs.step = at
        obs.history = [3] * at
    msg.candidates.ids = [0, 3, 7]
    msg.candidates.prompts = ["reset to home", "open the drawer", "pick up the banana"]
    msg.chosen_index, msg.chosen_id, msg.chosen_prompt = 1, 3, "open the drawer"
    msg.q_values, msg.probabilities, msg.temperature = [0.1, 0.5, 0.2], [0.2, 0.5, 0.3], 0.5
    msg.reward, msg.terminal = reward, terminal
    if not terminal:
        msg.next_candidates.ids = [0, 7]
        msg.next_candidates.prompts = ["reset to home", "pick up the banana"]
    return sign_transition(run_secret_bytes(), msg) if signed else msg


def write_bag(path: Path, raws: list[bytes], finish: bool = True) -> DurableBagWriter:
    """A bag with ``raws`` on /sarl/transitions; unfinished (writer abandoned, as if killed) unless ``finish``."""
    writer = DurableBagWriter(path, custom_data={"sarl.run_id": "run-test"})
    writer.add_topic(TOPIC)
    for index, raw in enumerate(raws):
        writer.write(TOPIC.name, raw, 1_700_000_000_000_000_000 + index * 1000)
    if finish:
        writer.close()
    else:
        writer.abandon()
    return writer
