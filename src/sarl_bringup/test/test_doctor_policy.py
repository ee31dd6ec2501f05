"""The doctor's policy-server check against the simulator's real openpi-protocol server and a dead port.

The server is ``sarl_sim.policy_server.PolicyServer`` (openpi's protocol: metadata
frame, msgpack-numpy, ``/healthz``); the client is the real ``openpi-client``
inside the bridge's ``PolicyClient``, as on the robot.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator

import numpy as np
import pytest
from sarl_bringup.doctor_checks import Status
from sarl_bringup.doctor_policy import PolicyTarget, check_policy_server
from sarl_sim.policy_server import PolicyServer

# openpi-client 0.1.2 calls websockets' connect() the pre-14 way; upstream, not ours.
pytestmark = pytest.mark.filterwarnings("ignore:connect\\(\\) must be used as a context manager:DeprecationWarning")


def chunk(columns: int = 7) -> dict:
    return {"actions": np.zeros((10, columns), dtype=np.float32)}


@pytest.fixture
def serve() -> Iterator[Callable[[Callable[[dict], dict]], int]]:
    servers: list[PolicyServer] = []

    def start(policy: Callable[[dict], dict]) -> int:
        server = PolicyServer(policy, "127.0.0.1", port=0)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


def target(port: int, inference_timeout: float = 2.0, chunk_duration: float = 1.0, scene=None) -> PolicyTarget:
    return PolicyTarget("127.0.0.1", port, None, connect_timeout=2.0, inference_timeout=inference_timeout,
                        chunk_duration=chunk_duration, warmup_timeout=5.0, scene=scene)  # fmt: skip


def slow(delay: float, response: dict) -> Callable[[dict], dict]:
    def policy(obs: dict) -> dict:
        time.sleep(delay)
        return response

    return policy


def test_a_healthy_server_passes_and_gets_the_bridges_observation(serve):
    seen: list[dict] = []
    port = serve(lambda obs: seen.append(obs) or chunk())
    result = check_policy_server(target(port), prompt="pick up the banana")
    assert result.status is Status.PASS, result
    assert "/healthz 200" in result.detail and "actions (10, 7)" in result.detail
    assert len(seen) == 2, "one warm-up and one timed inference"
    obs = seen[-1]
    assert obs["observation/image"].shape == (224, 224, 3) and obs["observation/image"].dtype == np.uint8
    assert obs["observation/state"].shape == (7,) and obs["prompt"] == "pick up the banana"
    assert "observation/scene" not in obs


def test_the_configured_policy_profile_is_probed_and_its_action_shape_required(serve):
    seen: list[dict] = []
    port = serve(lambda obs: seen.append(obs) or {"actions": np.zeros((15, 8), dtype=np.float32)})
    libero = PolicyTarget("127.0.0.1", port, None, connect_timeout=2.0, inference_timeout=2.0, chunk_duration=1.0,
                          warmup_timeout=5.0, profile="libero")  # fmt: skip
    result = check_policy_server(libero)
    assert sorted(seen[-1]) == ["observation/image", "observation/state", "observation/wrist_image", "prompt"]
    assert result.status is Status.FAIL and "profile 'libero' expects actions of shape (H >= 1, 7)" in result.detail
    assert "(15, 8)" in result.detail and "policy_profile" in result.fix


def test_the_simulator_profile_sends_a_scene_for_the_stand_in_vla(serve):
    seen: list[dict] = []
    port = serve(lambda obs: seen.append(obs) or chunk())
    scene = np.zeros((1, 11), dtype=np.float32)
    assert check_policy_server(target(port, scene=scene)).status is Status.PASS
    assert seen[-1]["observation/scene"].shape == (1, 11)


def test_a_dead_port_fails_with_how_to_start_and_reach_the_server():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = check_policy_server(target(port))
    assert result.status is Status.FAIL
    assert f"no answer from ws://127.0.0.1:{port} (GET /healthz)" in result.detail
    assert "serve_policy.py" in result.fix and "policy_host/policy_port" in result.fix and "nc -vz" in result.fix


def test_answers_slower_than_one_chunk_warn_that_the_arm_will_pause(serve):
    port = serve(slow(0.3, chunk()))
    result = check_policy_server(target(port, chunk_duration=0.1))
    assert result.status is Status.WARN and "the arm will pause" in result.detail
    assert "steps_per_query" in result.fix


def test_answers_slower_than_the_inference_timeout_fail(serve):
    port = serve(slow(0.4, chunk()))
    result = check_policy_server(target(port, inference_timeout=0.2, chunk_duration=0.1))
    assert result.status is Status.FAIL and "> inference_timeout 0.2 s" in result.detail
    assert "every goal would abort" in result.fix


def test_actions_the_bridge_cannot_execute_fail_naming_the_shape(serve):
    port = serve(lambda obs: chunk(columns=6))
    result = check_policy_server(target(port))
    assert result.status is Status.FAIL and "(H >= 1, 7)" in result.detail and "(10, 6)" in result.detail


def test_a_server_that_raises_fails_with_its_error_and_the_observation_hint(serve):
    def broken(obs: dict) -> dict:
        raise KeyError("observation/wrist_image")

    port = serve(broken)
    result = check_policy_server(target(port))
    assert result.status is Status.FAIL and "remote_error" in result.detail
    assert "observation/wrist_image" in result.detail and "observation keys" in result.fix
