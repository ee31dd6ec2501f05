"""The bridge's parameters: one frozen dataclass, validated in one place.

The node declares every field below as a read-only ROS parameter (same name,
same default) and builds this object once at start; a bad value stops the
node at start with a ValueError naming the parameter, never mid-goal.
"""

from __future__ import annotations

import ast
import functools
import inspect
import itertools
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from .execution import LoopConfig
from .policy_client import PolicyEndpoint
from .profiles import DEFAULT_PROFILE, PROFILES, PolicyProfile, get_profile

WX250S_JOINTS = ("waist", "shoulder", "elbow", "forearm_roll", "wrist_angle", "wrist_rotate")


@dataclass(frozen=True)
class BridgeConfig:
    """Parameters of the ``vla_bridge`` node."""

    policy_host: str = "127.0.0.1"
    """openpi policy server host, or a full ``ws://``/``wss://`` URI."""
    policy_port: int = 8000
    """Server TCP port; 0 when ``policy_host`` is a URI that already names the port."""
    api_key_env: str = ""
    """Name of the environment variable holding the server's API key ('' = no key). The key is never logged."""
    connect_timeout: float = 5.0
    """[s] health check + websocket handshake + metadata, per connection attempt."""
    inference_timeout: float = 2.0
    """[s] one policy query; a slower server aborts the goal with OUTCOME_POLICY_ERROR."""
    policy_profile: str = DEFAULT_PROFILE
    """Observation/action contract of the served checkpoint (profiles.py, docs/vla_checkpoints.md):
    bridge_ee_delta | libero | joint_position."""
    image_size: int = 0
    """[px] side every image is resized-with-pad to; 0 = the profile's (224, as openpi's clients send)."""
    control_rate_hz: float = 0.0
    """[Hz] command rate during a goal; 0 = the profile's (bridge_ee_delta: 5 Hz)."""
    steps_per_query: int = 0
    """[1] action rows executed open-loop per policy query (replan interval); 0 = the profile's."""
    joint_names: tuple[str, ...] = WX250S_JOINTS
    """Arm joints (joint_states names) in the order joint-space profiles send and command them."""
    default_max_steps: int = 50
    """[1] step budget of a goal that gives neither max_steps nor max_duration."""
    observation_timeout: float = 2.0
    """[s] max age of the camera image / arm state / scene used for a query, and how long a query waits for them."""
    settle_timeout: float = 0.5
    """[s] at the end of a goal, how long to wait for the driver to confirm (arm_state) every command of the
    goal before reporting it done, so whoever looks next sees the arm where the goal left it (0 = don't wait)."""
    scene_topic: str = ""
    """Topic of the simulator's privileged scene (std_msgs/Float32MultiArray), '' = none (real robot)."""
    frame_id: str = "base_link"
    """header.frame_id of published arm commands (the frame of the deltas)."""
    secret_file: str = ""
    """Run secret the agent signs its goals with ('' = $SARL_SECRET_FILE, else ~/.config/sarl/secret)."""

    def __post_init__(self) -> None:
        _require = self._require
        _require(
            isinstance(self.policy_host, str) and self.policy_host.strip() != "", "policy_host", "a non-empty host"
        )
        is_uri = self.policy_host.startswith(("ws://", "wss://"))
        if is_uri:
            _require(self.policy_port == 0 or 0 < self.policy_port < 65536, "policy_port", "0 or a TCP port")
        else:
            _require("://" not in self.policy_host, "policy_host", "a host name, or a ws:// / wss:// URI")
            _require(0 < self.policy_port < 65536, "policy_port", "a TCP port in 1..65535")
        _require(isinstance(self.api_key_env, str), "api_key_env", "an environment variable name or ''")
        for name in ("connect_timeout", "inference_timeout", "observation_timeout"):
            value = getattr(self, name)
            _require(math.isfinite(value) and value > 0, name, "a finite number of seconds > 0")
        _require(math.isfinite(self.settle_timeout) and self.settle_timeout >= 0, "settle_timeout",
                 "a finite number of seconds >= 0")
        _require(self.policy_profile in PROFILES, "policy_profile", f"one of {sorted(PROFILES)}")
        _require(self.image_size == 0 or 32 <= self.image_size <= 1024, "image_size", "0 or a side in 32..1024 px")
        _require(
            math.isfinite(self.control_rate_hz) and 0 <= self.control_rate_hz <= 1000,
            "control_rate_hz",
            "0 (the profile's) or a rate in (0, 1000] Hz",
        )
        _require(self.steps_per_query >= 0, "steps_per_query", "0 (the profile's) or an integer >= 1")
        object.__setattr__(self, "joint_names", tuple(self.joint_names))
        profile = self.profile()
        if profile.joint_count:
            _require(len(self.joint_names) == profile.joint_count and all(self.joint_names), "joint_names",
                     f"{profile.joint_count} joint names for profile {profile.name!r}")
        _require(self.default_max_steps >= 1, "default_max_steps", "an integer >= 1")
        _require(isinstance(self.frame_id, str) and self.frame_id != "", "frame_id", "the arm base frame's name")

    def _require(self, ok: bool, name: str, allowed: str) -> None:
        if not ok:
            raise ValueError(f"parameter {name!r} must be {allowed}, got {getattr(self, name)!r}")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> BridgeConfig:
        """Build from parameter values; unknown keys are an error (a typo must not be ignored)."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown bridge parameters {unknown}; known: {sorted(known)}")
        return cls(**dict(values))

    def api_key(self, environ: Mapping[str, str] = os.environ) -> str | None:
        """The key from the environment, or None when ``api_key_env`` is ''; error when the variable is unset."""
        if not self.api_key_env:
            return None
        key = environ.get(self.api_key_env, "")
        if not key:
            raise ValueError(
                f"api_key_env names {self.api_key_env!r} but that environment variable is unset or empty; "
                "export it, or set api_key_env to '' for a server without a key"
            )
        return key

    def endpoint(self, environ: Mapping[str, str] = os.environ) -> PolicyEndpoint:
        port = None if self.policy_port == 0 else self.policy_port
        return PolicyEndpoint(
            self.policy_host, port, self.connect_timeout, self.inference_timeout, api_key=self.api_key(environ)
        )

    def profile(self) -> PolicyProfile:
        return get_profile(self.policy_profile)

    def loop(self) -> LoopConfig:
        """Timing with the profile's rate and replan interval where the parameters say 0."""
        profile = self.profile()
        return LoopConfig(
            self.control_rate_hz or profile.control_rate_hz,
            self.steps_per_query or profile.replan_steps,
            self.default_max_steps,
            self.observation_timeout,
            self.settle_timeout,
            profile,
            ("observation/scene",) if self.scene_topic else (),
        )


@functools.cache
def field_docs(cls: type) -> dict[str, str]:
    """Each dataclass field's docstring (the string after it), reused as the ROS parameter description."""
    body = ast.parse(inspect.getsource(cls)).body[0].body
    return {
        stmt.target.id: str(doc.value.value)
        for stmt, doc in itertools.pairwise(body)
        if isinstance(stmt, ast.AnnAssign)
        and isinstance(stmt.target, ast.Name)
        and isinstance(doc, ast.Expr)
        and isinstance(doc.value, ast.Constant)
    }
