"""The goal loop on a simulated clock: budgets, chunking, and every way a goal can end."""

from __future__ import annotations

import numpy as np
import pytest
from sarl_vla_bridge.execution import (
    GoalSpec,
    LoopConfig,
    ObservationUnavailable,
    Outcome,
    run_goal,
)
from sarl_vla_bridge.policy_client import PolicyError

CONFIG = LoopConfig(control_rate_hz=10.0, steps_per_query=4, default_max_steps=6, observation_timeout=1.0)


def rows(h: int = 10) -> np.ndarray:
    actions = np.zeros((h, 7))
    actions[:, 0] = np.arange(1, h + 1)
    return actions


class FakePolicy:
    def __init__(self, responses=None, connect_error: PolicyError | None = None) -> None:
        self.responses = list(responses or [])
        self.connect_error = connect_error
        self.queries = 0
        self.connects = 0

    def ensure_connected(self) -> None:
        self.connects += 1
        if self.connect_error:
            raise self.connect_error

    def infer(self, observation):
        self.queries += 1
        if self.responses:
            item = self.responses.pop(0)
            if isinstance(item, Exception):
                raise item
            return item
        return {"actions": rows()}


class FakeIO:
    """Simulated clock; a stop ``(outcome, message)`` appears once ``stop_at`` commands were published."""

    def __init__(
        self, stop_at: int | None = None, stop: tuple[Outcome, str] = (Outcome.CANCELED, ""), observable_at: float = 0.0
    ) -> None:
        self.t = 100.0
        self.published: list[tuple[float, np.ndarray]] = []
        self.stop_at, self.stop = stop_at, stop
        self.observable_at = self.t + observable_at
        self.feedbacks: list[int] = []
        self.settles: list[int] = []
        """Commands published when the loop asked the arm to confirm them."""
        self.arm_confirms = True

    def now(self) -> float:
        return self.t

    def wait(self, seconds: float) -> None:
        self.t += max(0.0, seconds)

    def stop_reason(self):
        return self.stop if self.stop_at is not None and len(self.published) >= self.stop_at else None

    def observe(self, prompt: str) -> dict:
        if self.t < self.observable_at:
            raise ObservationUnavailable("nothing received yet on 'camera/image_raw'")
        return {"prompt": prompt}

    def publish(self, action) -> None:
        self.published.append((self.t, np.array(action)))

    def feedback(self, steps_done: int, elapsed: float) -> None:
        self.feedbacks.append(steps_done)

    def settle(self, timeout: float) -> bool:
        self.settles.append(len(self.published))
        return self.arm_confirms


def test_runs_the_step_budget_at_the_control_rate_with_chunking():
    policy, io = FakePolicy(), FakeIO()
    result = run_goal(GoalSpec("pick up the banana", max_steps=10), CONFIG, policy, io)
    assert result.outcome is Outcome.COMPLETED and result.steps_executed == 10
    assert policy.queries == 3  # 4 + 4 + 2 steps
    assert [a[0] for _, a in io.published] == [1, 2, 3, 4, 1, 2, 3, 4, 1, 2]
    times = np.array([t for t, _ in io.published])
    assert np.allclose(np.diff(times), 0.1)
    assert result.elapsed == pytest.approx(0.9)
    assert io.feedbacks == list(range(1, 11))


def test_a_chunk_shorter_than_steps_per_query_is_requeried():
    policy = FakePolicy([{"actions": rows(2)}] * 3)
    io = FakeIO()
    result = run_goal(GoalSpec("x", max_steps=5), CONFIG, policy, io)
    assert result.steps_executed == 5 and policy.queries == 3


@pytest.mark.parametrize(
    ("goal", "steps"),
    [(GoalSpec("x"), 6), (GoalSpec("x", max_duration=0.55), 6), (GoalSpec("x", max_steps=3, max_duration=10), 3)],
)
def test_default_and_duration_budgets(goal, steps):
    result = run_goal(goal, CONFIG, FakePolicy(), FakeIO())
    assert result.outcome is Outcome.COMPLETED and result.steps_executed == steps


@pytest.mark.parametrize(
    ("goal", "reason"),
    [
        (GoalSpec("  "), "prompt"),
        (GoalSpec("x" * 10_000), "characters"),
        (GoalSpec("pick up the \u202ebanana"), "bidirectional"),
        (GoalSpec("pick up\x1b[2J the banana"), "control"),
        (GoalSpec("x", max_duration=-1), "max_duration"),
        (GoalSpec("x", max_duration=float("nan")), "max_duration"),
    ],
)
def test_malformed_goals_end_invalid_without_touching_the_server(goal, reason):
    policy, io = FakePolicy(), FakeIO()
    result = run_goal(goal, CONFIG, policy, io)
    assert result.outcome is Outcome.INVALID_GOAL and reason in result.message
    assert policy.connects == 0 and not io.published


@pytest.mark.parametrize("outcome", [Outcome.CANCELED, Outcome.PREEMPTED, Outcome.SAFETY_STOP])
def test_a_stop_request_ends_the_goal_at_the_next_tick(outcome):
    io = FakeIO(stop_at=3, stop=(outcome, "stop"))
    result = run_goal(GoalSpec("x", max_steps=20), CONFIG, FakePolicy(), io)
    assert result.outcome is outcome and result.steps_executed == 3 and len(io.published) == 3


def test_an_active_estop_refuses_the_goal_before_connecting():
    policy, io = FakePolicy(), FakeIO(stop_at=0, stop=(Outcome.SAFETY_STOP, "e-stop"))
    result = run_goal(GoalSpec("x"), CONFIG, policy, io)
    assert result.outcome is Outcome.SAFETY_STOP and policy.connects == 0 and not io.published


def test_unreachable_server_aborts_with_the_reason():
    policy = FakePolicy(connect_error=PolicyError("unreachable", "ws://h:1: ConnectionRefusedError"))
    result = run_goal(GoalSpec("x"), CONFIG, policy, FakeIO())
    assert result.outcome is Outcome.POLICY_ERROR and "ConnectionRefusedError" in result.message


@pytest.mark.parametrize(
    "failure",
    [PolicyError("connection_lost", "server closed the connection"), {"actions": np.full((10, 7), np.nan)}, {"foo": 1}],
)
def test_a_failure_mid_goal_stops_commanding_at_once(failure):
    policy, io = FakePolicy([{"actions": rows()}, failure]), FakeIO()
    result = run_goal(GoalSpec("x", max_steps=20), CONFIG, policy, io)
    assert result.outcome is Outcome.POLICY_ERROR
    assert result.steps_executed == 4 and len(io.published) == 4


def test_waits_for_the_first_observation_then_gives_up_with_the_reason():
    late = FakeIO(observable_at=0.5)
    assert run_goal(GoalSpec("x", max_steps=2), CONFIG, FakePolicy(), late).outcome is Outcome.COMPLETED
    never = FakeIO(observable_at=1e9)
    result = run_goal(GoalSpec("x"), CONFIG, FakePolicy(), never)
    assert result.outcome is Outcome.POLICY_ERROR and "camera/image_raw" in result.message
    assert result.elapsed == pytest.approx(CONFIG.observation_timeout, abs=0.05)


SETTLING = LoopConfig(control_rate_hz=10.0, steps_per_query=4, default_max_steps=6, observation_timeout=1.0,
                      settle_timeout=0.5)


def test_queries_and_the_end_of_a_goal_wait_for_the_arm_to_confirm_the_commands_sent():
    io = FakeIO()
    result = run_goal(GoalSpec("x", max_steps=10), SETTLING, FakePolicy(), io)
    assert result.outcome is Outcome.COMPLETED and io.settles == [4, 8, 10]
    assert "not confirmed" not in result.message


def test_an_unconfirmed_finish_still_completes_and_says_so():
    io = FakeIO()
    io.arm_confirms = False
    result = run_goal(GoalSpec("x", max_steps=3), SETTLING, FakePolicy(), io)
    assert result.outcome is Outcome.COMPLETED
    assert "the driver had not confirmed every command within 0.5 s" in result.message


def test_failed_or_unsettled_configs_do_not_wait():
    io = FakeIO()
    run_goal(GoalSpec("x", max_steps=3), CONFIG, FakePolicy(), io)  # settle_timeout 0
    failing = FakeIO()
    run_goal(GoalSpec("x", max_steps=3), SETTLING, FakePolicy([PolicyError("connection_lost", "down")]), failing)
    # the first query has nothing to confirm; a failed goal publishes nothing more and does not wait
    assert io.settles == [] and failing.settles == []
