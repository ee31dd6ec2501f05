"""PolicyClient against the real openpi client and an openpi-protocol server: every failure is bounded and typed."""

from __future__ import annotations

import socket
import time

import numpy as np
import pytest
from sarl_vla_bridge.observation import probe_observation
from sarl_vla_bridge.policy_client import PolicyClient, PolicyEndpoint, PolicyError
from sarl_vla_bridge.profiles import get_profile

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


def test_nothing_listening_fails_fast_as_unreachable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = client_for(port, connect_timeout=5.0)
    started = time.monotonic()
    with pytest.raises(PolicyError) as info:
        client.ensure_connected()
    assert info.value.kind == "unreachable"
    assert time.monotonic() - started < 2.0  # refused at once, not after connect_timeout


def test_a_server_that_never_answers_is_bounded_by_connect_timeout():
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        client = client_for(silent.getsockname()[1], connect_timeout=0.4)
        started = time.monotonic()
        with pytest.raises(PolicyError) as info:
            client.ensure_connected()
        waited = time.monotonic() - started
    assert info.value.kind == "unreachable" and "/healthz" in str(info.value)
    assert 0.3 < waited < 2.0


def test_a_slow_inference_times_out_and_the_next_goal_reconnects(scripted_server):
    server, policy = scripted_server
    client = client_for(server.port, inference_timeout=0.3)
    client.ensure_connected()
    policy.delay = 1.2
    started = time.monotonic()
    with pytest.raises(PolicyError) as info:
        client.infer(OBS)
    assert info.value.kind == "timeout"
    assert time.monotonic() - started < 0.9  # the deadline, not the server, ended the call
    assert not client.is_connected
    policy.delay = 0.0
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
