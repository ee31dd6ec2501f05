"""Peer process: a minimal ExecutePrompt action server (one step every 20 ms, feedback each step)."""

import time

import sys

import rclpy
from rclpy.action import ActionServer, CancelResponse, GoalResponse
from rclpy.executors import MultiThreadedExecutor
from rclpy.node import Node
from rclpy.signals import SignalHandlerOptions
from sarl_node_runtime import run_until_signal
from sarl_interfaces.action import ExecutePrompt


class StepServer(Node):
    def __init__(self) -> None:
        super().__init__("execute_prompt_peer")
        self._server = ActionServer(
            self, ExecutePrompt, "execute_prompt", self._execute,
            goal_callback=lambda _goal: GoalResponse.ACCEPT,
            cancel_callback=lambda _goal: CancelResponse.ACCEPT,
        )

    def _execute(self, goal_handle):
        started = time.monotonic()
        result = ExecutePrompt.Result()
        feedback = ExecutePrompt.Feedback()
        for step in range(goal_handle.request.max_steps):
            if goal_handle.is_cancel_requested:
                goal_handle.canceled()
                result.outcome = ExecutePrompt.Result.OUTCOME_CANCELED
                result.steps_executed = step
                result.message = f"canceled after {step} steps of '{goal_handle.request.prompt}'"
                return result
            time.sleep(0.02)
            feedback.steps_done = step + 1
            feedback.elapsed = time.monotonic() - started
            goal_handle.publish_feedback(feedback)
        goal_handle.succeed()
        result.outcome = ExecutePrompt.Result.OUTCOME_COMPLETED
        result.steps_executed = goal_handle.request.max_steps
        result.elapsed = time.monotonic() - started
        result.message = f"executed '{goal_handle.request.prompt}'"
        return result


def main() -> None:
    rclpy.init(args=sys.argv, signal_handler_options=SignalHandlerOptions.NO)  # --ros-args -r __ns:=...
    node = StepServer()
    executor = MultiThreadedExecutor()
    run_until_signal(node, executor)


if __name__ == "__main__":
    main()
