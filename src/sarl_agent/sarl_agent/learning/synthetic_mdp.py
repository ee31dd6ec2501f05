"""A synthetic semantic MDP: "put the banana in the drawer" with 30 cached prompts.

Why it exists: the learning test and the benchmark need a task that has the
structure SARL is for, without a simulator:

* the task needs a specific 4-prompt sequence - *open the drawer*, *pick up
  the banana*, *place the banana in the drawer*, *close the drawer* - out of
  a cache of 30 prompts;
* like the VLM proposer, a stand-in proposer offers a few candidates per
  state (6 by default): the prompt that helps here, the one that sounds
  right, and random others from the cache - so the candidate set changes
  from step to step and the agent has to learn which offer to take;
* most prompts do nothing (21 distractors and reset-to-home) or undo
  progress (*close the drawer* before the banana is in, *open the gripper*,
  *put the banana on the table*, *take the banana out of the drawer*,
  *open the drawer* while holding the banana drops it);
* the prompt that "sounds right", the task instruction itself (*put the
  banana in the drawer*), knocks the banana off the table: the episode ends
  in failure (the base VLA under the task prompt, ~0 % success);
* grasping is stochastic (like a real VLA); a failed grasp leaves the
  gripper open, which the proprio state shows;
* the reward is sparse: 1 when the drawer is closed with the banana inside,
  else 0; episodes are truncated after ``max_steps`` prompts.

The environment speaks prompt *strings*; ``run_episode`` is the loop that
turns them into cache ids, ``Observation``s and ``SemanticTransition``s, the
same way the agent node does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .observation import Observation
from .policy import Decision
from .prompt_cache import RESET_TO_HOME, PromptCache
from .transition import SemanticTransition

TASK = "put the banana in the drawer"
OPEN_DRAWER = "open the drawer"
PICK_BANANA = "pick up the banana"
PLACE_BANANA = "place the banana in the drawer"
CLOSE_DRAWER = "close the drawer"
SOLUTION = (OPEN_DRAWER, PICK_BANANA, PLACE_BANANA, CLOSE_DRAWER)
OPEN_GRIPPER = "open the gripper"
BANANA_ON_TABLE = "put the banana on the table"
TAKE_OUT = "take the banana out of the drawer"
DISTRACTORS = (
    "wipe the table",
    "pick up the sponge",
    "push the cup to the left",
    "wave hello",
    "close the gripper",
    "move the arm left",
    "move the arm right",
    "look at the drawer",
    "pick up the apple",
    "put the apple in the bowl",
    "stack the red block on the blue block",
    "fold the towel",
    "point at the banana",
    "lift the arm",
    "lower the arm",
    "rotate the gripper",
    "tap the drawer handle",
    "push the banana forward",
    "open the cabinet",
    "turn on the lamp",
    "slide the bowl to the right",
)
PROMPTS = (RESET_TO_HOME, *SOLUTION, OPEN_GRIPPER, BANANA_ON_TABLE, TAKE_OUT, TASK, *DISTRACTORS)
"""The 30 prompts of the cache (reset-to-home included)."""

_HOME_POSE = np.array([0.30, 0.0, 0.25, 0.0, 0.0, 0.0], dtype=np.float32)


@dataclass(frozen=True)
class MdpStep:
    """Result of executing one prompt."""

    proprio: np.ndarray
    reward: float
    terminal: bool
    truncated: bool
    outcome: str
    """``success``, ``failure`` (episode lost), or ``running``."""


class SyntheticSemanticMdp:
    """The banana-in-drawer semantic MDP; all randomness from the given generator."""

    def __init__(self, rng: np.random.Generator, max_steps: int = 10, grasp_success: float = 0.8,
                 candidates_per_step: int = 6) -> None:
        if max_steps < len(SOLUTION):
            raise ValueError(f"max_steps must be >= {len(SOLUTION)} (the solution length), got {max_steps}")
        if not 0.0 < grasp_success <= 1.0:
            raise ValueError(f"grasp_success must be in (0, 1], got {grasp_success}")
        if not 2 <= candidates_per_step <= len(PROMPTS):
            raise ValueError(f"candidates_per_step must be in [2, {len(PROMPTS)}], got {candidates_per_step}")
        self._rng = rng
        self.max_steps = max_steps
        self._grasp_success = grasp_success
        self._candidates_per_step = candidates_per_step
        # A fixed end-effector pose per prompt, where the VLA leaves the arm after executing it.
        low, high = [0.2, -0.25, 0.05, -0.3, -0.3, -1.0], [0.4, 0.25, 0.3, 0.3, 0.3, 1.0]
        poses = np.random.default_rng(12345).uniform(low, high, size=(len(PROMPTS), 6))
        self._poses = {prompt: poses[i].astype(np.float32) for i, prompt in enumerate(PROMPTS)}
        self._poses[RESET_TO_HOME] = _HOME_POSE
        # Shuffled so cache ids carry no hint (the solution is not ids 1-4).
        self.prompts = tuple(PROMPTS[i] for i in rng.permutation(len(PROMPTS)))
        """All prompts, in the order a proposer would first propose them (= cache admission order)."""
        self.reset()

    @property
    def candidates(self) -> tuple[str, ...]:
        """The proposer's offer for the current state (drawn at reset and after every step)."""
        return self._candidates

    def _propose(self) -> tuple[str, ...]:
        """The helpful prompt, the plausible task prompt, and random others, shuffled."""
        helpful = self._helpful_prompt()
        others = [p for p in self.prompts if p not in (helpful, TASK)]
        picked = self._rng.choice(len(others), size=self._candidates_per_step - 2, replace=False)
        offer = [helpful, TASK, *(others[i] for i in picked)]
        return tuple(offer[i] for i in self._rng.permutation(len(offer)))

    def _helpful_prompt(self) -> str:
        if self._banana == "drawer":
            return CLOSE_DRAWER
        if self._banana == "gripper":
            return PLACE_BANANA if self._drawer_open else BANANA_ON_TABLE
        return PICK_BANANA if self._drawer_open else OPEN_DRAWER

    def reset(self) -> np.ndarray:
        """Drawer closed, banana on the table, arm at home; returns the proprio state."""
        self._drawer_open = False
        self._banana = "table"
        self._pose = _HOME_POSE
        self._steps = 0
        self._done = False
        self._candidates = self._propose()
        return self._proprio()

    def step(self, prompt: str) -> MdpStep:
        if self._done:
            raise RuntimeError("episode is over; call reset()")
        if prompt not in self._poses:
            raise ValueError(f"unknown prompt {prompt!r}")
        self._steps += 1
        self._pose = self._poses[prompt]
        outcome = self._apply(prompt)
        terminal = outcome != "running"
        truncated = not terminal and self._steps >= self.max_steps
        self._done = terminal or truncated
        reward = 1.0 if outcome == "success" else 0.0
        self._candidates = () if terminal else self._propose()  # truncated states still need V(s')
        return MdpStep(self._proprio(), reward, terminal, truncated, outcome)

    def _apply(self, prompt: str) -> str:
        holding = self._banana == "gripper"
        if prompt == TASK:
            return "failure"  # sounds right; the VLA sweeps the banana off the table
        if prompt == OPEN_DRAWER:
            if holding:
                self._banana = "table"  # needs the gripper: drops the banana
            else:
                self._drawer_open = True
        elif prompt == PICK_BANANA:
            if self._banana == "table" and self._rng.random() < self._grasp_success:
                self._banana = "gripper"
            elif self._banana == "drawer" and self._drawer_open:
                self._banana = "gripper"
        elif prompt == PLACE_BANANA:
            if holding:
                self._banana = "drawer" if self._drawer_open else "table"
        elif prompt == CLOSE_DRAWER:
            self._drawer_open = False
            if self._banana == "drawer":
                return "success"
        elif prompt in (OPEN_GRIPPER, BANANA_ON_TABLE):
            if holding:
                self._banana = "table"
        elif prompt == TAKE_OUT:
            if self._banana == "drawer" and self._drawer_open:
                self._banana = "gripper"
        return "running"

    def _proprio(self) -> np.ndarray:
        gripper = 0.0 if self._banana == "gripper" else 1.0
        return np.append(self._pose, np.float32(gripper)).astype(np.float32)


class Agent(Protocol):
    """What ``run_episode`` needs: ``SarlAgentCore`` and ``RandomPromptAgent`` both fit."""

    def act(self, obs: Observation, candidates: Sequence[int], greedy: bool = False) -> Decision: ...


class RandomPromptAgent:
    """Baseline: a uniformly random candidate each step, no learning."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng

    def act(self, obs: Observation, candidates: Sequence[int], greedy: bool = False) -> Decision:
        index = int(self._rng.integers(len(candidates)))
        uniform = np.full(len(candidates), 1.0 / len(candidates))
        return Decision(int(candidates[index]), index, np.zeros(len(candidates)), uniform, 1.0, greedy)


def run_episode(mdp: SyntheticSemanticMdp, agent: Agent, cache: PromptCache, greedy: bool = False,
                learn: bool = True) -> bool:
    """Play one episode; if ``learn``, feed each transition to ``agent.observe``. Returns success."""
    for prompt in mdp.prompts:
        _admit(cache, prompt)
    obs = Observation(step=0, history=(), proprio=mdp.reset())
    candidates = tuple(_admit(cache, prompt) for prompt in mdp.candidates)
    while True:
        decision = agent.act(obs, candidates, greedy=greedy)
        result = mdp.step(cache.prompt_of(decision.action))
        next_obs = obs.then(decision.action, result.proprio)
        next_candidates = tuple(_admit(cache, prompt) for prompt in mdp.candidates)
        if learn:
            agent.observe(  # type: ignore[attr-defined]
                SemanticTransition(obs, candidates, decision.action, result.reward, next_obs, next_candidates,
                                   result.terminal, result.truncated)
            )
        if result.terminal or result.truncated:
            return result.outcome == "success"
        obs, candidates = next_obs, next_candidates


def _admit(cache: PromptCache, prompt: str) -> int:
    prompt_id = cache.admit(prompt)
    if prompt_id is None:
        raise ValueError(f"prompt cache (capacity {cache.capacity}) is too small for the synthetic MDP's prompts")
    return prompt_id
