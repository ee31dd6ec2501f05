"""The reset controller's parameters: declared, typed and validated in this one place.

Why: a gain typo or a negative tolerance must stop the node at start-up with
the parameter's name, not make the arm crawl or overshoot later. PID gains
live under ``pid.*`` (so a YAML file nests them, and :class:`PidGains` errors
name the same keys); homing limits are the fields of :class:`HomingConfig`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reset_controller.homing import HOME_POSE, HomingConfig
from reset_controller.pid import PidGains

PARAMETER_DEFAULTS: dict[str, Any] = {
    "rate_hz": 5.0,
    "timeout": 10.0,
    "pid.kp": 0.8,
    "pid.ki": 0.1,
    "pid.kd": 0.0,
    "pid.output_limit": 0.04,
    "pid.integral_limit": 0.1,
    "home_pose": list(HOME_POSE),
    "tolerance": 0.005,
    "angle_tolerance": 0.05,
    "gripper_open_min": 0.9,
    "keep_grasp": True,
    "grasp_opening_min": 0.1,
    "grasp_opening_max": 0.5,
}
"""ROS parameter name → default. Gains are per control tick: metres (radians) of command per metre (radian) of error."""


@dataclass(frozen=True)
class ResetControllerConfig:
    """Everything the ``reset_controller`` node is configured with."""

    rate_hz: float = 5.0
    """[Hz] control rate of the PID loop (the Bridge/WidowX control rate is 5 Hz)."""
    timeout: float = 10.0
    """[s] default goal timeout (a goal's own ``timeout`` > 0 overrides it)."""
    gains: PidGains = field(default_factory=lambda: PidGains(kp=0.8, ki=0.1, kd=0.0, output_limit=0.04))
    """PID gains and limits (``pid.*``)."""
    homing: HomingConfig = field(default_factory=HomingConfig)
    """Home pose, tolerances and gripper behaviour."""

    def __post_init__(self) -> None:
        for key in ("rate_hz", "timeout"):
            value = getattr(self, key)
            if not math.isfinite(value) or value <= 0.0:
                raise ValueError(f"{key} must be a finite number > 0, got {value!r}")

    @classmethod
    def from_parameters(cls, values: Mapping[str, Any]) -> ResetControllerConfig:
        """Build from ROS parameter values; raise ValueError/TypeError naming the offending key."""
        unknown = sorted(set(values) - set(PARAMETER_DEFAULTS))
        if unknown:
            raise ValueError(f"unknown reset_controller parameters {unknown}; known: {sorted(PARAMETER_DEFAULTS)}")
        merged = {**PARAMETER_DEFAULTS, **values}
        typed = {key: _coerce(key, merged[key], PARAMETER_DEFAULTS[key]) for key in PARAMETER_DEFAULTS}
        gains = PidGains(**{key.removeprefix("pid."): value for key, value in typed.items() if key.startswith("pid.")})
        homing = HomingConfig(
            home_pose=tuple(typed["home_pose"]),
            tolerance=typed["tolerance"],
            angle_tolerance=typed["angle_tolerance"],
            gripper_open_min=typed["gripper_open_min"],
            keep_grasp=typed["keep_grasp"],
            grasp_opening_min=typed["grasp_opening_min"],
            grasp_opening_max=typed["grasp_opening_max"],
        )
        return cls(rate_hz=typed["rate_hz"], timeout=typed["timeout"], gains=gains, homing=homing)


def _coerce(key: str, value: Any, default: Any) -> Any:
    """``value`` in the type of ``default`` (ints widen to floats); TypeError naming ``key`` otherwise."""
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise TypeError(f"{key} must be true or false, got {value!r}")
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{key} must be a number, got {value!r}")
        return float(value)
    if isinstance(default, list):
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            raise TypeError(f"{key} must be a list of numbers, got {value!r}")
        return [_coerce(f"{key}[{i}]", item, 0.0) for i, item in enumerate(value)]
    raise TypeError(f"{key}: unsupported parameter type {type(default).__name__}")
