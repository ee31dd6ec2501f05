"""The ``SemanticRobot`` port implemented directly on the simulator, without ROS.

Same episode loop as the ROS agent node, minus the processes: the simulator's
semantic environment executes prompts in process, the offline proposer (behind
the same prompt-cache rule as the ``vlm_proposer`` node) proposes, and the
success detector labels. That is what makes hundreds of episodes per minute
possible for the evaluation.
"""

from __future__ import annotations

from sarl_agent.episode.robot import (
    EpisodeSetup,
    Outcome,
    Proposal,
    RobotObservation,
    SemanticRobot,
    StepReport,
)
from sarl_agent.proposer.base import PromptProposer
from sarl_sim.semantic_env import SemanticEnv


class SimSemanticRobot(SemanticRobot):
    def __init__(self, env: SemanticEnv, proposer: PromptProposer, *, seed: int = 0,
                 steps_per_prompt: int = 20, max_candidates: int = 32, with_images: bool = False) -> None:
        self._env = env
        self._proposer = proposer
        self._seed = seed
        self._steps = steps_per_prompt
        self._max_candidates = max_candidates
        self._with_images = with_images

    @property
    def env(self) -> SemanticEnv:
        return self._env

    def start_episode(self, episode: int) -> EpisodeSetup:
        self._env.reset(self._seed + episode)
        return EpisodeSetup(task=self._env.task.instruction)

    def observe(self) -> RobotObservation:
        return RobotObservation(self._env.state(), self._env.render() if self._with_images else None)

    def propose(self, task: str, observation: RobotObservation, history: list[str]) -> Proposal:
        return self._proposer.propose(task, None, history, self._max_candidates)

    def execute(self, prompt: str) -> StepReport:
        result = self._env.execute(prompt, max_steps=self._steps)
        return StepReport(completed=True, message=f"{result.steps} steps")

    def reset_to_home(self) -> StepReport:
        result = self._env.reset_to_home()
        return StepReport(completed=True, message=f"home reached: {result.reached_home}")

    def detect_success(self) -> bool:
        return self._env.success()

    def await_label(self, episode: int) -> Outcome:
        return Outcome.SUCCESS if self._env.success() else Outcome.FAILURE
