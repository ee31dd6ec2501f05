"""The reset_to_home action server driving the simulated arm through the real driver node."""

from __future__ import annotations

import re
import threading

import numpy as np
import pytest
from action_msgs.msg import GoalStatus
from sarl_auth import load_or_create_secret
from sarl_auth.estop_clear import signed_clear_request
from sarl_interfaces.action import ResetToHome
from sarl_interfaces.srv import ClearEstop
from std_msgs.msg import Bool
from support import latency_bounds
from support.ros_node import wait_future, wait_until

pytestmark = pytest.mark.timing

HOME_XYZ = np.array([0.25, 0.05, 0.12])


class Feedback:
    """Collects feedback of one goal, thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.items: list[ResetToHome.Feedback] = []

    def __call__(self, message) -> None:
        with self._lock:
            self.items.append(message.feedback)

    def count(self) -> int:
        with self._lock:
            return len(self.items)


def send_goal(rig, tolerance: float = 0.0, timeout: float = 0.0, feedback: Feedback | None = None):
    goal = ResetToHome.Goal(tolerance=tolerance, timeout=timeout)
    return wait_future(rig.client.send_goal_async(goal, feedback_callback=feedback), 30)


def distance_from_home(state) -> float:
    return float(np.linalg.norm(np.array([state.x, state.y, state.z]) - HOME_XYZ))


def test_drives_the_arm_home_within_tolerance_with_feedback_and_opens_the_gripper(make_rig):
    rig = make_rig(rate_hz=20.0)
    away = rig.move_away()  # as the controller sees it: its first tick starts from here
    assert distance_from_home(away) > 0.1 and away.gripper < 0.1
    feedback = Feedback()
    handle = send_goal(rig, feedback=feedback)
    assert handle.accepted
    # The server sends the home tick's feedback, then the result. rclpy drops the feedback callback once the
    # result has arrived, and feedback (a topic) may land after it: ask for the result only after that feedback.
    wait_until(lambda: feedback.count() and feedback.items[-1].error <= 0.005, 30, "the feedback of the home tick")
    outcome = wait_future(handle.get_result_async(), 30)
    assert outcome.status == GoalStatus.STATUS_SUCCEEDED, outcome.result.message
    assert outcome.result.reached and outcome.result.final_error <= 0.005
    errors = [item.error for item in feedback.items]
    assert len(errors) >= 3 and errors[0] > 0.1  # started far away
    assert all(b >= a for a, b in zip((item.elapsed for item in feedback.items),
                                      (item.elapsed for item in feedback.items[1:]), strict=False))  # fmt: skip
    wait_until(lambda: distance_from_home(rig.latest_state()) <= 0.005, 20, "the driver to report the arm home")
    assert rig.latest_state().gripper >= 0.9


def test_cancel_is_honoured_within_a_tick(make_rig):
    rate_hz = 2.0  # 0.5 s per tick: the goal would take many seconds
    rig = make_rig(rate_hz=rate_hz)
    rig.move_away()
    feedback = Feedback()
    handle = send_goal(rig, feedback=feedback)
    wait_until(lambda: feedback.count() >= 1, 20, "first feedback")
    wait_future(handle.cancel_goal_async(), 20)
    outcome = wait_future(handle.get_result_async(), 20)
    assert outcome.status == GoalStatus.STATUS_CANCELED
    assert not outcome.result.reached and "canceled" in outcome.result.message
    # Timed on the server's own clock, from accepting the cancel to honouring it, so neither the test's delay
    # in sending it nor its slow return path is counted.
    honoured = float(re.search(r"([0-9.]+) s after the cancel request", outcome.result.message).group(1))
    latency_bounds.reset_cancel(rate_hz).check(honoured, outcome.result.message)
    assert outcome.result.final_error > 0.05


def test_aborts_on_timeout_with_a_filled_result(make_rig):
    rig = make_rig(rate_hz=5.0)
    rig.move_away()
    handle = send_goal(rig, timeout=0.3)
    outcome = wait_future(handle.get_result_async(), 20)
    assert outcome.status == GoalStatus.STATUS_ABORTED
    assert not outcome.result.reached
    assert "timed out" in outcome.result.message
    assert 0.005 < outcome.result.final_error < 0.2


def test_a_second_goal_is_rejected_while_one_runs(make_rig):
    rig = make_rig(rate_hz=2.0)
    rig.move_away()
    feedback = Feedback()
    first = send_goal(rig, feedback=feedback)
    wait_until(lambda: feedback.count() >= 1, 20, "the first goal running")
    second = send_goal(rig)
    assert first.accepted and not second.accepted
    wait_future(first.cancel_goal_async(), 20)
    assert wait_future(first.get_result_async(), 20).status == GoalStatus.STATUS_CANCELED
    third = send_goal(rig, timeout=0.2)  # the server is free again once the first goal ended
    assert third.accepted
    wait_future(third.get_result_async(), 20)


def test_estop_aborts_a_running_goal_and_refuses_new_ones_until_cleared(make_rig):
    rig = make_rig(rate_hz=2.0)
    rig.move_away()
    feedback = Feedback()
    running = send_goal(rig, feedback=feedback)
    wait_until(lambda: feedback.count() >= 1, 20, "the goal running")
    rig.estop.publish(Bool(data=True))
    outcome = wait_future(running.get_result_async(), 20)
    assert outcome.status == GoalStatus.STATUS_ABORTED and "e-stop" in outcome.result.message
    assert not send_goal(rig).accepted
    rig.estop.publish(Bool(data=False))  # clears nothing (any peer could send it): still refused
    assert not send_goal(rig).accepted
    signed = signed_clear_request(load_or_create_secret(), "reset test", "arm inspected")
    request = ClearEstop.Request(operator_name=signed.operator_name, reason=signed.reason, stamp_ns=signed.stamp_ns,
                                 nonce=signed.nonce, mac=list(signed.mac))  # fmt: skip
    assert rig.peer.clear_estop.wait_for_service(timeout_sec=10)
    assert wait_future(rig.peer.clear_estop.call_async(request), 10).accepted
    # The controller learns of the clear from the driver's next arm_state; each goal request is answered, so
    # asking again until one is accepted waits on events, bounded.
    accepted = []

    def goal_accepted() -> bool:
        handle = send_goal(rig, timeout=0.2)
        if handle.accepted:
            accepted.append(handle)
        return bool(accepted)

    wait_until(goal_accepted, 30, "a goal to be accepted once the e-stop is cleared")
    wait_future(accepted[0].get_result_async(), 20)
