"""The semantic episode loop: propose → choose → execute → observe, then label and learn.

One loop for every deployment: the ROS agent node and the evaluation harness
differ only in the ``SemanticRobot`` they pass in.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..learning.observation import Observation
from ..learning.policy import Decision
from ..learning.prompt_cache import RESET_TO_HOME, PromptCache
from ..learning.transition import SemanticTransition
from .records import EpisodeResult, Phase, StatusSnapshot, StepRecord
from .robot import Outcome, Proposal, RobotObservation, SemanticRobot


@dataclass(frozen=True)
class RunnerConfig:
    """How episodes are run (learning settings live in ``SarlConfig``)."""

    max_steps: int = 6
    """Semantic steps per episode (the horizon)."""
    stop_on_success: bool = True
    """End the episode as soon as the success detector fires (no effect without a detector)."""
    offer_reset_to_home: bool = True
    """Add the reserved "reset to home" action to every candidate set (off for the ablation)."""
    use_images: bool = True
    """Keep camera frames in observations (needed by the image encoder and for logs)."""

    def __post_init__(self) -> None:
        if self.max_steps < 1:
            raise ValueError(f"runner.max_steps must be >= 1, got {self.max_steps}")


StatusCallback = Callable[[StatusSnapshot], None]


class SemanticAgent(Protocol):
    """What the loop needs from the decision maker: ``SarlAgentCore``, or a baseline of the evaluation."""

    @property
    def cache(self) -> PromptCache: ...

    def act(self, obs: Observation, candidates: Sequence[int], greedy: bool = False) -> Decision: ...

    def observe(self, transition: SemanticTransition) -> dict[str, float]: ...


class EpisodeRunner:
    """Runs episodes of one task with a ``SemanticAgent`` (normally ``SarlAgentCore``) against a ``SemanticRobot``."""

    def __init__(self, core: SemanticAgent, robot: SemanticRobot, config: RunnerConfig,
                 on_status: StatusCallback | None = None) -> None:
        self._core = core
        self._robot = robot
        self._config = config
        self._on_status = on_status or (lambda _snapshot: None)

    def run_episode(self, episode: int, greedy: bool = False) -> EpisodeResult:
        """Run one episode; returns its records. Nothing is learned here (see ``learn``)."""
        setup = self._robot.start_episode(episode)
        task = setup.task
        cache = self._core.cache
        result = EpisodeResult(episode=episode, task=task, outcome=Outcome.NONE)

        seen = self._robot.observe()
        state = self._observation(0, (), seen)
        candidates, prompts, note = self._candidates(task, seen, [])
        for step in range(self._config.max_steps):
            started = time.monotonic()
            decision = self._core.act(state, candidates, greedy=greedy)
            prompt = cache.prompt_of(decision.action)
            decided = time.monotonic()
            resetting = prompt == RESET_TO_HOME
            self._status(Phase.RESETTING if resetting else Phase.EXECUTING, task, episode, step, prompt,
                         candidates, prompts, decision.q_values, decision.probabilities, note)
            report = self._robot.reset_to_home() if resetting else self._robot.execute(prompt)
            after = self._robot.observe()
            next_state = state.then(decision.action, after.proprio, self._image(after))

            last = step == self._config.max_steps - 1
            if not report.completed:
                result.outcome, result.message = Outcome.ABORT, f"step {step} '{prompt}': {report.message}"
            elif self._config.stop_on_success and self._robot.detect_success():
                result.outcome = Outcome.SUCCESS
            ends = result.outcome != Outcome.NONE or last
            if ends:
                next_candidates, next_prompts = (), ()
            else:
                self._status(Phase.CHOOSING, task, episode, step + 1, "", (), (), (), (), "")
                next_candidates, next_prompts, note = self._candidates(task, after, [*result.prompts, prompt])
            result.steps.append(StepRecord(
                episode=episode, step=step, task=task,
                transition=SemanticTransition(state, tuple(candidates), decision.action, 0.0, next_state,
                                              tuple(next_candidates), terminal=ends),  # final flags: _finish
                candidate_prompts=tuple(prompts), next_candidate_prompts=tuple(next_prompts),
                chosen_index=decision.index, chosen_prompt=prompt,
                q_values=decision.q_values, probabilities=decision.probabilities,
                temperature=decision.temperature, outcome_code=report.outcome_code,
                decision_time=decided - started, execution_time=report.elapsed,
                image=state.image, next_image=next_state.image,
                wrist_image=self._wrist_image(seen), next_wrist_image=self._wrist_image(after),
            ))
            if ends:
                break
            state, candidates, prompts, seen = next_state, next_candidates, next_prompts, after

        if result.outcome == Outcome.NONE:
            detected = self._robot.detect_success()
            if detected is None:
                self._status(Phase.AWAITING_LABEL, task, episode, len(result.steps), "", (), (), (), (), "")
                result.outcome = self._robot.await_label(episode)
            else:
                result.outcome = Outcome.SUCCESS if detected else Outcome.FAILURE
        self._finish(result)
        return result

    def learn(self, result: EpisodeResult) -> dict[str, float]:
        """Feed a finished episode's transitions to the learner (aborted episodes are not learned from)."""
        metrics: dict[str, float] = {}
        if result.outcome == Outcome.ABORT:
            return metrics
        self._status(Phase.LEARNING, result.task, result.episode, len(result.steps), "", (), (), (), (), "")
        for record in result.steps:
            metrics = self._core.observe(record.transition)
        return metrics

    def _finish(self, result: EpisodeResult) -> None:
        """Put the sparse reward and the end flags on the last transition."""
        if not result.steps:
            return
        last = result.steps[-1]
        aborted = result.outcome == Outcome.ABORT
        transition = last.transition
        finished = SemanticTransition(
            transition.obs, transition.candidates, transition.action,
            1.0 if result.outcome == Outcome.SUCCESS else 0.0,
            transition.next_obs,
            transition.candidates if aborted else (),
            terminal=not aborted, truncated=aborted,
        )
        result.steps[-1] = StepRecord(**{**last.__dict__, "transition": finished,
                                         "next_candidate_prompts": last.candidate_prompts if aborted else ()})

    def _candidates(self, task: str, seen: RobotObservation, history: list[str]
                    ) -> tuple[list[int], list[str], str]:
        """Ask the proposer, admit its prompts into the cache, add reset-to-home."""
        proposal: Proposal = self._robot.propose(task, seen, history)
        cache = self._core.cache
        ids: list[int] = []
        texts: list[str] = []
        refused = []
        if self._config.offer_reset_to_home:
            ids.append(cache.id_of(RESET_TO_HOME))
            texts.append(RESET_TO_HOME)
        for text in proposal.prompts:
            prompt_id = cache.admit(text)
            if prompt_id is None:
                refused.append(text)
            elif prompt_id not in ids:
                ids.append(prompt_id)
                texts.append(cache.prompt_of(prompt_id))
        note = proposal.error
        if refused:
            note = (note + "; " if note else "") + f"prompt cache full, refused {len(refused)} new prompt(s)"
        if not ids:
            raise RuntimeError(f"no candidate prompts for task '{task}': {note or 'proposer returned none'}")
        return ids, texts, note

    def _observation(self, step: int, history: tuple[int, ...], seen: RobotObservation) -> Observation:
        return Observation(step, history, seen.proprio, self._image(seen))

    def _image(self, seen: RobotObservation):
        return seen.image if self._config.use_images else None

    def _wrist_image(self, seen: RobotObservation):
        return seen.wrist_image if self._config.use_images else None

    def _status(self, phase: Phase, task: str, episode: int, step: int, prompt: str, candidates, prompts,
                q_values, probabilities, message: str) -> None:
        self._on_status(StatusSnapshot(
            phase=phase, task=task, episode=episode, step=step, max_steps=self._config.max_steps,
            current_prompt=prompt, candidate_ids=tuple(int(i) for i in candidates),
            candidate_prompts=tuple(prompts), q_values=tuple(float(q) for q in q_values),
            probabilities=tuple(float(p) for p in probabilities), message=message,
        ))
