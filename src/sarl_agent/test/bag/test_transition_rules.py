"""The recorder's admission rules: what the issue's attacker sent is refused with the right reason."""

from __future__ import annotations

import copy

import pytest

from sarl_agent.bag.admission import Rejections, admission_problem, raw_size_problem
from sarl_agent.bag.transition_mac import sign_transition
from sarl_agent.bag.transition_rules import MAX_TRANSITION_BYTES, Problem, transition_problem

from .helpers import rclpy_transition, run_secret_bytes


def _with(**changes):
    def change(msg):
        for path, value in changes.items():
            *parents, name = path.split("__")
            target = msg
            for parent in parents:
                target = getattr(target, parent)
            setattr(target, name, value)
    return change


MALFORMED = {
    "nan reward": _with(reward=float("nan")),
    "infinite q value": _with(q_values=[0.1, float("inf"), 0.2]),
    "chosen index outside the candidates": _with(chosen_index=3),
    "chosen id not the indexed candidate": _with(chosen_id=7),
    "ids and prompts differ in length": _with(candidates__ids=[0, 3]),
    "q_values length differs": _with(q_values=[0.1, 0.2]),
    "a million q values": _with(q_values=[0.0] * 1_000_000),
    "probabilities length differs": _with(probabilities=[1.0]),
    "a prompt of 8000 characters": _with(candidates__prompts=["reset to home", "x" * 8000, "pick up the banana"]),
    "a multi-line prompt": _with(next_candidates__prompts=["reset to home", "pick up\nthe banana"]),
    "no candidates": _with(candidates__ids=[], candidates__prompts=[], chosen_index=0, q_values=[],
                           probabilities=[]),
    "empty run id": _with(run_id=""),
    "sequence 0": _with(sequence=0),
    "unknown outcome": _with(outcome=99),
    "negative temperature": _with(temperature=-1.0),
    "unknown image format": _with(observation__image__format="exe"),
    "non-finite proprio": _with(observation__proprio=[float("nan")] * 7),
    "a 20000-step history": _with(next_observation__history=[3] * 20000),
    "repeated candidate id": _with(candidates__ids=[0, 3, 3]),
    "terminal with next candidates": _with(terminal=True),
}


def test_the_agents_transitions_pass():
    assert transition_problem(rclpy_transition(1)) is None
    assert transition_problem(rclpy_transition(5, step=4, terminal=True, reward=1.0)) is None


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_transition_is_refused_even_when_signed(case):
    msg = copy.deepcopy(rclpy_transition(2))
    MALFORMED[case](msg)
    sign_transition(run_secret_bytes(), msg)  # a buggy agent holding the secret
    problem = admission_problem(run_secret_bytes(), msg)
    assert problem is not None and problem.reason == "malformed", case


def test_unsigned_and_forged_are_told_apart():
    unsigned = rclpy_transition(1, signed=False)
    forged = rclpy_transition(1)
    forged.task = "attacker"
    assert admission_problem(run_secret_bytes(), unsigned).reason == "unsigned"
    assert admission_problem(run_secret_bytes(), forged).reason == "forged"
    assert admission_problem(run_secret_bytes(), rclpy_transition(1)) is None


def test_size_is_checked_before_deserializing():
    assert raw_size_problem(b"x" * MAX_TRANSITION_BYTES) is None
    assert raw_size_problem(b"x" * (MAX_TRANSITION_BYTES + 1)).reason == "oversize"


def test_rejections_report_the_first_of_each_reason_then_summaries():
    lines: list[str] = []
    now = [0.0]
    rejections = Rejections(lines.append, summary_period=30.0, clock=lambda: now[0])
    for _ in range(100):
        rejections.add(Problem("forged", "bad mac"), "t")
    rejections.add(Problem("unsigned", "no mac"), "t")
    assert len(lines) == 2 and "forged" in lines[0] and "unsigned" in lines[1]
    now[0] = 31.0
    rejections.add(Problem("forged", "bad mac"), "t")
    assert len(lines) == 3 and "101 forged, 1 unsigned" in lines[2]
    assert rejections.counts == {"forged": 101, "unsigned": 1}
