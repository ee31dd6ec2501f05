"""Operator labels: exactly one, for exactly the waiting episode, every refusal explained."""

import threading

from sarl_agent.episode.label_gate import LabelGate
from sarl_agent.episode.robot import Outcome


def test_label_for_the_waiting_episode_is_accepted_once():
    gate = LabelGate()
    gate.open(7)
    assert gate.offer(7, Outcome.SUCCESS) == (True, "episode 7 labelled SUCCESS")
    accepted, reason = gate.offer(7, Outcome.FAILURE)
    assert not accepted and "already labelled SUCCESS" in reason
    assert gate.wait(7, timeout=0.1) == Outcome.SUCCESS


def test_press_for_another_episode_is_refused():
    gate = LabelGate()
    gate.open(8)
    accepted, reason = gate.offer(7, Outcome.SUCCESS)
    assert not accepted and "episode 8 is" in reason
    assert gate.awaiting == 8


def test_press_while_nothing_awaits_is_refused():
    accepted, reason = LabelGate().offer(3, Outcome.FAILURE)
    assert not accepted and "not awaiting" in reason


def test_unknown_outcome_is_refused():
    gate = LabelGate()
    gate.open(1)
    accepted, reason = gate.offer(1, 9)
    assert not accepted and "unknown outcome 9" in reason
    assert gate.awaiting == 1


def test_wait_wakes_when_another_thread_labels():
    gate = LabelGate()
    gate.open(2)
    timer = threading.Timer(0.05, gate.offer, args=(2, Outcome.ABORT))
    timer.start()
    assert gate.wait(2, timeout=5) == Outcome.ABORT
    timer.join()


def test_timeout_then_close_refuses_late_presses():
    gate = LabelGate()
    gate.open(4)
    assert gate.wait(4, timeout=0.01) is None
    gate.close(4, Outcome.ABORT)
    accepted, reason = gate.offer(4, Outcome.SUCCESS)
    assert not accepted and "already labelled ABORT" in reason


def test_success_for_the_running_episode_ends_it_early_and_is_its_only_label():
    gate = LabelGate()
    gate.start(4)
    assert not gate.ended_early(4)
    accepted, reason = gate.offer(4, Outcome.SUCCESS)
    assert accepted and "early" in reason
    assert gate.ended_early(4) and not gate.ended_early(5)
    assert gate.wait(4, timeout=0.1) == Outcome.SUCCESS
    accepted, reason = gate.offer(4, Outcome.FAILURE)
    assert not accepted and "already labelled SUCCESS" in reason


def test_failure_or_abort_of_a_running_episode_and_success_for_another_are_refused():
    gate = LabelGate()
    gate.start(4)
    for outcome in (Outcome.FAILURE, Outcome.ABORT):
        accepted, reason = gate.offer(4, outcome)
        assert not accepted and "only SUCCESS ends a running episode early" in reason
    accepted, reason = gate.offer(3, Outcome.SUCCESS)
    assert not accepted and "not awaiting" in reason
    assert not gate.ended_early(4)
