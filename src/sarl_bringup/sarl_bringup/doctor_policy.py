"""Policy-server check of ``sarl doctor``: ``GET /healthz``, then a warm-up and one timed inference.

Why through the bridge's own client: ``sarl_vla_bridge.policy_client`` wraps the
real ``openpi-client`` with the deadlines the robot runs with, and
``validate_actions`` is the bridge's contract on the answer, so "doctor passes"
means "the bridge can drive the arm with this server". The warm-up matters on
the robot: the first request after an openpi server starts compiles the model
and can take far longer than ``inference_timeout``, which would abort the first
goal. No ROS here.
"""

from __future__ import annotations

import http.client
import time
from dataclasses import dataclass

import numpy as np
from sarl_vla_bridge.action_chunk import validate_actions
from sarl_vla_bridge.observation import probe_observation
from sarl_vla_bridge.policy_client import PolicyClient, PolicyEndpoint, PolicyError
from sarl_vla_bridge.profiles import DEFAULT_PROFILE, get_profile

from .doctor_checks import CheckResult, Status

SERVER_HINT = (
    "start it on the GPU host (openpi: uv run scripts/serve_policy.py ... --port 8000, or "
    "'docker compose --profile policy up' there), check policy_host/policy_port in the parameter file, "
    "and that the port is open from this machine (nc -vz HOST PORT)"
)


@dataclass(frozen=True)
class PolicyTarget:
    """Where the server is and what the bridge will expect of it."""

    host: str
    port: int | None
    api_key: str | None
    connect_timeout: float
    inference_timeout: float
    chunk_duration: float
    """[s] time the arm needs to execute one chunk (steps_per_query / control_rate_hz): slower answers stall it."""
    warmup_timeout: float = 60.0
    scene: np.ndarray | None = None
    """The simulator's privileged scene, for the stand-in VLA (None on the real robot)."""
    profile: str = DEFAULT_PROFILE
    """vla_bridge.policy_profile: the observation sent and the actions expected (sarl_vla_bridge.profiles)."""
    image_size: int = 0
    """vla_bridge.image_size (0 = the profile's)."""


def check_policy_server(target: PolicyTarget, prompt: str = "pick up the object") -> CheckResult:
    endpoint = PolicyEndpoint(target.host, target.port, target.connect_timeout,
                              max(target.warmup_timeout, target.inference_timeout), api_key=target.api_key)  # fmt: skip
    health = _healthz(endpoint)
    if health is None:
        return CheckResult("policy", Status.FAIL, f"no answer from {endpoint.uri} (GET /healthz)", SERVER_HINT)
    profile = get_profile(target.profile)
    observation = probe_observation(profile, prompt, target.scene, target.image_size)
    client = PolicyClient(endpoint)
    try:
        started = time.monotonic()
        client.ensure_connected()
        connect_ms = (time.monotonic() - started) * 1000
        mismatch = profile.check_metadata(client.metadata, () if target.scene is None else ("observation/scene",))
        if mismatch is not None:
            raise ValueError(mismatch)
        started = time.monotonic()
        client.infer(observation)
        warmup_s = time.monotonic() - started
        started = time.monotonic()
        response = client.infer(observation)
        latency = time.monotonic() - started
        actions = validate_actions(response, profile)
    except PolicyError as error:
        return CheckResult("policy", Status.FAIL, f"{endpoint.uri}: {_first_line(str(error))}",
                           _fix_for(error, profile.observation_keys))  # fmt: skip
    except ValueError as error:
        return CheckResult(
            "policy", Status.FAIL, f"{endpoint.uri} answered, but {error}",
            f"serve a checkpoint whose output transform returns what profile {profile.name!r} expects "
            "(docs/vla_checkpoints.md), or set vla_bridge.policy_profile to the checkpoint's",
        )  # fmt: skip
    finally:
        client.close()
    detail = (f"{endpoint.uri} /healthz {health}; profile {profile.name}; connect {connect_ms:.0f} ms; "
              f"warm-up {warmup_s:.2f} s; inference {latency * 1000:.0f} ms; actions {actions.shape}")  # fmt: skip
    if latency > target.inference_timeout:
        return CheckResult(
            "policy", Status.FAIL, f"{detail} > inference_timeout {target.inference_timeout} s",
            "every goal would abort: serve on a faster GPU / smaller model, or raise vla_bridge.inference_timeout",
        )  # fmt: skip
    if latency > target.chunk_duration:
        return CheckResult(
            "policy", Status.WARN, f"{detail} > one chunk ({target.chunk_duration:.2f} s): the arm will pause",
            "raise vla_bridge.steps_per_query, or put the GPU host on wired LAN next to the robot",
        )  # fmt: skip
    return CheckResult("policy", Status.PASS, detail)


def _healthz(endpoint: PolicyEndpoint) -> int | None:
    """HTTP status of ``GET /healthz`` (any answer means a server is there), or None when nothing answers."""
    base = endpoint.uri.split("://", 1)[-1]
    hostport = base.split("/", 1)[0]
    connection_type = http.client.HTTPSConnection if endpoint.uri.startswith("wss://") else http.client.HTTPConnection
    connection = connection_type(hostport, timeout=endpoint.connect_timeout)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


def _fix_for(error: PolicyError, keys: tuple[str, ...]) -> str:
    if error.kind in ("unreachable", "connect_timeout"):
        return SERVER_HINT
    if error.kind == "timeout":
        return "the server is overloaded or still loading the checkpoint: watch its log, then run doctor again"
    if error.kind == "remote_error":
        return ("the server raised while inferring (traceback in its log): the observation keys/shapes do not "
                f"match its config; the bridge's profile sends {', '.join(keys)} (docs/vla_checkpoints.md)")
    return "see the policy server's log; the connection dropped or the answer was malformed"


def _first_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[0] if len(lines) < 2 else f"{lines[0]} … {lines[-1]}"
