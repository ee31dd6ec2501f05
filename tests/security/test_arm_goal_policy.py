"""Outsider goals and pathological prompts against the real bridge, stand-in policy server and driver processes."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest
from action_msgs.msg import GoalStatus
from openpi_client.websocket_client_policy import WebsocketClientPolicy
from rclpy.action import ActionClient
from sarl_auth import load_or_create_secret
from sarl_auth.prompt_goal import sign_goal
from sarl_interfaces.action import ExecutePrompt
from sarl_sim.semantic_env import SemanticEnv
from support.processes import PeerProcess
from support.ros_node import wait_future, wait_until

STARTUP = 40.0  # [s] a process's first answer on a loaded 2-core machine
PROMPT = "pick up the hammer"  # in the stand-in's embedding cache
PATHOLOGICAL = "pick up the hammer " * 530  # ~10 kB, the stalling prompt
ANSWER_BOUND = 10.0
"""[s] generous bound for a refusal: the stall it guards against was ~170 s; the figure itself is printed."""

pytestmark = pytest.mark.filterwarnings("ignore:connect\\(\\) must be used as a context manager:DeprecationWarning")


@pytest.fixture
def policy_port(peers: list[PeerProcess], tmp_path: Path) -> int:
    """The stand-in policy server process, serving its cached prompts.

    ``--no-model``: the sentence model's background load (torch, 10-60 s of CPU on two cores) slowed inference past
    the bridge's 2 s deadline while it ran; this test is about goals and prompt bounds, which never reach the model
    (the load itself: sarl_sim's test_standin_vla).
    """
    command = [sys.executable, "-m", "sarl_sim.policy_server", "--port", "0", "--no-model"]
    server = PeerProcess(command, tmp_path / "policy.log")
    peers.append(server)
    wait_until(lambda: "listening on" in server.log_text(), STARTUP, "the policy server to listen")
    return int(re.search(r"listening on ws://[\d.]+:(\d+)", server.log_text()).group(1))


def test_outsider_goals_never_preempt_the_agents_step_and_long_prompts_cost_nothing(
    arm_driver, arm_observer, arm_namespace, hostile, peers, policy_port, tmp_path
):
    arm_driver(control_rate_hz=10.0, watchdog_timeout=30.0)
    bridge_args = ["--ros-args", "-r", f"__ns:={arm_namespace}", "-p", f"policy_port:={policy_port}",
                   "-p", "scene_topic:=sim/scene", "-p", "control_rate_hz:=10.0"]  # fmt: skip
    peers.append(PeerProcess([sys.executable, "-m", "sarl_vla_bridge.bridge_node", *bridge_args],
                             tmp_path / "bridge.log"))  # fmt: skip
    spun, log = arm_observer
    agent = ActionClient(spun.node, ExecutePrompt, f"{arm_namespace}/execute_prompt")
    spun.start()
    assert agent.wait_for_server(timeout_sec=STARTUP), "the bridge's execute_prompt never appeared"
    log.wait_for(lambda m: True, STARTUP, "the driver's first arm_state")
    secret = load_or_create_secret()

    feedback: list[int] = []
    goal = sign_goal(secret, ExecutePrompt.Goal(prompt=PROMPT, max_steps=100_000))
    step = wait_future(agent.send_goal_async(goal, lambda f: feedback.append(f.feedback.steps_done)), 20)
    assert step.accepted
    wait_until(lambda: len(feedback) >= 3, STARTUP, "the agent's step under way")

    attack = hostile("goals", "10")  # unsigned and guessed-secret goals, each would have preempted before
    assert attack == {"sent": 10, "accepted": 0}
    steps_after_attack = feedback[-1]
    wait_until(lambda: feedback[-1] >= steps_after_attack + 3, 20, "the agent's step to go on after the attack")
    assert not step.get_result_async().done(), "the agent's step ended during the attack"
    wait_future(step.cancel_goal_async(), 20)
    ended = wait_future(step.get_result_async(), 20)
    assert ended.status == GoalStatus.STATUS_CANCELED, ended.result.message
    assert ended.result.outcome == ExecutePrompt.Result.OUTCOME_CANCELED  # ended by its own client, nobody else

    started = time.monotonic()
    long_goal = sign_goal(secret, ExecutePrompt.Goal(prompt=PATHOLOGICAL, max_steps=3))
    refused = wait_future(wait_future(agent.send_goal_async(long_goal), 20).get_result_async(), 20)
    bridge_s = time.monotonic() - started
    assert refused.result.outcome == ExecutePrompt.Result.OUTCOME_INVALID_GOAL
    assert "characters" in refused.result.message and refused.result.steps_executed == 0

    client = WebsocketClientPolicy(host="127.0.0.1", port=policy_port)
    sim = SemanticEnv("hammer_plate_mushroom")
    sim.reset(0)
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="characters"):
        client.infer(sim.observation(PATHOLOGICAL))
    server_s = time.monotonic() - started
    assert max(bridge_s, server_s) < ANSWER_BOUND
    client = WebsocketClientPolicy(host="127.0.0.1", port=policy_port)  # the server closed the failed connection
    assert client.infer(sim.observation(PROMPT))["actions"].shape[1] == 7, "the server serves on after the refusal"
    print(f"10 kB prompt refused: bridge goal result {bridge_s * 1000:.0f} ms, policy server {server_s * 1000:.0f} ms")
