"""What a storable ``SemanticTransition`` looks like: the recorder's admission rules, limits documented here.

Why in the recorder even for signed messages: a buggy agent (or one bad
proposer answer) must not put a NaN reward or a 10⁶-element ``q_values``
into the bag replay and warm start learn from. The agent checks its own
transitions with the same rules before publishing, so a refusal is named on
both sides. Prompt texts follow ``sarl_prompt`` (the rules every prompt
obeys on its way to the VLA). ROS-free: works on rclpy and rosbags messages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sarl_prompt import prompt_problem

MAX_TRANSITION_BYTES = 3 * 1024 * 1024
"""[bytes] serialized transition: two frames of at most MAX_IMAGE_BYTES each plus the rest (in practice two
JPEG frames of a few tens of KiB)."""
MAX_IMAGE_BYTES = 1024 * 1024
"""[bytes] one compressed camera frame."""
MAX_CANDIDATES = 64
"""[1] prompts in one candidate set (the proposers offer 3-12)."""
MAX_HISTORY = 256
"""[1] prompt ids in an observation's history (one per semantic step of the episode)."""
MAX_PROPRIO = 32
"""[1] proprioceptive values (7 for the WidowX: x, y, z, roll, pitch, yaw, gripper)."""
MAX_ID_CHARS = 128
"""[characters] run id."""
MAX_TASK_CHARS = 1000
"""[characters] task instruction."""
IMAGE_FORMATS = ("", "jpeg", "png")
MAX_OUTCOME = 5
"""Largest ``ExecutePrompt`` result ``OUTCOME_*`` code (OUTCOME_INVALID_GOAL)."""


@dataclass(frozen=True)
class Problem:
    """Why a transition is refused: ``reason`` is a short key (counted), ``detail`` a sentence (logged)."""

    reason: str
    detail: str


def size_problem(size: int) -> Problem | None:
    """Checked on the raw bytes before anything is deserialized."""
    if size > MAX_TRANSITION_BYTES:
        return Problem("oversize", f"{size} bytes; at most {MAX_TRANSITION_BYTES} are stored")
    return None


def transition_problem(msg: Any) -> Problem | None:
    """None for a storable transition, else the first rule it breaks."""
    for check in (_identity, _numbers, _candidate_sets, _choice, _decision_values, _observations):
        problem = check(msg)
        if problem is not None:
            return problem
    return None


def _bad(detail: str) -> Problem:
    return Problem("malformed", detail)


def _identity(msg: Any) -> Problem | None:
    run_id = str(msg.run_id)
    if not run_id or len(run_id) > MAX_ID_CHARS or not run_id.isprintable():
        return _bad(f"run id must be 1-{MAX_ID_CHARS} printable characters, got {run_id[:40]!r}")
    if len(str(msg.task)) > MAX_TASK_CHARS:
        return _bad(f"task has {len(str(msg.task))} characters; at most {MAX_TASK_CHARS}")
    if int(msg.sequence) < 1:
        return _bad("sequence numbers start at 1")
    if int(msg.outcome) > MAX_OUTCOME:
        return _bad(f"outcome {int(msg.outcome)} is not an ExecutePrompt OUTCOME_* code")
    return None


def _numbers(msg: Any) -> Problem | None:
    for name in ("reward", "temperature", "decision_time", "execution_time"):
        value = float(getattr(msg, name))
        if not math.isfinite(value):
            return _bad(f"{name} is {value}; it must be finite")
    if float(msg.temperature) < 0 or float(msg.decision_time) < 0 or float(msg.execution_time) < 0:
        return _bad("temperature and times must be >= 0")
    return None


def _candidate_set(candidate_set: Any, name: str, may_be_empty: bool) -> Problem | None:
    ids, prompts = candidate_set.ids, candidate_set.prompts
    if len(ids) != len(prompts):
        return _bad(f"{name} has {len(ids)} ids but {len(prompts)} prompts")
    if len(ids) > MAX_CANDIDATES or (not ids and not may_be_empty):
        return _bad(f"{name} has {len(ids)} prompts; 1-{MAX_CANDIDATES} are allowed")
    if len(set(int(i) for i in ids)) != len(ids):
        return _bad(f"{name} repeats a prompt id")
    for text in prompts:
        problem = prompt_problem(str(text))
        if problem is not None:
            return _bad(f"{name}: {problem}")
    return None


def _candidate_sets(msg: Any) -> Problem | None:
    ends = bool(msg.terminal)
    return (_candidate_set(msg.candidates, "candidates", may_be_empty=False)
            or _candidate_set(msg.next_candidates, "next_candidates", may_be_empty=True)
            or (_bad("a terminal transition has no next candidates") if ends and len(msg.next_candidates.ids)
                else None))


def _choice(msg: Any) -> Problem | None:
    index, ids = int(msg.chosen_index), msg.candidates.ids
    if index >= len(ids):
        return _bad(f"chosen_index {index} is outside the {len(ids)} candidates")
    if int(ids[index]) != int(msg.chosen_id) or str(msg.candidates.prompts[index]) != str(msg.chosen_prompt):
        return _bad(f"chosen id {int(msg.chosen_id)} / prompt {str(msg.chosen_prompt)[:60]!r} is not candidate "
                    f"{index}")
    return None


def _decision_values(msg: Any) -> Problem | None:
    count = len(msg.candidates.ids)
    for name in ("q_values", "probabilities"):
        values = getattr(msg, name)
        if len(values) != count:
            return _bad(f"{name} has {len(values)} values for {count} candidates")
        if not all(math.isfinite(float(v)) for v in values):
            return _bad(f"{name} holds a non-finite value")
    return None


def _image(image: Any, name: str) -> Problem | None:
    if str(image.format) not in IMAGE_FORMATS:
        return _bad(f"{name}.format {str(image.format)[:20]!r} is not one of {IMAGE_FORMATS}")
    if len(image.data) > MAX_IMAGE_BYTES:
        return _bad(f"{name} has {len(image.data)} bytes; at most {MAX_IMAGE_BYTES}")
    return None


def _observation(obs: Any, name: str) -> Problem | None:
    wrist = getattr(obs, "wrist_image", None)  # (absent in bags written before the wrist camera was recorded)
    for image, field in ((obs.image, "image"), (wrist, "wrist_image")):
        if image is not None and (problem := _image(image, f"{name}.{field}")):
            return problem
    if len(obs.proprio) > MAX_PROPRIO or not all(math.isfinite(float(v)) for v in obs.proprio):
        return _bad(f"{name}.proprio must be at most {MAX_PROPRIO} finite values")
    if len(obs.history) > MAX_HISTORY:
        return _bad(f"{name}.history has {len(obs.history)} ids; at most {MAX_HISTORY}")
    return None


def _observations(msg: Any) -> Problem | None:
    return _observation(msg.observation, "observation") or _observation(msg.next_observation, "next_observation")
