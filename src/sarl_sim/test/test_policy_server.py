"""The openpi-protocol server, driven by the real openpi-client."""

import http.client
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import websockets.sync.client
from openpi_client import msgpack_numpy
from openpi_client.websocket_client_policy import WebsocketClientPolicy

from sarl_sim.policy_server import PolicyServer
from sarl_sim.semantic_env import SemanticEnv

SRC = Path(__file__).resolve().parents[1]

# openpi-client 0.1.2 calls websockets' connect() without a context manager; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:connect\\(\\) must be used as a context manager:DeprecationWarning")


def _echo_policy(obs):
    if obs.get("prompt") == "explode":
        raise ValueError("boom: the policy failed on purpose")
    return {"actions": np.tile(np.asarray(obs["observation/state"], dtype=np.float32), (4, 1))}


@pytest.fixture
def echo_server():
    server = PolicyServer(_echo_policy, host="127.0.0.1", port=0, metadata={"policy": "echo", "action_horizon": 4})
    server.start()
    yield server
    server.stop()


def _obs(prompt="pick up the hammer"):
    return {
        "observation/image": np.zeros((256, 256, 3), dtype=np.uint8),
        "observation/state": np.arange(7, dtype=np.float32),
        "prompt": prompt,
    }


def test_real_client_gets_metadata_then_actions_and_timing(echo_server):
    client = WebsocketClientPolicy(host="127.0.0.1", port=echo_server.port)
    assert client.get_server_metadata() == {"policy": "echo", "action_horizon": 4}
    for _ in range(3):
        result = client.infer(_obs())
        assert result["actions"].shape == (4, 7)
        np.testing.assert_array_equal(result["actions"][0], np.arange(7))
        assert result["server_timing"]["infer_ms"] >= 0.0
    assert "prev_total_ms" in result["server_timing"]


def test_errors_come_back_as_traceback_text_and_close_with_internal_error(echo_server):
    client = WebsocketClientPolicy(host="127.0.0.1", port=echo_server.port)
    with pytest.raises(RuntimeError, match="boom: the policy failed on purpose") as info:
        client.infer(_obs("explode"))
    assert "Traceback" in str(info.value)
    with websockets.sync.client.connect(echo_server.url, compression=None, max_size=None) as ws:
        msgpack_numpy.unpackb(ws.recv())
        ws.send(msgpack_numpy.packb(_obs("explode")))
        assert isinstance(ws.recv(), str)
        with pytest.raises(websockets.ConnectionClosedError) as closed:
            ws.recv()
        assert closed.value.rcvd.code == 1011


def test_healthz_answers_200(echo_server):
    conn = http.client.HTTPConnection("127.0.0.1", echo_server.port, timeout=5)
    conn.request("GET", "/healthz")
    response = conn.getresponse()
    assert response.status == 200 and response.read() == b"OK\n"
    conn.close()


def test_stop_closes_open_connections_and_frees_the_port():
    server = PolicyServer(_echo_policy, port=0)
    port = server.start()
    client = WebsocketClientPolicy(host="127.0.0.1", port=port)
    server.stop()
    with pytest.raises(websockets.ConnectionClosed):
        client.infer(_obs())
    again = PolicyServer(_echo_policy, port=port)
    assert again.start() == port
    again.stop()


def test_serves_the_standin_vla_to_the_real_client():
    env = SemanticEnv("hammer_plate_mushroom")
    env.reset(0)
    server = PolicyServer(env.policy, port=0)
    server.start()
    try:
        client = WebsocketClientPolicy(host="127.0.0.1", port=server.port)
        meta = client.get_server_metadata()
        assert meta["action_horizon"] == env.policy.action_horizon
        obs = env.observation("pick up the hammer")
        remote = client.infer(obs)["actions"]
        local = env.policy.infer(obs)["actions"]
        assert remote.shape == (env.policy.action_horizon, 7)
        np.testing.assert_allclose(remote, local, atol=1e-6)
        with pytest.raises(RuntimeError, match="observation/scene"):
            client.infer({"observation/state": np.zeros(7), "prompt": "pick up the hammer"})
    finally:
        server.stop()


def test_runs_as_a_process_and_stops_cleanly_on_sigterm():
    path = os.pathsep.join([str(SRC), str(SRC.parent / "reset_controller"), os.environ.get("PYTHONPATH", "")])
    env = dict(os.environ, PYTHONPATH=path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "sarl_sim.policy_server", "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("listening on ws://127.0.0.1:"), proc.stderr.read() if not line else line
        port = int(line.strip().rsplit(":", 1)[1])
        client = WebsocketClientPolicy(host="127.0.0.1", port=port)
        sim = SemanticEnv("pot_lid_to_towel")
        sim.reset(1)
        assert client.infer(sim.observation("pick up the lid"))["actions"].shape[1] == 7
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


UNCACHED = "wiggle the purple octopus twice"


def _start_server_process(**env_changes: str | None) -> tuple[subprocess.Popen, int]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SRC), str(SRC.parent / "reset_controller"),
                                                       os.environ.get("PYTHONPATH", "")]))
    for name, value in env_changes.items():
        env.pop(name, None) if value is None else env.__setitem__(name, value)
    proc = subprocess.Popen([sys.executable, "-m", "sarl_sim.policy_server", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, text=True)
    line = proc.stdout.readline()
    assert line.startswith("listening on ws://127.0.0.1:"), proc.stderr.read() if not line else line
    return proc, int(line.strip().rsplit(":", 1)[1])


def _observation(prompt: str) -> dict:
    sim = SemanticEnv("pot_lid_to_towel")
    sim.reset(1)
    return sim.observation(prompt)


def test_by_default_the_server_loads_the_sentence_model_at_start_and_embeds_an_uncached_prompt():
    from sarl_sim.embedding import default_embedder
    from sarl_sim.policy_server import NO_MODEL_ENV

    assert UNCACHED not in default_embedder(), "the prompt must be one the shipped cache lacks"
    proc, port = _start_server_process(**{NO_MODEL_ENV: None})
    try:
        for line in proc.stderr:  # the log: the model is loaded before any client asks
            if "sentence model ready" in line or "failed to load" in line:
                break
        assert "sentence model ready" in line, line
        actions = WebsocketClientPolicy(host="127.0.0.1", port=port).infer(_observation(UNCACHED))["actions"]
        assert actions.shape[1] == 7 and np.isfinite(actions).all()
    finally:
        proc.kill()
        proc.wait()


def test_with_the_suites_no_model_setting_an_uncached_prompt_is_refused_by_name():
    from sarl_sim.policy_server import NO_MODEL_ENV

    proc, port = _start_server_process(**{NO_MODEL_ENV: "1"})
    try:
        client = WebsocketClientPolicy(host="127.0.0.1", port=port)
        with pytest.raises(RuntimeError, match=r"not in the embedding cache.*SARL_SIM_POLICY_NO_MODEL"):
            client.infer(_observation(UNCACHED))
        again = WebsocketClientPolicy(host="127.0.0.1", port=port)  # (an error closes the connection)
        assert again.infer(_observation("pick up the lid"))["actions"].shape[1] == 7, "cached prompts are served"
    finally:
        proc.kill()
        proc.wait()
