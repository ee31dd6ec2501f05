"""Doctor verdicts about the real arm's chain: a frozen arm state, the motor profile, the xs_sdk node name.

Why: with the Interbotix toolbox not spinning, the driver kept acknowledging commands while every
arm_state repeated the connect pose, and nothing looked wrong. A live arm moves when commands are
applied; a frozen state does not. The toolbox leaves ``modes.yaml``'s 2 s profile on the motors
unless the driver writes its own, so each 0.2 s step would run over 2 s. The xs_sdk is ``xs_sdk`` on
the real arm and ``xs_sdk_sim`` when xsarm_control runs with ``use_sim:=true``; both live under
``/<robot_model>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .doctor_checks import CheckResult, Status

PROFILE_REGISTER = "Profile_Velocity"

XS_SDK_NODES = ("xs_sdk", "xs_sdk_sim")
"""Node names of the real and of the simulated Interbotix xs_sdk."""
FROZEN_MIN_COMMANDS = 3
"""Applied commands within the window before an unchanged pose counts as frozen."""
FROZEN_MAX_MOTION = 0.001
"""[m] end-effector travel below which the arm did not move."""


@dataclass(frozen=True)
class ArmMotionSample:
    commands_applied: int
    position: tuple[float, float, float]


def xs_sdk_node(robot_model: str, found: Iterable[str]) -> str:
    """The fully qualified xs_sdk node name present in ``found`` (real first), else the real arm's name."""
    found = set(found)
    for name in XS_SDK_NODES:
        if f"/{robot_model}/{name}" in found:
            return f"/{robot_model}/{name}"
    return f"/{robot_model}/{XS_SDK_NODES[0]}"


def check_arm_motion(samples: Sequence[ArmMotionSample]) -> CheckResult:
    """FAIL when commands were applied but the end effector did not move (a frozen arm state)."""
    if len(samples) < 2:
        return CheckResult("arm_motion", Status.SKIP, "fewer than two arm_state messages in the window")
    applied = samples[-1].commands_applied - samples[0].commands_applied
    positions = np.array([s.position for s in samples], dtype=float)
    travel = float(np.max(np.linalg.norm(positions - positions[0], axis=1)))
    if applied < FROZEN_MIN_COMMANDS:
        return CheckResult("arm_motion", Status.SKIP,
                           f"{applied} command(s) applied during the window: run it while the arm is commanded "
                           "(an episode, the reset controller) to tell a live arm from a frozen one")  # fmt: skip
    if travel < FROZEN_MAX_MOTION:
        return CheckResult(
            "arm_motion", Status.FAIL, f"{applied} commands applied but the end effector moved {travel * 1000:.2f} mm",
            "the arm state is frozen: is the Interbotix xs_sdk publishing /<robot_model>/joint_states "
            "(ros2 topic hz), and is the driver's toolbox session started? see docs/real_robot.md",
        )  # fmt: skip
    moved = f"{applied} commands applied, end effector moved {travel * 1000:.0f} mm"
    return CheckResult("arm_motion", Status.PASS, moved)


def check_motor_profile(values: Sequence[int] | None, rate_hz: float, robot_model: str) -> CheckResult:
    """The arm motors' ``Profile_Velocity`` [ms] equals the driver's control period (written at configure)."""
    expected = round(1000.0 / rate_hz)
    if values is None:
        return CheckResult(
            "motor_profile", Status.FAIL, f"/{robot_model}/get_motor_registers did not answer",
            "is the Interbotix xs_sdk running (ros2 launch interbotix_xsarm_control xsarm_control.launch.py "
            f"robot_model:={robot_model}), with its install sourced in this shell?",
        )  # fmt: skip
    if not values or any(v != expected for v in values):
        return CheckResult(
            "motor_profile", Status.FAIL, f"{PROFILE_REGISTER} {list(values)} ms, driver period {expected} ms",
            "each step would run over the motors' profile, not the control period: configure the driver "
            "(it writes the profile at connect) and check that nothing else rewrites it",
        )  # fmt: skip
    detail = f"{PROFILE_REGISTER} {expected} ms on all {len(values)} arm motors"
    return CheckResult("motor_profile", Status.PASS, detail)
