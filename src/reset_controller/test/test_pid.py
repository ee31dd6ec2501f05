"""The PID law that drives the arm home: convergence, limits, anti-windup, validation."""

import numpy as np
import pytest
from reset_controller.pid import PidController, PidGains


def simulate(gains: PidGains, start: np.ndarray, target: np.ndarray, ticks: int, dt: float = 0.2) -> list[np.ndarray]:
    """Integrator plant: the commanded delta moves the position directly (like an arm delta command)."""
    controller = PidController(gains, dimension=start.size)
    position = start.astype(float)
    trace = [position.copy()]
    for _ in range(ticks):
        position = position + controller.update(target - position, dt)
        trace.append(position.copy())
    return trace


def test_converges_to_target_within_tolerance():
    trace = simulate(PidGains(kp=0.8, ki=0.05, kd=0.0, output_limit=0.05), np.array([0.4, -0.1, 0.0]),
                     np.array([0.25, 0.05, 0.12]), ticks=60)
    assert np.linalg.norm(trace[-1] - np.array([0.25, 0.05, 0.12])) < 0.005


def test_every_output_respects_the_limit():
    controller = PidController(PidGains(kp=5.0, ki=1.0, output_limit=0.02), dimension=2)
    for error in ([1.0, -1.0], [0.5, 0.001], [-3.0, 2.0]):
        assert np.all(np.abs(controller.update(np.array(error), 0.2)) <= 0.02 + 1e-12)


def test_integral_does_not_wind_up_while_saturated():
    gains = PidGains(kp=1.0, ki=0.5, output_limit=0.01, integral_limit=10.0)
    controller = PidController(gains, dimension=1)
    for _ in range(200):  # far from target: saturated the whole time
        controller.update(np.array([1.0]), 0.2)
    # Once the error flips sign, a wound-up integral would keep pushing the wrong way.
    out = controller.update(np.array([-0.005]), 0.2)
    assert out[0] < 0.0


@pytest.mark.parametrize("field,value", [("kp", -1.0), ("ki", float("nan")), ("output_limit", 0.0)])
def test_invalid_gains_are_refused_with_the_key(field, value):
    with pytest.raises(ValueError, match=f"pid.{field}"):
        PidGains(**{field: value})


def test_non_finite_error_is_refused():
    with pytest.raises(ValueError, match="finite"):
        PidController(PidGains(), 2).update(np.array([np.nan, 0.0]), 0.2)
