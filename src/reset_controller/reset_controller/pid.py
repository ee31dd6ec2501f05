"""Vector PID law with anti-windup and output limits, free of ROS.

Why its own module: the reset-to-home action server, the simulator's
semantic environment and the tests all drive the arm home with exactly this
law, so a gain that works in simulation is the gain that runs on the robot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PidGains:
    """Gains and limits of one PID loop, applied per axis."""

    kp: float = 1.0
    """Proportional gain (output units per unit of error)."""
    ki: float = 0.0
    """Integral gain (output units per unit of error·second)."""
    kd: float = 0.0
    """Derivative gain (output units per unit of error/second)."""
    output_limit: float = 0.05
    """Largest absolute output per axis per tick (e.g. metres per control step)."""
    integral_limit: float = 0.1
    """Largest absolute integral term per axis (anti-windup clamp, error·second)."""

    def __post_init__(self) -> None:
        for key in ("kp", "ki", "kd"):
            value = getattr(self, key)
            if not np.isfinite(value) or value < 0.0:
                raise ValueError(f"pid.{key} must be a finite number >= 0, got {value!r}")
        for key in ("output_limit", "integral_limit"):
            value = getattr(self, key)
            if not np.isfinite(value) or value <= 0.0:
                raise ValueError(f"pid.{key} must be a finite number > 0, got {value!r}")


class PidController:
    """Drives a vector error to zero; one call per control tick.

    Anti-windup is two-fold: the integral is clamped, and it stops
    accumulating on any axis whose output is saturated in the error's
    direction (conditional integration).
    """

    def __init__(self, gains: PidGains, dimension: int) -> None:
        if dimension < 1:
            raise ValueError(f"dimension must be >= 1, got {dimension}")
        self._gains = gains
        self._integral = np.zeros(dimension)
        self._previous_error: np.ndarray | None = None

    @property
    def gains(self) -> PidGains:
        return self._gains

    def reset(self) -> None:
        """Forget the integral and derivative memory (call at the start of a goal)."""
        self._integral[:] = 0.0
        self._previous_error = None

    def update(self, error: np.ndarray, dt: float) -> np.ndarray:
        """Return the command for this tick given ``error = target - measured``."""
        error = np.asarray(error, dtype=float)
        if error.shape != self._integral.shape:
            raise ValueError(f"error has shape {error.shape}, expected {self._integral.shape}")
        if not np.all(np.isfinite(error)):
            raise ValueError(f"error must be finite, got {error}")
        if dt <= 0.0:
            raise ValueError(f"dt must be > 0 seconds, got {dt}")
        g = self._gains
        derivative = np.zeros_like(error) if self._previous_error is None else (error - self._previous_error) / dt
        self._previous_error = error.copy()

        candidate_integral = np.clip(self._integral + error * dt, -g.integral_limit, g.integral_limit)
        unclamped = g.kp * error + g.ki * candidate_integral + g.kd * derivative
        saturated = (np.abs(unclamped) > g.output_limit) & (np.sign(unclamped) == np.sign(error))
        self._integral = np.where(saturated, self._integral, candidate_integral)

        output = g.kp * error + g.ki * self._integral + g.kd * derivative
        return np.clip(output, -g.output_limit, g.output_limit)
