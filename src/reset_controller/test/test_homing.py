"""Reset-to-home as a control law: convergence, gripper behaviour, angle wrap, validation."""

import numpy as np
import pytest
from reset_controller.command_pacing import CommandPacer
from reset_controller.controller_config import PARAMETER_DEFAULTS, ResetControllerConfig
from reset_controller.homing import GRIPPER_CLOSED, GRIPPER_OPEN, HOME_POSE, HomingConfig, HomingLaw
from reset_controller.pid import PidGains

GAINS = PidGains(kp=0.8, ki=0.1, kd=0.0, output_limit=0.04)
HOME = np.array(HOME_POSE)


def run(law: HomingLaw, state: np.ndarray, ticks: int = 80) -> tuple[np.ndarray, int | None]:
    """Plant like the driver + simulator: each command moves the arm by the (step-limited) delta."""
    state = state.astype(float)
    law.start(state)
    for tick in range(ticks):
        step = law.step(state)
        if step.done:
            return state, tick
        state[:6] += np.clip(step.command[:6], -0.05, 0.05)
        state[6] += np.clip(step.command[6] - state[6], -0.5, 0.5)  # the gripper takes two steps
    return state, None


@pytest.mark.parametrize(
    "start",
    [
        [0.40, -0.10, -0.05, 0.3, -0.2, 0.5, 0.0],
        [0.12, 0.24, 0.17, -0.4, 0.1, -1.0, 1.0],
        [0.25, 0.05, 0.12, 0.0, 0.0, 0.0, 0.0],  # at home but closed: must still open
    ],
)
def test_converges_home_within_tolerance_and_opens_the_gripper(start):
    law = HomingLaw(GAINS, HomingConfig(), dt=0.2)
    final, ticks = run(law, np.array(start))
    assert ticks is not None, "did not reach home"
    assert np.linalg.norm(final[:3] - HOME[:3]) <= 0.005
    assert np.max(np.abs(final[3:6] - HOME[3:])) <= 0.05
    assert final[6] >= 0.9


def test_a_held_object_is_kept_while_driving_home():
    law = HomingLaw(GAINS, HomingConfig(), dt=0.2)
    law.start([0.35, 0.0, 0.0, 0.0, 0.0, 0.0, 0.25])  # fingers stopped on an object
    assert law.keeping_grasp
    assert law.step([0.35, 0.0, 0.0, 0.0, 0.0, 0.0, 0.25]).command[6] == GRIPPER_CLOSED
    assert law.step([0.25, 0.05, 0.12, 0.0, 0.0, 0.0, 0.25]).done


def test_keep_grasp_off_always_opens():
    law = HomingLaw(GAINS, HomingConfig(keep_grasp=False), dt=0.2)
    law.start([0.35, 0.0, 0.0, 0.0, 0.0, 0.0, 0.25])
    assert not law.keeping_grasp
    assert law.step([0.35, 0.0, 0.0, 0.0, 0.0, 0.0, 0.25]).command[6] == GRIPPER_OPEN


def test_goal_tolerance_overrides_the_default():
    law = HomingLaw(GAINS, HomingConfig(tolerance=0.001), dt=0.2)
    near = [0.26, 0.05, 0.12, 0.0, 0.0, 0.0, 1.0]  # 1 cm away
    law.start(near)
    assert not law.step(near).done
    law.start(near, tolerance=0.02)
    assert law.step(near).done


def test_yaw_error_takes_the_short_way_round():
    law = HomingLaw(GAINS, HomingConfig(home_pose=(0.25, 0.05, 0.12, 0.0, 0.0, 3.0)), dt=0.2)
    state = [0.25, 0.05, 0.12, 0.0, 0.0, -3.0, 1.0]  # 0.28 rad away through -pi, 5.9 rad the other way
    law.start(state)
    step = law.step(state)
    assert step.command[5] < 0.0
    assert step.angle_error == pytest.approx(2 * np.pi - 6.0)


@pytest.mark.parametrize(
    "kwargs,key",
    [
        ({"home_pose": (0.25, 0.05, 0.12)}, "home_pose"),
        ({"tolerance": 0.0}, "tolerance"),
        ({"angle_tolerance": float("nan")}, "angle_tolerance"),
        ({"gripper_open_min": 1.5}, "gripper_open_min"),
        ({"grasp_opening_min": 0.6}, "grasp_opening_min"),
    ],
)
def test_invalid_homing_config_is_refused_naming_the_key(kwargs, key):
    with pytest.raises(ValueError, match=key):
        HomingConfig(**kwargs)


def test_non_finite_state_is_refused():
    law = HomingLaw(GAINS, HomingConfig(), dt=0.2)
    with pytest.raises(ValueError, match="finite"):
        law.start([np.nan, 0, 0, 0, 0, 0, 1])


def test_parameters_build_the_config_and_ints_widen():
    config = ResetControllerConfig.from_parameters({**PARAMETER_DEFAULTS, "rate_hz": 20, "pid.kp": 1})
    assert config.rate_hz == 20.0 and config.gains.kp == 1.0
    assert config.homing.home_pose == HOME_POSE


@pytest.mark.parametrize(
    "values,key",
    [
        ({"rate_hz": 0.0}, "rate_hz"),
        ({"timeout": -1.0}, "timeout"),
        ({"pid.kp": -0.5}, r"pid\.kp"),
        ({"pid.output_limit": "big"}, r"pid\.output_limit"),
        ({"home_pose": [0.1, 0.2]}, "home_pose"),
        ({"keep_grasp": 1}, "keep_grasp"),
        ({"gain": 1.0}, "gain"),
    ],
)
def test_invalid_parameters_are_refused_naming_the_key(values, key):
    with pytest.raises((ValueError, TypeError), match=key):
        ResetControllerConfig.from_parameters(values)


def test_pacer_lets_one_command_out_per_reported_command():
    pacer = CommandPacer()
    assert pacer.ready(7)  # nothing sent yet
    pacer.sent(7)
    assert not pacer.ready(7)  # the driver has not handled it yet
    assert pacer.ready(8)
    assert pacer.ready(0)  # counters restart when the driver is reactivated
    pacer.reset()
    assert pacer.ready(7)


@pytest.mark.parametrize("paced", [True, False])
def test_pacing_keeps_homing_stable_when_the_state_lags(paced):
    """A driver whose arm_state reaches the controller two ticks late (a loaded machine)."""
    law = HomingLaw(GAINS, HomingConfig(), dt=0.05)
    pacer = CommandPacer()
    arm = np.array([0.15, 0.15, 0.07, 0.0, 0.0, 0.0, 1.0])
    reports = [(arm.copy(), 0)] * 3  # (state, handled count) as the controller will receive them
    handled, done = 0, False
    law.start(arm)
    for _ in range(60):
        seen, count = reports[-3]
        if not paced or pacer.ready(count):
            step = law.step(seen)
            if step.done:
                done = True
                break
            pacer.sent(count)
            arm[:6] = arm[:6] + np.clip(step.command[:6], -0.05, 0.05)
            handled += 1
        reports.append((arm.copy(), handled))
    assert done is paced
