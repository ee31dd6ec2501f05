"""The ``execute_prompt`` goal loop, free of ROS so every exit path is unit-testable.

One goal = connect (bounded) → repeat { check stop; query the policy when the
chunk is used up, on the state the arm reached once it confirmed the commands
sent so far; command one action row; wait for the next control tick } until the
step or time budget is used, then wait (bounded) for the last commands to be
confirmed, so the next observer sees the arm where the goal left it. Every exit returns a filled
:class:`ExecutionResult`; nothing is published after a failure, so the
driver's watchdog holds the arm.

The node supplies a :class:`GoalIO` (clock, observation, publisher, stop
reasons); tests supply a fake with a simulated clock.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from sarl_prompt import prompt_problem

from .action_chunk import ActionChunk
from .policy_client import PolicyError
from .profiles import DEFAULT_PROFILE, PolicyProfile, get_profile


class Outcome(enum.IntEnum):
    """Mirrors ``ExecutePrompt.Result.OUTCOME_*`` (a node test checks the values agree)."""

    COMPLETED = 0
    CANCELED = 1
    POLICY_ERROR = 2
    SAFETY_STOP = 3
    PREEMPTED = 4
    INVALID_GOAL = 5


@dataclass(frozen=True)
class GoalSpec:
    """What the client asked for (``ExecutePrompt.Goal``)."""

    prompt: str
    max_steps: int = 0
    """[1] control steps; 0 = use ``max_duration`` only (both 0 = the node's default step budget)."""
    max_duration: float = 0.0
    """[s] wall-clock limit; 0 = use ``max_steps`` only."""


@dataclass(frozen=True)
class LoopConfig:
    """Timing of the control loop (from the node's validated parameters)."""

    control_rate_hz: float
    steps_per_query: int
    default_max_steps: int
    observation_timeout: float
    """[s] how long a query waits for a fresh observation before the goal aborts."""
    settle_timeout: float = 0.0
    """[s] how long a finished goal waits for the arm to confirm its commands (0 = don't wait)."""
    profile: PolicyProfile = field(default_factory=lambda: get_profile(DEFAULT_PROFILE))
    """The checkpoint's observation/action contract: the answers are validated against it."""
    extra_observation_keys: tuple[str, ...] = ()
    """Keys sent besides the profile's (the simulator's ``observation/scene``)."""


@dataclass(frozen=True)
class ExecutionResult:
    """Filled ``ExecutePrompt.Result``."""

    outcome: Outcome
    steps_executed: int
    elapsed: float
    message: str


class ObservationUnavailable(RuntimeError):
    """No fresh camera image / arm state yet; the message says which and how old."""


class PolicyLike(Protocol):
    def ensure_connected(self) -> None: ...

    def infer(self, observation: Mapping[str, Any]) -> dict: ...


class GoalIO(Protocol):
    """What the loop needs from its surroundings (the node, or a test fake)."""

    def now(self) -> float:
        """Monotonic seconds."""

    def wait(self, seconds: float) -> None:
        """Sleep, but return early when a stop is requested (cancel, preemption, e-stop)."""

    def stop_reason(self) -> tuple[Outcome, str] | None:
        """Why the goal must stop now, if it must."""

    def observe(self, prompt: str) -> dict:
        """The openpi observation from the latest data, or raise ObservationUnavailable."""

    def publish(self, action: np.ndarray) -> None:
        """Command one action row (D,) of the profile to the arm (the node converts it to robot units)."""

    def feedback(self, steps_done: int, elapsed: float) -> None: ...

    def settle(self, timeout: float) -> bool:
        """Wait until the arm has applied every command published for this goal; False after ``timeout``."""


def validate_goal(goal: GoalSpec) -> str | None:
    """Why the goal is malformed, or None."""
    problem = prompt_problem(goal.prompt)
    if problem is not None:
        return problem
    if not math.isfinite(goal.max_duration) or goal.max_duration < 0:
        return f"max_duration must be a finite number >= 0, got {goal.max_duration}"
    if goal.max_steps < 0:
        return f"max_steps must be >= 0, got {goal.max_steps}"
    return None


def run_goal(goal: GoalSpec, config: LoopConfig, policy: PolicyLike, io: GoalIO) -> ExecutionResult:
    """Execute one goal to the end; never raises for policy, observation or stop conditions."""
    start = io.now()
    steps = 0

    def finish(outcome: Outcome, message: str) -> ExecutionResult:
        return ExecutionResult(outcome, steps, max(0.0, io.now() - start), message)

    def complete(message: str) -> ExecutionResult:
        """Done: but first let the arm apply the last commands, or the next observer sees a stale world."""
        if steps and config.settle_timeout > 0 and not io.settle(config.settle_timeout):
            message += f"; the driver had not confirmed every command within {config.settle_timeout} s"
        return finish(Outcome.COMPLETED, message)

    problem = validate_goal(goal)
    if problem is not None:
        return finish(Outcome.INVALID_GOAL, problem)
    max_steps = goal.max_steps or (config.default_max_steps if goal.max_duration == 0 else 0)
    period = 1.0 / config.control_rate_hz

    stop = io.stop_reason()
    if stop is not None:
        return finish(*stop)
    try:
        policy.ensure_connected()
    except PolicyError as exc:
        return finish(Outcome.POLICY_ERROR, f"policy server: {exc}")
    mismatch = config.profile.check_metadata(getattr(policy, "metadata", None) or {}, config.extra_observation_keys)
    if mismatch is not None:
        return finish(Outcome.POLICY_ERROR, mismatch)

    chunk: ActionChunk | None = None
    next_tick = io.now()
    queries = 0
    while True:
        if goal.max_duration and io.now() - start >= goal.max_duration:
            return complete(f"time budget {goal.max_duration} s used: {steps} steps, {queries} queries")
        stop = io.stop_reason()
        if stop is not None:
            return finish(*stop)
        if chunk is None or chunk.exhausted:
            if steps and config.settle_timeout > 0:
                io.settle(config.settle_timeout)  # query on the state the last chunk produced, not one before it
            try:
                observation = _fresh_observation(goal.prompt, config.observation_timeout, io)
            except ObservationUnavailable as exc:
                return finish(*(io.stop_reason() or (Outcome.POLICY_ERROR, f"cannot query the policy: {exc}")))
            try:
                chunk = ActionChunk(policy.infer(observation), config.steps_per_query, config.profile)
            except PolicyError as exc:
                return finish(Outcome.POLICY_ERROR, f"policy server: {exc}{_key_hint(exc, config.profile)}")
            except ValueError as exc:
                return finish(Outcome.POLICY_ERROR, f"policy server sent an unusable chunk: {exc}")
            queries += 1
            stop = io.stop_reason()
            if stop is not None:
                return finish(*stop)
        io.publish(chunk.pop())
        steps += 1
        io.feedback(steps, io.now() - start)
        if max_steps and steps >= max_steps:
            return complete(f"step budget used: {steps} steps, {queries} queries")
        next_tick = max(next_tick + period, io.now())
        io.wait(next_tick - io.now())


def _key_hint(exc: PolicyError, profile: PolicyProfile) -> str:
    """A server-side KeyError means its input transform reads keys this profile does not send: say which it sends."""
    if exc.kind == "remote_error" and "KeyError" in str(exc):
        return f" (profile {profile.name!r} sends keys {list(profile.observation_keys)}; choose the profile " \
               "matching the checkpoint's input transform, docs/vla_checkpoints.md)"
    return ""


def _fresh_observation(prompt: str, timeout: float, io: GoalIO) -> dict:
    """Retry ``observe`` until it succeeds or ``timeout`` passes (first messages may still be in flight)."""
    deadline = io.now() + timeout
    while True:
        try:
            return io.observe(prompt)
        except ObservationUnavailable:
            if io.now() >= deadline or io.stop_reason() is not None:
                raise
        io.wait(min(0.02, max(0.0, deadline - io.now())))
