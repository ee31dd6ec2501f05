"""``sarl_interfaces/SemanticTransition`` messages <-> the learning core's ``SemanticTransition``.

Why prompt *texts* and not ids: ids are stable only within one run's prompt
cache. Two runs (or a run and a fresh offline agent) can give the same
prompt different ids, so ``TransitionImporter`` re-admits every prompt by its
text into one target cache and keeps, per run, a map recorded id -> new id
(needed for ``Observation.history``, which carries ids only). The map is
filled from every candidate set seen in that run; a history id never seen
with its text is an error naming the run and sequence.

Messages may be rosbags dataclasses (bags) or rclpy messages (live topics):
only field names are used. ``transition_message`` goes the other way, into
a rosbags message, for tools and tests that write bags without ROS.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..jpeg import decode_image, encode_jpeg
from ..learning.observation import Observation
from ..learning.prompt_cache import PromptCache
from ..learning.transition import SemanticTransition
from .transition_mac import transition_mac
from .typestore import sarl_typestore

TRANSITION_TYPE = "sarl_interfaces/msg/SemanticTransition"


class ConversionError(ValueError):
    """A recorded transition that cannot become a core transition (the message says which and why)."""


def describe(msg: Any) -> str:
    return f"run {msg.run_id!r} sequence {msg.sequence} (episode {msg.episode}, step {msg.step})"


class TransitionImporter:
    """Converts recorded transitions into core transitions over one target prompt cache."""

    def __init__(self, cache: PromptCache, decode_images: bool) -> None:
        self.cache = cache
        self.decode_images = decode_images
        self._id_maps: dict[str, dict[int, int]] = {}

    def convert(self, msg: Any) -> SemanticTransition:
        """One message -> core transition; ``ConversionError`` (naming the message) when impossible."""
        ids = self._id_maps.setdefault(str(msg.run_id), {})
        try:
            candidates = self._admit_set(ids, msg.candidates, "candidates")
            next_candidates = self._admit_set(ids, msg.next_candidates, "next_candidates")
            action = self._admit(ids, int(msg.chosen_id), str(msg.chosen_prompt))
            obs = self._observation(ids, msg.observation)
            next_obs = self._observation(ids, msg.next_observation)
            return SemanticTransition(obs, candidates, action, float(msg.reward), next_obs, next_candidates,
                                      terminal=bool(msg.terminal), truncated=bool(msg.truncated))
        except ConversionError as error:
            raise ConversionError(f"{describe(msg)}: {error}") from None
        except (ValueError, TypeError) as error:
            raise ConversionError(f"{describe(msg)}: {error}") from error

    def _admit(self, ids: dict[int, int], recorded_id: int, text: str) -> int:
        new_id = self.cache.admit(text)
        if new_id is None:
            raise ConversionError(f"prompt cache is full (capacity {self.cache.capacity}): cannot admit {text!r}; "
                                  "raise cache_capacity in the learning config")
        known = ids.setdefault(recorded_id, new_id)
        if known != new_id:
            raise ConversionError(f"recorded prompt id {recorded_id} names both {self.cache.prompt_of(known)!r} "
                                  f"and {text!r} in one run")
        return new_id

    def _admit_set(self, ids: dict[int, int], candidate_set: Any, name: str) -> tuple[int, ...]:
        recorded, prompts = list(candidate_set.ids), list(candidate_set.prompts)
        if len(recorded) != len(prompts):
            raise ConversionError(f"{name} has {len(recorded)} ids but {len(prompts)} prompts")
        return tuple(self._admit(ids, int(i), str(text)) for i, text in zip(recorded, prompts, strict=True))

    def _observation(self, ids: dict[int, int], obs: Any) -> Observation:
        history = []
        for recorded in obs.history:
            new_id = ids.get(int(recorded))
            if new_id is None:
                raise ConversionError(f"history prompt id {int(recorded)} never appeared with its text in this run")
            history.append(new_id)
        image = None
        if self.decode_images:
            image = decode_image(obs.image)
            if image is None:
                raise ConversionError("the learning config uses images but the observation has none")
        return Observation(int(obs.step), tuple(history), np.asarray(obs.proprio, dtype=np.float32), image)


def transition_message(transition: SemanticTransition, cache: PromptCache, *, run_id: str, episode: int,
                       step: int, sequence: int, task: str, stamp_ns: int,
                       images: tuple[np.ndarray | None, np.ndarray | None] = (None, None),
                       q_values: Sequence[float] = (), probabilities: Sequence[float] = (),
                       temperature: float = 0.0, outcome: int = 0, secret: bytes | None = None) -> Any:
    """A rosbags ``SemanticTransition`` message for a core transition (prompt texts from ``cache``).

    ``images`` = (s, s') frames, JPEG-encoded into the observations (default:
    the transition's own ``obs.image`` / ``next_obs.image``). Signed with
    ``secret`` when given, else unsigned (empty ``mac``).
    """
    types = sarl_typestore().types
    time_msg = types["builtin_interfaces/msg/Time"]
    stamp = time_msg(sec=stamp_ns // 1_000_000_000, nanosec=stamp_ns % 1_000_000_000)

    def header() -> Any:
        return types["std_msgs/msg/Header"](stamp=stamp, frame_id="")

    def observation(obs: Observation, image: np.ndarray | None) -> Any:
        image = obs.image if image is None else image
        data = np.frombuffer(encode_jpeg(image), np.uint8) if image is not None else np.zeros(0, np.uint8)
        compressed = types["sensor_msgs/msg/CompressedImage"](
            header=header(), format="jpeg" if image is not None else "", data=data)
        no_wrist = types["sensor_msgs/msg/CompressedImage"](header=header(), format="", data=np.zeros(0, np.uint8))
        return types["sarl_interfaces/msg/Observation"](
            stamp=stamp, image=compressed, wrist_image=no_wrist, proprio=np.asarray(obs.proprio, np.float32),
            step=obs.step, history=np.asarray(obs.history, np.uint32))

    def candidate_set(ids: tuple[int, ...]) -> Any:
        return types["sarl_interfaces/msg/CandidateSet"](
            ids=np.asarray(ids, np.uint32), prompts=[cache.prompt_of(i) for i in ids])

    msg = types[TRANSITION_TYPE](
        header=header(), run_id=run_id, episode=episode, step=step, sequence=sequence, task=task,
        observation=observation(transition.obs, images[0]), candidates=candidate_set(transition.candidates),
        chosen_index=transition.candidates.index(transition.action), chosen_id=transition.action,
        chosen_prompt=cache.prompt_of(transition.action),
        q_values=np.asarray(q_values, np.float32), probabilities=np.asarray(probabilities, np.float32),
        temperature=float(temperature), reward=float(transition.reward),
        next_observation=observation(transition.next_obs, images[1]),
        next_candidates=candidate_set(transition.next_candidates),
        terminal=transition.terminal, truncated=transition.truncated, outcome=outcome,
        decision_time=0.0, execution_time=0.0, mac=np.zeros(0, np.uint8),
    )
    if secret is not None:
        msg.mac = np.frombuffer(transition_mac(secret, msg), np.uint8)
    return msg


def serialize(msg: Any) -> bytes:
    """CDR bytes of a rosbags sarl message (what a bag stores)."""
    return bytes(sarl_typestore().serialize_cdr(msg, msg.__msgtype__))
