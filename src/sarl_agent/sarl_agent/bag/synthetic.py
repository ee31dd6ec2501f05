"""Synthetic bags: what the recorder would have written for a run of the banana-in-drawer MDP.

Why: the benchmark needs a 10,000-transition bag and the tests need small
ones with known content, without a simulator or ROS. Episodes come from
``learning.synthetic_mdp`` played the way an online learner's data looks: at
each step the next prompt of the solution (if offered) with probability
``expert``, else a random candidate - some successes, many failures, broad
coverage. Flags follow the agent node's convention (the step budget ends an
episode as a *terminal* failure, see ``episode/runner.py``). Frames
are 256x256 RGB scenes drawn from the arm pose, JPEG-encoded like the
agent's (the MDP has a few dozen poses, so frames are drawn once per pose).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ..learning.observation import Observation
from ..learning.prompt_cache import PromptCache
from ..learning.synthetic_mdp import SOLUTION, TASK, SyntheticSemanticMdp
from ..learning.transition import SemanticTransition
from .convert import serialize, transition_message
from .metadata import BagTopic
from .qos import OfferedQos
from .typestore import sarl_typestore
from .writer import DurableBagWriter

TRANSITIONS_TOPIC = "/sarl/transitions"
TRANSITION_TYPE = "sarl_interfaces/msg/SemanticTransition"
AGENT_QOS = OfferedQos(reliability="reliable", durability="transient_local")
"""What a discovered agent publisher offers (history is not discovered: ``unknown``)."""


def scene_image(proprio: np.ndarray, size: int = 256) -> np.ndarray:
    """A tabletop-like RGB frame with the gripper drawn where ``proprio`` puts it (deterministic)."""
    image = np.empty((size, size, 3), np.uint8)
    image[:] = np.linspace(90, 170, size, dtype=np.uint8)[:, None, None]
    image[..., 2] //= 2
    x = int(np.clip((proprio[1] + 0.3) / 0.6, 0, 1) * (size - 40)) + 20
    y = int(np.clip((0.35 - proprio[2]) / 0.35, 0, 1) * (size - 40)) + 20
    cv2.rectangle(image, (size // 8, size * 3 // 4), (size * 3 // 8, size - 10), (230, 200, 40), -1)
    cv2.circle(image, (x, y), 14, (40, 40, 200) if proprio[6] > 0.5 else (200, 40, 40), -1)
    # Sensor noise, so the JPEG is as large as a real camera frame's (~18 KiB at quality 90).
    noise = np.random.default_rng(x * size + y).normal(0.0, 8.0, image.shape)
    return np.clip(image + noise, 0, 255).astype(np.uint8)


def transition_topic() -> BagTopic:
    return BagTopic(TRANSITIONS_TOPIC, TRANSITION_TYPE, sarl_typestore().hash_rihs01(TRANSITION_TYPE), (AGENT_QOS,))


def _choose(rng: np.random.Generator, candidates: tuple[str, ...], chosen: list[str], expert: float) -> str:
    """The next solution prompt not chosen yet this episode, if offered (with probability ``expert``)."""
    upcoming = [p for p in SOLUTION if p not in chosen]
    if upcoming and upcoming[0] in candidates and rng.random() < expert:
        return upcoming[0]
    return candidates[int(rng.integers(len(candidates)))]


def synthetic_messages(count: int, seed: int = 0, run_id: str = "synthetic", with_images: bool = True,
                       expert: float = 0.5, start_ns: int = 1_700_000_000_000_000_000,
                       secret: bytes | None = None) -> Iterator[Any]:
    """``count`` rosbags ``SemanticTransition`` messages of consecutive episodes (see module doc), signed
    with ``secret`` when given (as the agent signs; readers with that secret verify them)."""
    rng = np.random.default_rng(seed)
    mdp = SyntheticSemanticMdp(rng, max_steps=6)
    cache = PromptCache(64, mdp.prompts)
    frames: dict[bytes, np.ndarray] = {}
    sequence, episode = 0, 0
    while sequence < count:
        obs = Observation(0, (), mdp.reset())
        candidates = tuple(cache.id_of(p) for p in mdp.candidates)
        chosen: list[str] = []
        for step in range(mdp.max_steps):
            prompt = _choose(rng, mdp.candidates, chosen, expert)
            chosen.append(prompt)
            action = cache.id_of(prompt)
            result = mdp.step(prompt)
            ends = result.terminal or result.truncated
            next_obs = obs.then(action, result.proprio)
            next_candidates = () if ends else tuple(cache.id_of(p) for p in mdp.candidates)
            transition = SemanticTransition(obs, candidates, action, result.reward, next_obs, next_candidates,
                                            terminal=ends)
            images = (_frame(frames, obs.proprio), _frame(frames, next_obs.proprio)) if with_images else (None, None)
            sequence += 1
            yield transition_message(transition, cache, run_id=run_id, episode=episode, step=step,
                                     sequence=sequence, task=TASK, stamp_ns=start_ns + sequence * 1_000_000,
                                     images=images, secret=secret)
            if ends or sequence >= count:
                break
            obs, candidates = next_obs, next_candidates
        episode += 1


def _frame(frames: dict[bytes, np.ndarray], proprio: np.ndarray) -> np.ndarray:
    key = proprio.tobytes()
    if key not in frames:
        frames[key] = scene_image(proprio)
    return frames[key]


def write_synthetic_bag(bag_dir: Path, count: int, seed: int = 0, run_id: str = "synthetic",
                        with_images: bool = True, expert: float = 0.5, durable: bool = False,
                        secret: bytes | None = None) -> Path:
    """A finished bag of ``count`` synthetic transitions (``durable``: fsync each, like the recorder),
    signed with ``secret`` when given."""
    writer = DurableBagWriter(bag_dir, custom_data={"sarl.run_id": run_id})
    topic = transition_topic()
    writer.add_topic(topic)
    for msg in synthetic_messages(count, seed, run_id, with_images, expert, secret=secret):
        stamp = msg.header.stamp.sec * 1_000_000_000 + msg.header.stamp.nanosec
        writer.write(topic.name, serialize(msg), stamp, stamp, int(msg.sequence), durable=durable)
    writer.close()
    return Path(bag_dir)
