"""Conversions between the ROS-free episode records and sarl_interfaces messages.

Kept apart from the node so the recorder, replay and tests convert exactly the
same way the agent does.
"""

from __future__ import annotations

import numpy as np
from sarl_interfaces.msg import EpisodeStatus, Observation, SemanticTransition
from sensor_msgs.msg import CompressedImage, Image

from ..episode.records import StatusSnapshot, StepRecord
from ..jpeg import decode_image as decode_image  # re-exported: subscribers decode what the agent sends
from ..jpeg import encode_jpeg
from ..learning.observation import Observation as CoreObservation


def image_msg_to_rgb(msg: Image) -> np.ndarray:
    """sensor_msgs/Image (rgb8 or bgr8) → (H, W, 3) uint8 RGB."""
    if msg.encoding not in ("rgb8", "bgr8"):
        raise ValueError(f"camera image encoding {msg.encoding!r} is not supported; use rgb8 or bgr8")
    rows = np.frombuffer(bytes(msg.data), dtype=np.uint8).reshape(msg.height, msg.step)
    image = rows[:, : msg.width * 3].reshape(msg.height, msg.width, 3)
    return image[:, :, ::-1].copy() if msg.encoding == "bgr8" else image.copy()


def compressed_image(image: np.ndarray | None) -> CompressedImage:
    """RGB frame -> JPEG CompressedImage (empty when there is no frame)."""
    msg = CompressedImage()
    if image is not None:
        msg.format = "jpeg"
        msg.data = encode_jpeg(image)
    return msg


def _observation_msg(obs: CoreObservation, image: np.ndarray | None, wrist_image: np.ndarray | None) -> Observation:
    msg = Observation()
    msg.image = compressed_image(image)
    msg.wrist_image = compressed_image(wrist_image)
    msg.proprio = [float(v) for v in obs.proprio]
    msg.step = int(obs.step)
    msg.history = [int(p) for p in obs.history]
    return msg


def transition_msg(record: StepRecord, run_id: str, sequence: int) -> SemanticTransition:
    """One semantic step as the self-sufficient ``SemanticTransition`` message."""
    t = record.transition
    msg = SemanticTransition()
    msg.run_id = run_id
    msg.episode = record.episode
    msg.step = record.step
    msg.sequence = sequence
    msg.task = record.task
    msg.observation = _observation_msg(t.obs, record.image, record.wrist_image)
    msg.candidates.ids = [int(i) for i in t.candidates]
    msg.candidates.prompts = list(record.candidate_prompts)
    msg.chosen_index = record.chosen_index
    msg.chosen_id = t.action
    msg.chosen_prompt = record.chosen_prompt
    msg.q_values = [float(q) for q in record.q_values]
    msg.probabilities = [float(p) for p in record.probabilities]
    msg.temperature = float(record.temperature)
    msg.reward = float(t.reward)
    msg.next_observation = _observation_msg(t.next_obs, record.next_image, record.next_wrist_image)
    msg.next_candidates.ids = [int(i) for i in t.next_candidates]
    msg.next_candidates.prompts = list(record.next_candidate_prompts)
    msg.terminal = bool(t.terminal)
    msg.truncated = bool(t.truncated)
    msg.outcome = int(record.outcome_code)
    msg.decision_time = float(record.decision_time)
    msg.execution_time = float(record.execution_time)
    return msg


def status_msg(snapshot: StatusSnapshot, run_id: str, last_outcome: int, episodes_done: int,
               successes: int) -> EpisodeStatus:
    msg = EpisodeStatus()
    msg.phase = int(snapshot.phase)
    msg.run_id = run_id
    msg.task = snapshot.task
    msg.episode = snapshot.episode
    msg.step = snapshot.step
    msg.max_steps = snapshot.max_steps
    msg.current_prompt = snapshot.current_prompt
    msg.candidates.ids = list(snapshot.candidate_ids)
    msg.candidates.prompts = list(snapshot.candidate_prompts)
    msg.q_values = list(snapshot.q_values)
    msg.probabilities = list(snapshot.probabilities)
    msg.last_outcome = last_outcome
    msg.episodes_done = episodes_done
    msg.successes = successes
    msg.message = snapshot.message
    return msg
