"""The vlm_proposer node in-process, called across a real service client."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import cv2
import numpy as np
import pytest
import rclpy
from rclpy.context import Context
from rclpy.executors import MultiThreadedExecutor
from rclpy.parameter import Parameter
from sarl_agent.nodes.vlm_proposer_node import VlmProposerNode
from sarl_interfaces.srv import ProposePrompts
from sensor_msgs.msg import CompressedImage
from support.ros_node import SpunNode, wait_future


class ProposerUnderTest:
    """VlmProposerNode with its own Context and executor, plus a client node to call it."""

    def __init__(self, namespace: str, **parameters: object) -> None:
        self.context = Context()
        rclpy.init(context=self.context)
        overrides = [Parameter(k, value=v) for k, v in parameters.items()]
        self.node = VlmProposerNode(context=self.context, namespace=namespace, parameter_overrides=overrides)
        self.executor = MultiThreadedExecutor(num_threads=2, context=self.context)
        self.executor.add_node(self.node)
        self.thread = threading.Thread(target=self.executor.spin, daemon=True)
        self.thread.start()
        self.caller = SpunNode(f"caller_{namespace}")
        self.client = self.caller.node.create_client(ProposePrompts, f"{namespace}/propose_prompts")
        assert self.client.wait_for_service(timeout_sec=10.0)

    def call(self, task: str, max_candidates: int = 0, image: CompressedImage | None = None) -> ProposePrompts.Response:
        request = ProposePrompts.Request(task=task, history=["pick up the lid"], max_candidates=max_candidates)
        if image is not None:
            request.image = image
        # 30 s: the first Gemini call imports google-genai, which took over 10 s once on a loaded 2-core machine.
        return wait_future(self.client.call_async(request), 30.0)

    def close(self) -> None:
        self.caller.close()
        self.executor.shutdown(timeout_sec=2.0)
        self.node.destroy_node()
        rclpy.shutdown(context=self.context)
        self.thread.join(timeout=5.0)


@pytest.fixture
def start() -> Iterator:
    started: list[ProposerUnderTest] = []

    def make(namespace: str, **parameters: object) -> ProposerUnderTest:
        started.append(ProposerUnderTest(namespace, **parameters))
        return started[-1]

    yield make
    for proposer in started:
        proposer.close()


def test_offline_backend_answers_with_the_sim_tasks_prompts(start):
    proposer = start("offline", offline_task="pot_lid_to_towel", default_max_candidates=6)
    response = proposer.call("move the pot lid to the towel")
    assert response.success and not response.error and not response.from_cache and response.vlm_state == "offline"
    assert response.prompts[0] == "move the pot lid to the towel" and len(response.prompts) == 6
    assert "reset to home" not in response.prompts
    assert len(proposer.call("move the pot lid to the towel", max_candidates=2).prompts) == 2


def test_gemini_failures_are_answered_from_the_cache_through_the_service(start, fake_gemini, monkeypatch):
    monkeypatch.setenv("NODE_TEST_GEMINI_KEY", "node-test-key")
    # The fake answers at once (valid, then HTTP 500): a short request timeout would only race a loaded machine.
    proposer = start(
        "gemini", backend="gemini", base_url=fake_gemini.url, timeout=30.0, retries=0,
        api_key_env="NODE_TEST_GEMINI_KEY",
    )
    png = CompressedImage(format="png", data=cv2.imencode(".png", np.zeros((8, 8, 3), np.uint8))[1].tobytes())
    first = proposer.call("put the banana in the pot", image=png)
    assert first.success and list(first.prompts) == ["pick up the banana", "put it in the pot"]
    inline = fake_gemini.requests[0]["body"]["contents"][0]["parts"][0]["inlineData"]
    assert inline["mime_type"] == "image/jpeg"
    assert first.vlm_state == "ok"
    fake_gemini.mode = "INTERNAL"
    second = proposer.call("put the banana in the pot")
    assert not second.success and second.vlm_state == "degraded", "a fallback answer is not the VLM's success"
    assert second.from_cache and list(second.prompts) == list(first.prompts)
    assert "HTTP 500" in second.error and "node-test-key" not in second.error
    fake_gemini.mode = "PERMISSION_DENIED"
    down = proposer.call("put the banana in the pot")
    assert not down.success and down.vlm_state == "down" and down.error.startswith("VLM DOWN")
    assert "HTTP 403 PERMISSION_DENIED" in down.error and list(down.prompts) == list(first.prompts)
    requests = len(fake_gemini.requests)
    assert proposer.call("put the banana in the pot").vlm_state == "down" and len(fake_gemini.requests) == requests


def test_success_is_false_when_nothing_could_be_produced(start):
    proposer = start("empty")
    response = proposer.call("")
    assert not response.success and not response.prompts and "offline_task" in response.error


def test_invalid_parameters_fail_at_start_with_the_name():
    context = Context()
    rclpy.init(context=context)
    try:
        with pytest.raises(ValueError, match="backend"):
            VlmProposerNode(context=context, parameter_overrides=[Parameter("backend", value="gpt-4")])
    finally:
        rclpy.shutdown(context=context)


def test_scene_backend_proposes_for_what_is_on_the_table_and_in_the_gripper(start):
    from sarl_sim.objects import ObjectKind
    from sarl_sim.scene import encode_scene
    from sarl_sim.tasks import TASKS
    from support.ros_node import wait_until
    from widowx_driver.messages import scene_message

    task = TASKS["pot_lid_to_towel"]
    proposer = start("scene", backend="scene", offline_task=task.name, default_max_candidates=12, scene_distractors=0)
    before = proposer.call(task.instruction)
    assert before.prompts and "no scene on 'sim/scene' yet" in before.error  # the offline list stands in
    assert not before.success and before.vlm_state == "degraded"

    world = task.build(np.random.default_rng(0))
    publisher = proposer.caller.node.create_publisher(type(scene_message(encode_scene(world))), "scene/sim/scene", 1)

    def answer_for(scene_world) -> list[str]:
        """Publish a scene, then ask (the first scene's arrival is seen by the error going away)."""
        publisher.publish(scene_message(encode_scene(scene_world)))
        wait_until(lambda: not proposer.call(task.instruction).error, 10, "the proposer to receive a scene")
        return list(proposer.call(task.instruction).prompts)

    empty_handed = answer_for(world)
    assert "pick up the lid" in empty_handed or "pick up the pot lid" in empty_handed
    assert "pick up the pot" not in empty_handed, "scene_goals (default on): the task moves only the lid"
    assert not any(p.startswith("put it") for p in empty_handed)

    lid = next(i for i, o in enumerate(world.objects) if o.kind == ObjectKind.LID)
    holding = world.copy()
    holding.attach(lid)
    wait_until(lambda: "open the gripper" in answer_for(holding), 10, "candidates for the held lid")
    assert "put it on the towel" in answer_for(holding)


def test_string_list_parameters_from_a_parameter_file_are_accepted(start):
    """real_widowx.yaml sets offline_objects / offline_receptacles; the node must start with them."""
    proposer = start("lists", offline_objects=["banana", "sushi"], offline_receptacles=["pot", "bowl"],
                     default_max_candidates=20)
    prompts = list(proposer.call("put the banana in the pot").prompts)
    assert "pick up the banana" in prompts and "put it in the bowl" in prompts
