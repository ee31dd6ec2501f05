"""The arm backend's timing against the REAL toolbox and simulated xs_sdk, as ratios to the toolbox alone.

    python tests/bench/interbotix_arm.py [--repeats 10]

Issue 14's speed bounds, measured where speed targets live (here, not in timed tests):

* **command -> first motion**: from a call to first joint state of ``xs_sdk_sim`` that moved.
  Backend: ``InterbotixBackend.apply`` of a 1 cm end-effector step (IK from the measured joints,
  non-blocking ``set_ee_pose_matrix``). Baseline: the toolbox's own ``set_joint_positions`` of a
  joint target computed in advance (no IK, no measurement), on the same connection.
* **gripper switch-off**: from the command to the zero-effort command the toolbox's 50 Hz gripper
  timer sends at the end stop. Backend: ``apply`` with a gripper target. Baseline: the toolbox's
  ``grasp``/``release`` called directly. The backend adds one call; this shows the time is the
  toolbox's and the simulated motor's.

Needs ``../shared/upstream/interbotix`` built by ``make bootstrap``; says so and exits 0 without it
(``make bench`` must always complete).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for support.*

HOME = np.array([0.25, 0.05, 0.12, 0.0, 0.0, 0.0])
"""config/real_widowx.yaml's reset_controller.home_pose."""
STEP = 0.01
"""[m] end-effector step of a motion sample, alternating +x / -x."""
MOVED = 1e-4
"""[rad] a joint change this large is motion."""


def time_until(start: Callable[[], None], found: Callable[[], float | None], what: str, timeout: float = 5.0) -> float:
    """Seconds from calling ``start`` to the arrival time ``found`` reports (polled; None = not yet)."""
    sent = time.monotonic()
    start()
    while time.monotonic() < sent + timeout:
        arrival = found()
        if arrival is not None:
            return arrival - sent
        time.sleep(0.002)
    raise TimeoutError(f"{what} not seen within {timeout} s")


def first_motion(observer, start: Callable[[], None]) -> float:
    """Seconds from calling ``start`` to the first joint state in which an arm joint moved."""
    from support.interbotix_peer import ARM_JOINTS

    before = observer.arm_joints()
    with observer._lock:
        seen = len(observer.states)

    def moved() -> float | None:
        with observer._lock:
            states = observer.states[seen:]
        return next((arrival for arrival, _, joints in states
                     if max(abs(joints[n] - b) for n, b in zip(ARM_JOINTS, before, strict=True)) > MOVED), None)

    return time_until(start, moved, "arm motion")


def gripper_off(observer, start: Callable[[], None]) -> float:
    """Seconds from calling ``start`` to the gripper motor's zero-effort command."""
    with observer._lock:
        seen = len(observer.gripper_commands)

    def switched_off() -> float | None:
        with observer._lock:
            commands = observer.gripper_commands[seen:]
        return commands[-1][0] if len(commands) > 1 and commands[-1][1] == 0.0 else None

    return time_until(start, switched_off, "the gripper motor switched off")


def motion_samples(arm, observer, repeats: int) -> tuple[list[float], list[float]]:
    """Backend and toolbox-alone command -> first motion, alternating, 5 Hz apart (the control rate)."""
    bot = arm.session.bot
    backend, toolbox = [], []
    for i in range(repeats):
        sign = 1.0 if i % 2 == 0 else -1.0
        arm.state()  # the driver reads the state (the envelope's basis) before each apply
        backend.append(first_motion(observer, lambda s=sign: arm.apply(np.array([s * STEP, 0, 0, 0, 0, 0, 1.0]))))
        time.sleep(0.4)
        target = [float(j) for j in observer.arm_joints()]
        target[0] += sign * 0.04  # waist: about 1 cm at this reach, no IK needed
        toolbox.append(first_motion(observer, lambda t=target: bot.arm.set_joint_positions(
            t, moving_time=0.2, accel_time=0.1, blocking=False)))
        time.sleep(0.4)
    return backend, toolbox


def gripper_samples(arm, observer, repeats: int) -> tuple[list[float], list[float]]:
    """Backend and toolbox-alone gripper switch-off, each closing then opening."""
    bot = arm.session.bot
    backend, toolbox = [], []
    for _ in range(repeats):
        for target in (0.0, 1.0):
            backend.append(gripper_off(observer, lambda t=target: arm.apply(np.array([0, 0, 0, 0, 0, 0, t]))))
        for grip in (bot.gripper.grasp, bot.gripper.release):
            toolbox.append(gripper_off(observer, lambda g=grip: g(delay=0.0)))
    return backend, toolbox


def row(name: str, measured: list[float], baseline: list[float]) -> str:
    m, b = np.array(measured) * 1e3, np.array(baseline) * 1e3
    return (f"{name:34s} backend p50 {np.median(m):6.0f} ms (max {m.max():5.0f})   toolbox alone p50 "
            f"{np.median(b):6.0f} ms (max {b.max():5.0f})   ratio {np.median(m) / np.median(b):.2f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=10, help="samples per measurement and side")
    args = parser.parse_args(argv)
    from support import interbotix_peer
    from support.upstream import INTERBOTIX

    if not (INTERBOTIX.source / "interbotix_xs_sdk_sim").is_dir():
        print(f"skipped: {INTERBOTIX.source} is absent (the real Interbotix toolbox is not on this machine)")
        return 0
    if not (INTERBOTIX.build / "READY").is_file():
        print(f"skipped: {INTERBOTIX.build} is not built: run `make bootstrap`")
        return 0
    os.environ.setdefault("ROS_AUTOMATIC_DISCOVERY_RANGE", "LOCALHOST")
    os.environ.setdefault("ROS_DOMAIN_ID", str(201 + os.getpid() % 30))
    interbotix_peer.activate_toolbox()
    from widowx_driver.interbotix_backend import InterbotixBackend

    with tempfile.TemporaryDirectory(prefix="xs_sdk_sim_") as folder:
        sim = interbotix_peer.start_sim(Path(folder))
        observer = arm = None
        try:
            observer = interbotix_peer.ArmObserver()
            observer.wait_states(1, timeout=30.0)
            arm = InterbotixBackend(robot_model="wx250s", moving_time=0.2, connect_timeout=30.0)
            arm.connect()
            arm.move_to_pose(HOME)
            time.sleep(3.5)  # the joint-space move out of the sleep pose (at 1 rad/s)
            print(f"interbotix backend vs toolbox alone, xs_sdk_sim (30 Hz updates), {args.repeats} samples each, "
                  f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
            print(row("command -> first motion", *motion_samples(arm, observer, args.repeats)))
            print(row("gripper command -> motor off", *gripper_samples(arm, observer, args.repeats)))
            print("(issue 14's bounds: first motion p50 < 150 ms; gripper at its limit and off within 1 s)")
        finally:
            if arm is not None:
                arm.close()
            if observer is not None:
                observer.close()
            sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
