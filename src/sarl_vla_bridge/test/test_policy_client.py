"""PolicyClient against the real openpi client and an openpi-protocol server: every failure is bounded and typed."""

from __future__ import annotations

import socket
import time

import numpy as np
import pytest
from sarl_vla_bridge.observation import probe_observation
from sarl_vla_bridge.policy_client import PolicyClient, PolicyEndpoint, PolicyError
from sarl_vla_bridge.profiles import get_profile
from support import latency_bounds

OBS = probe_observation(get_profile("bridge_ee_delta"), "pick up the banana")


def client_for(port: int, connect_timeout: float = 2.0, inference_timeout: float = 0.5) -> PolicyClient:
    return PolicyClient(PolicyEndpoint("127.0.0.1", port, connect_timeout, inference_timeout))


def test_connects_and_returns_the_servers_chunk(scripted_server):
    server, policy = scripted_server
    client = client_for(server.port)
    client.ensure_connected()
    response = client.infer(OBS)
    client.close()
    assert response["actions"].shape == (10, 7)
    assert "infer_ms" in response["server_timing"]
    assert client.metadata["action_horizon"] == 10 and client.metadata["action_dim"] == 7
    sent = policy.observations[0]
    assert sent["prompt"] == "pick up the banana"
    assert sent["observation/image"].shape == (224, 224, 3) and sent["observation/image"].dtype == np.uint8


@pytest.mark.timing
def test_nothing_listening_fails_fast_as_unreachable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    connect_timeout = 60.0
    client = client_for(port, connect_timeout=connect_timeout)
    started = time.monotonic()
    with pytest.raises(PolicyError) as info:
        client.ensure_connected()
    # Refused at once, not after connect_timeout: the error says so, and it came long before the deadline.
    assert info.value.kind == "unreachable" and "ConnectionRefusedError" in str(info.value)
    assert time.monotonic() - started < connect_timeout / 2


@pytest.mark.timing
def test_a_server_that_never_answers_is_bounded_by_connect_timeout():
    connect_timeout = 0.4
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        client = client_for(silent.getsockname()[1], connect_timeout=connect_timeout)
        started = time.monotonic()
        with pytest.raises(PolicyError) as info:
            client.ensure_connected()
        waited = time.monotonic() - started
    assert info.value.kind == "unreachable" and "/healthz" in str(info.value)
    assert waited >= connect_timeout * 0.9  # the deadline ended it (a slow machine only waits longer)
    latency_bounds.policy_connect(connect_timeout).check(waited)


@pytest.mark.timing
def test_a_slow_inference_times_out_and_the_next_goal_reconnects(scripted_server):
    server, policy = scripted_server
    client = client_for(server.port, inference_timeout=0.3)
    client.ensure_connected()
    policy.hold()  # the server answers only once released: the deadline, not the server, must end the call
    with pytest.raises(PolicyError) as info:
        client.infer(OBS)
    assert info.value.kind == "timeout" and "inference_timeout=0.3 s" in str(info.value)
    assert not client.is_connected
    policy.release()
    client.ensure_connected()
    assert client.infer(OBS)["actions"].shape == (10, 7)
    client.close()


def test_a_remote_exception_keeps_the_servers_traceback(scripted_server):
    server, policy = scripted_server
    client = client_for(server.port)
    client.ensure_connected()
    policy.fail = True
    with pytest.raises(PolicyError) as info:
        client.infer(OBS)
    assert info.value.kind == "remote_error"
    assert "ValueError: scripted policy failure" in str(info.value)
    client.close()


def test_a_connection_closed_between_goals_is_replaced(make_server):
    first, _ = make_server()
    client = client_for(first.port)
    client.ensure_connected()
    port = first.port
    first.stop()
    make_server(port)
    client.ensure_connected()
    assert client.infer(OBS)["actions"].shape == (10, 7)
    client.close()
