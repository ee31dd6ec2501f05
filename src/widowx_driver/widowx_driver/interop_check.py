"""``make interop``: prove the driver ↔ Interbotix chain on YOUR install, against its simulated xs_sdk.

Run it before the arm is ever powered under sarl::

    ros2 launch interbotix_xsarm_control xsarm_control.launch.py robot_model:=wx250s use_sim:=true
    make interop                     # or: python -m widowx_driver.interop_check --robot-model wx250s

It drives the driver's own :class:`InterbotixBackend` through your toolbox and xs_sdk and checks what
the test suite checks against the pinned upstream code: the toolbox starts and its joint state is
live, the motor profile is written and reads back, 1 cm steps move 1 cm, a hold after an external
push keeps the pushed pose, the gripper motor is switched off at its limits, and a second connection
in the same process works. It pushes the arm itself, so it refuses to run unless the xs_sdk is the
simulated one (node ``xs_sdk_sim``). Exit code 0 when every check passes.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Callable

import numpy as np

from widowx_driver.arm_backend import BackendError
from widowx_driver.interbotix_backend import InterbotixBackend

HOME = (0.25, 0.05, 0.12, 0.0, 0.0, 0.0)
PUSH = np.array([0.5, -0.3, 0.2, 0.0, 0.0, 0.0])
"""[rad] external push of the arm joints (> 10 cm at the end effector from home)."""


class Check:
    """Runs named checks, prints one line each, remembers failures."""

    def __init__(self) -> None:
        self.failed: list[str] = []

    def __call__(self, name: str, run: Callable[[], str]) -> bool:
        try:
            detail = run()
        except (AssertionError, BackendError, TimeoutError) as error:
            self.failed.append(name)
            print(f"FAIL  {name:<12} {error}", flush=True)
            return False
        print(f"PASS  {name:<12} {detail}", flush=True)
        return True


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


class SimHand:
    """Pushes the simulated arm and watches the gripper's motor commands, from the toolbox's node."""

    def __init__(self, arm: InterbotixBackend, robot_model: str) -> None:
        from interbotix_xs_msgs.msg import JointGroupCommand, JointSingleCommand

        node = arm.session.node
        self._group = JointGroupCommand
        self._push = node.create_publisher(JointGroupCommand, f"/{robot_model}/commands/joint_group", 10)
        self.gripper_efforts: list[float] = []
        self._lock = threading.Lock()
        node.create_subscription(JointSingleCommand, f"/{robot_model}/commands/joint_single", self._single, 10)
        self._arm = arm

    def _single(self, msg) -> None:
        if msg.name == "gripper":
            with self._lock:
                self.gripper_efforts.append(float(msg.cmd))

    def push(self, joints: np.ndarray) -> None:
        self._push.publish(self._group(name="arm", cmd=[float(j) for j in joints]))
        wait_for(lambda: np.max(np.abs(self.joints() - joints)) < 1e-3, 5.0, "the pushed joints in joint_states")

    def joints(self) -> np.ndarray:
        names, positions = self._arm.joint_state()
        index = {name: i for i, name in enumerate(names)}
        return np.array([positions[index[n]] for n in ("waist", "shoulder", "elbow", "forearm_roll", "wrist_angle",
                                                        "wrist_rotate")])  # fmt: skip


def simulated_xs_sdk(arm: InterbotixBackend, robot_model: str) -> bool:
    names = arm.session.node.get_node_names_and_namespaces()
    return any(name == "xs_sdk_sim" and namespace.strip("/") == robot_model for name, namespace in names)


def run(robot_model: str, rate_hz: float, connect_timeout: float) -> int:
    check = Check()
    arm = InterbotixBackend(robot_model=robot_model, moving_time=1.0 / rate_hz, connect_timeout=connect_timeout)

    def connect() -> str:
        arm.connect()
        wait_for(lambda: simulated_xs_sdk(arm, robot_model), 5.0, f"the simulated xs_sdk /{robot_model}/xs_sdk_sim "
                 "(this check pushes the arm: start xsarm_control with use_sim:=true)")  # fmt: skip
        return "toolbox started (robot_startup), simulated xs_sdk found"

    if not check("connect", connect):
        arm.close()
        return 1
    hand = SimHand(arm, robot_model)
    try:
        millis = round(1000 / rate_hz)
        check("profile", lambda: _profile(arm, millis))
        check("home", lambda: _home(arm))
        check("steps", lambda: _steps(arm, rate_hz))
        check("hold", lambda: _hold_after_push(arm, hand))
        check("gripper", lambda: _gripper(arm, hand))
    finally:
        arm.close()
    check("reconnect", lambda: _reconnect(arm))
    print("all checks passed" if not check.failed else f"failed: {', '.join(check.failed)}", flush=True)
    return 0 if not check.failed else 1


def _profile(arm: InterbotixBackend, millis: int) -> str:
    velocity = arm.session.read_register("Profile_Velocity")
    assert velocity and all(v == millis for v in velocity), f"Profile_Velocity {velocity}, expected {millis} ms"
    return f"Profile_Velocity {velocity[0]} ms on all {len(velocity)} arm motors"


def _home(arm: InterbotixBackend) -> str:
    began = time.monotonic()
    arm.move_to_pose(np.array(HOME))
    # (Within 3 mm: a step sent while the move still converges would start short of home.)
    wait_for(lambda: np.linalg.norm(arm.state()[:3] - HOME[:3]) < 0.003, 10.0, "the arm at home (joint space)")
    return f"joint-space move home in {time.monotonic() - began:.1f} s"


def _steps(arm: InterbotixBackend, rate_hz: float) -> str:
    start = arm.state()[:3]
    for _ in range(10):
        assert arm.apply(np.array([0.01, 0, 0, 0, 0, 0, 1.0])), "a 1 cm step was refused (no IK solution)"
        time.sleep(1.0 / rate_hz)
    time.sleep(0.5)
    moved = arm.state()[0] - start[0]
    assert abs(moved - 0.10) <= 0.01, f"10 x 1 cm moved {moved * 100:.1f} cm"
    return f"10 x 1 cm at {rate_hz:g} Hz moved {moved * 100:.1f} cm"


def _hold_after_push(arm: InterbotixBackend, hand: SimHand) -> str:
    hand.push(hand.joints() + PUSH)
    pushed = arm.state()[:3]
    arm.hold()
    time.sleep(0.5)
    moved = np.linalg.norm(arm.state()[:3] - pushed)
    assert moved < 0.002, f"the hold moved the pushed arm {moved * 1000:.1f} mm"
    return f"hold after a push moved the arm {moved * 1000:.1f} mm"


def _gripper(arm: InterbotixBackend, hand: SimHand) -> str:
    report = []
    for target, opening in ((0.0, 0.0), (1.0, 1.0)):
        count = len(hand.gripper_efforts)
        began = time.monotonic()
        arm.apply(np.array([0, 0, 0, 0, 0, 0, target]))
        wait_for(lambda c=count: len(hand.gripper_efforts) > c and hand.gripper_efforts[-1] == 0.0, 2.0,
                 "the gripper motor switched off at its limit")  # fmt: skip
        took = time.monotonic() - began
        time.sleep(0.2)
        assert abs(arm.state()[6] - opening) < 0.05, f"gripper opening {arm.state()[6]:.2f}, expected {opening}"
        report.append(f"{'closed' if target == 0 else 'opened'} in {took:.2f} s")
    return ", ".join(report) + ", motor off at each limit"


def _reconnect(arm: InterbotixBackend) -> str:
    arm.connect()
    try:
        assert np.all(np.isfinite(arm.state()))
    finally:
        arm.close()
    return "close and connect again in one process"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--robot-model", default="wx250s")
    parser.add_argument("--rate", type=float, default=5.0, help="control rate [Hz] (widowx_driver.control_rate_hz)")
    parser.add_argument("--connect-timeout", type=float, default=30.0)
    args = parser.parse_args(argv)
    return run(args.robot_model, args.rate, args.connect_timeout)


if __name__ == "__main__":
    sys.exit(main())
