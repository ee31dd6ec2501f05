"""The ``SemanticRobot`` port implemented with the sarl node graph.

Called from the agent's episode thread, never from an executor callback: it
sends requests and goals asynchronously and blocks on threading events set by
done-callbacks, each with a deadline. The executor spins elsewhere.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np
from action_msgs.msg import GoalStatus
from rclpy.action import ActionClient
from rclpy.callback_groups import ReentrantCallbackGroup
from rclpy.node import Node
from sarl_auth import load_or_create_secret
from sarl_auth.prompt_goal import sign_goal
from sarl_interfaces.action import ExecutePrompt, ResetToHome
from sarl_interfaces.msg import ArmState
from sarl_interfaces.srv import EvaluateTask, ProposePrompts, ResetScene
from sensor_msgs.msg import Image

from ..agent_settings import AgentSettings
from ..episode.label_gate import LabelGate
from ..episode.robot import EpisodeSetup, Outcome, Proposal, RobotObservation, SemanticRobot, StepReport
from .messages import compressed_image, image_msg_to_rgb

WRIST_TOPIC = "camera/wrist/image_raw"
"""The driver's wrist camera (widowx_driver.wrist_camera): recorded in every transition when it publishes."""

FRESH_STATE_TIMEOUT = 2.0  # [s] how long observe() waits for arm state newer than its call


class RobotUnavailable(RuntimeError):
    """A server of the graph did not answer in time."""


def wait_for(future: Any, timeout: float, what: str) -> Any:
    """Block the calling (non-executor) thread until an rclpy future completes."""
    done = threading.Event()
    future.add_done_callback(lambda _f: done.set())
    if not done.wait(timeout):
        raise RobotUnavailable(f"{what}: no answer within {timeout:.1f} s")
    if future.exception() is not None:
        raise RobotUnavailable(f"{what}: {future.exception()}")
    return future.result()


class RosSemanticRobot(SemanticRobot):
    def __init__(self, node: Node, settings: AgentSettings, labels: LabelGate) -> None:
        self._node = node
        self._settings = settings
        self._labels = labels
        self._episode = -1
        self._uses_sim = settings.reward_source == "sim"
        # Reentrant: responses, results and sensor updates may all land while the episode thread waits.
        group = ReentrantCallbackGroup()
        self._propose = node.create_client(ProposePrompts, "propose_prompts", callback_group=group)
        self._execute = ActionClient(node, ExecutePrompt, "execute_prompt", callback_group=group)
        self._reset = ActionClient(node, ResetToHome, "reset_to_home", callback_group=group)
        self._reset_scene = node.create_client(ResetScene, "sim/reset_scene", callback_group=group)
        self._evaluate = node.create_client(EvaluateTask, "sim/evaluate_task", callback_group=group)
        self._lock = threading.Lock()
        self._state: tuple[float, np.ndarray] | None = None
        self._image: tuple[float, Image] | None = None
        self._wrist_image: tuple[float, Image] | None = None
        node.create_subscription(ArmState, "arm_state", self._arm_state_callback, 10, callback_group=group)
        node.create_subscription(Image, "camera/image_raw", self._image_callback, 1, callback_group=group)
        node.create_subscription(Image, WRIST_TOPIC, self._wrist_image_callback, 1, callback_group=group)

    # ----------------------------------------------------------- graph readiness
    def wait_for_graph(self) -> None:
        """Wait for every server this agent needs and for the driver's arm_state; fail naming what is missing.

        Without arm_state no episode can start safely (reset-to-home would drive an arm nobody reports on).
        """
        timeout = self._settings.server_timeout
        waits = [("propose_prompts", self._propose.wait_for_service),
                 ("execute_prompt", self._execute.wait_for_server),
                 ("reset_to_home", self._reset.wait_for_server),
                 ("arm_state from the driver", self._wait_for_arm_state)]
        if self._uses_sim:
            waits += [("sim/reset_scene", self._reset_scene.wait_for_service),
                      ("sim/evaluate_task", self._evaluate.wait_for_service)]
        deadline = time.monotonic() + timeout
        missing = [name for name, wait in waits if not wait(timeout_sec=max(0.1, deadline - time.monotonic()))]
        if missing:
            raise RobotUnavailable(f"not available after {timeout:.0f} s: {', '.join(missing)}")

    def _wait_for_arm_state(self, timeout_sec: float) -> bool:
        deadline = time.monotonic() + timeout_sec
        while time.monotonic() < deadline:
            with self._lock:
                if self._state is not None:
                    return True
            time.sleep(0.02)
        with self._lock:
            return self._state is not None

    # ------------------------------------------------------------- port methods
    def start_episode(self, episode: int) -> EpisodeSetup:
        self._episode = episode
        if not self._uses_sim:
            report = self.reset_to_home()
            if not report.completed:
                raise RobotUnavailable(f"could not bring the arm home before episode {episode}: {report.message}")
            self._labels.start(episode)  # from now on the operator may end it early as a success
            return EpisodeSetup(task=self._settings.task)
        request = ResetScene.Request(task_name=self._settings.task_name, seed=self._settings.seed + episode)
        response = wait_for(self._reset_scene.call_async(request), self._settings.server_timeout, "sim/reset_scene")
        if not response.accepted:
            raise RobotUnavailable(f"sim/reset_scene refused task {self._settings.task_name!r}: {response.message}")
        return EpisodeSetup(task=response.task, object_names=tuple(response.object_names))

    def observe(self) -> RobotObservation:
        since = time.monotonic()
        deadline = since + FRESH_STATE_TIMEOUT
        while True:
            with self._lock:
                state, image, wrist = self._state, self._image, self._wrist_image
            if state is not None and all(seen is None or seen[0] >= since for seen in (state, image, wrist)):
                break
            if time.monotonic() > deadline:
                if state is None:
                    raise RobotUnavailable("no arm_state received from the driver")
                break  # stale but usable: the driver publishes at its control rate
            time.sleep(0.01)
        frame = image_msg_to_rgb(image[1]) if image is not None else None
        wrist_frame = image_msg_to_rgb(wrist[1]) if wrist is not None and wrist[0] >= since else None
        return RobotObservation(proprio=state[1], image=frame, wrist_image=wrist_frame)

    def propose(self, task: str, observation: RobotObservation, history: list[str]) -> Proposal:
        request = ProposePrompts.Request(task=task, history=list(history))
        request.image = compressed_image(observation.image)
        try:
            response = wait_for(self._propose.call_async(request), self._settings.propose_timeout, "propose_prompts")
        except RobotUnavailable as error:
            return Proposal(prompts=(), error=str(error))
        return Proposal(prompts=tuple(response.prompts), error=response.error, from_cache=response.from_cache,
                        vlm_state=response.vlm_state)

    def execute(self, prompt: str) -> StepReport:
        goal = ExecutePrompt.Goal(prompt=prompt, max_steps=self._settings.steps_per_prompt)
        sign_goal(load_or_create_secret(), goal)  # the bridge runs only goals signed with the run secret
        return self._run_goal(self._execute, goal, "execute_prompt")

    def reset_to_home(self) -> StepReport:
        return self._run_goal(self._reset, ResetToHome.Goal(), "reset_to_home")

    def detect_success(self) -> bool | None:
        """Simulator: its success detector. Operator: True once the operator ended the episode early as a
        success, else None (the operator labels it at the end)."""
        if not self._uses_sim:
            return True if self._labels.ended_early(self._episode) else None
        response = wait_for(self._evaluate.call_async(EvaluateTask.Request()), self._settings.server_timeout,
                            "sim/evaluate_task")
        return bool(response.task_success)

    def await_label(self, episode: int) -> Outcome:
        self._labels.open(episode)
        timeout = self._settings.label_timeout or None
        outcome = self._labels.wait(episode, timeout)
        if outcome is None:
            self._labels.close(episode, Outcome.ABORT)
            self._node.get_logger().warning(f"no label for episode {episode} within {timeout} s: counted as ABORT")
            return Outcome.ABORT
        return outcome

    # ----------------------------------------------------------------- helpers
    def _run_goal(self, client: ActionClient, goal: Any, what: str) -> StepReport:
        started = time.monotonic()
        timeout = self._settings.execute_timeout
        try:
            handle = wait_for(client.send_goal_async(goal), self._settings.server_timeout, f"{what} goal")
        except RobotUnavailable as error:
            return StepReport(completed=False, message=str(error), elapsed=time.monotonic() - started)
        if not handle.accepted:
            return StepReport(completed=False, message=f"{what} goal rejected", elapsed=time.monotonic() - started)
        try:
            response = wait_for(handle.get_result_async(), timeout, f"{what} result")
        except RobotUnavailable as error:
            handle.cancel_goal_async()
            return StepReport(completed=False, message=str(error), elapsed=time.monotonic() - started)
        result = response.result
        completed = response.status == GoalStatus.STATUS_SUCCEEDED
        code = int(getattr(result, "outcome", 0))
        return StepReport(completed=completed, outcome_code=code, message=result.message,
                          elapsed=time.monotonic() - started)

    def _arm_state_callback(self, msg: ArmState) -> None:
        proprio = np.array([msg.x, msg.y, msg.z, msg.roll, msg.pitch, msg.yaw, msg.gripper], dtype=np.float32)
        with self._lock:
            self._state = (time.monotonic(), proprio)

    def _image_callback(self, msg: Image) -> None:
        with self._lock:
            self._image = (time.monotonic(), msg)

    def _wrist_image_callback(self, msg: Image) -> None:
        with self._lock:
            self._wrist_image = (time.monotonic(), msg)
