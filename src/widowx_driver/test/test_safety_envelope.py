"""The safety envelope: NaN/inf rejected, step limits and the workspace box clip, gripper clipped."""

import numpy as np
import pytest
from widowx_driver.safety_envelope import EnvelopeConfig, SafetyEnvelope, Verdict

HOME = np.array([0.25, 0.05, 0.12, 0.0, 0.0, 0.0, 1.0])
ENVELOPE = SafetyEnvelope(EnvelopeConfig())  # Bridge box, 0.05 m and 0.25 rad per step


def command(**fields: float) -> np.ndarray:
    names = ("dx", "dy", "dz", "droll", "dpitch", "dyaw", "gripper")
    values = {"gripper": 1.0, **fields}
    return np.array([values.get(name, 0.0) for name in names])


@pytest.mark.parametrize("field", ["dx", "dy", "dz", "droll", "dpitch", "dyaw", "gripper"])
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_commands_are_rejected(field, bad):
    result = ENVELOPE.filter(HOME, command(**{field: bad}))
    assert result.verdict is Verdict.REJECTED
    assert result.delta is None
    assert field in result.reason


def test_command_within_limits_passes_unchanged():
    cmd = command(dx=0.01, dy=-0.02, dz=0.03, droll=0.1, dpitch=-0.1, dyaw=0.2, gripper=0.3)
    result = ENVELOPE.filter(HOME, cmd)
    assert result.verdict is Verdict.APPLIED
    assert result.reason == ""
    np.testing.assert_allclose(result.delta, cmd)


@pytest.mark.parametrize("axis", [0, 1, 2])
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_translation_is_clipped_to_the_step_limit(axis, sign):
    raw = np.zeros(7)
    raw[axis], raw[6] = sign * 0.04 * 10, 1.0
    state = np.array([0.27, 0.05, 0.04, 0.0, 0.0, 0.0, 1.0])  # >= 0.05 m inside every face
    result = ENVELOPE.filter(state, raw)
    assert result.verdict is Verdict.CLIPPED
    assert result.delta[axis] == pytest.approx(sign * 0.05)
    assert "translation step" in result.reason


@pytest.mark.parametrize("axis", [3, 4, 5])
def test_rotation_is_clipped_to_the_step_limit(axis):
    raw = np.zeros(7)
    raw[axis], raw[6] = -1.0, 1.0
    result = ENVELOPE.filter(HOME, raw)
    assert result.verdict is Verdict.CLIPPED
    assert result.delta[axis] == pytest.approx(-0.25)


@pytest.mark.parametrize(
    "axis,sign,face",
    [(0, -1, 0.10), (0, 1, 0.45), (1, -1, -0.15), (1, 1, 0.25), (2, -1, -0.10), (2, 1, 0.18)],
)
def test_target_is_clipped_onto_the_workspace_face(axis, sign, face):
    state = HOME.copy()
    state[axis] = face - sign * 0.02  # 2 cm inside the face
    raw = np.zeros(7)
    raw[axis], raw[6] = sign * 0.05, 1.0  # would end 3 cm outside
    result = ENVELOPE.filter(state, raw)
    assert result.verdict is Verdict.CLIPPED
    assert "workspace box" in result.reason
    assert state[axis] + result.delta[axis] == pytest.approx(face)


def test_an_arm_outside_the_box_walks_back_one_step_at_a_time():
    state = HOME.copy()
    state[2] = 0.40  # 22 cm above the box
    result = ENVELOPE.filter(state, command())
    assert result.verdict is Verdict.CLIPPED
    assert result.delta[2] == pytest.approx(-0.05)


@pytest.mark.parametrize("raw,expected", [(-0.5, 0.0), (1.7, 1.0)])
def test_gripper_target_is_clipped_to_unit_range(raw, expected):
    result = ENVELOPE.filter(HOME, command(gripper=raw))
    assert result.verdict is Verdict.CLIPPED
    assert result.delta[6] == expected


@pytest.mark.parametrize(
    "kwargs,key",
    [
        ({"workspace_min": (0.5, -0.15, -0.10)}, "workspace_min"),
        ({"workspace_max": (0.45, 0.25)}, "workspace_max"),
        ({"workspace_min": (float("nan"), 0.0, 0.0)}, "workspace_min"),
        ({"max_translation_step": 0.0}, "max_translation_step"),
        ({"max_rotation_step": float("inf")}, "max_rotation_step"),
    ],
)
def test_invalid_limits_are_refused_naming_the_key(kwargs, key):
    with pytest.raises(ValueError, match=key):
        EnvelopeConfig(**kwargs)
