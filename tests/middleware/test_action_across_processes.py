"""ExecutePrompt goals, feedback and cancel between two OS processes over real DDS."""

from pathlib import Path

from action_msgs.msg import GoalStatus
from rclpy.action import ActionClient
from sarl_interfaces.action import ExecutePrompt
import pytest
from support.processes import PeerProcess
from support.ros_node import SpunNode, wait_future, wait_until

PEERS = Path(__file__).parent / "peers"
ENDLESS = 1_000_000
"""Steps of a goal that must still be running when the test cancels it (hours at the peer's 20 ms a step)."""


@pytest.fixture
def action_client(namespace):
    """A node with an ExecutePrompt client, created before the node spins."""
    spun = SpunNode("execute_prompt_test_client", start=False)
    client = ActionClient(spun.node, ExecutePrompt, f"{namespace}/execute_prompt")
    spun.start()
    yield client
    spun.close()


def test_goal_runs_to_completion_with_feedback(action_client, peers, tmp_path, ns_args):
    peers.append(PeerProcess.python(PEERS / "execute_prompt_server.py", *ns_args, log_dir=tmp_path))
    client = action_client
    assert client.wait_for_server(timeout_sec=40.0), "action server in the peer process never appeared"

    feedback_steps = []
    goal = ExecutePrompt.Goal(prompt="pick up the banana", max_steps=5)
    handle = wait_future(client.send_goal_async(goal, lambda fb: feedback_steps.append(fb.feedback.steps_done)), 20)
    assert handle.accepted
    # rclpy drops a goal's feedback callback once its result has arrived, and feedback (a topic) may land after
    # the result (a service): ask for the result only once every step's feedback is in.
    wait_until(lambda: len(feedback_steps) >= 5, 20, "feedback of every step")
    response = wait_future(handle.get_result_async(), 20)

    assert response.status == GoalStatus.STATUS_SUCCEEDED
    assert response.result.outcome == ExecutePrompt.Result.OUTCOME_COMPLETED
    assert response.result.steps_executed == 5
    assert response.result.message == "executed 'pick up the banana'"
    assert feedback_steps == [1, 2, 3, 4, 5]


@pytest.mark.timing
def test_cancel_stops_a_running_goal(action_client, peers, tmp_path, ns_args):
    peers.append(PeerProcess.python(PEERS / "execute_prompt_server.py", *ns_args, log_dir=tmp_path))
    client = action_client
    assert client.wait_for_server(timeout_sec=40.0)

    feedback_steps = []
    goal = ExecutePrompt.Goal(prompt="open the gripper", max_steps=ENDLESS)
    handle = wait_future(client.send_goal_async(goal, lambda fb: feedback_steps.append(fb.feedback.steps_done)), 20)
    wait_until(lambda: len(feedback_steps) >= 3, 10, "feedback before cancel")
    wait_future(handle.cancel_goal_async(), 20)
    response = wait_future(handle.get_result_async(), 20)

    assert response.status == GoalStatus.STATUS_CANCELED
    assert response.result.outcome == ExecutePrompt.Result.OUTCOME_CANCELED
    assert 3 <= response.result.steps_executed < ENDLESS
