"""The real Interbotix toolbox and simulated xs_sdk (``../shared/upstream/interbotix``), as a test peer.

Why a module: every test that drives the arm backend against the upstream code needs the same three
things: the built toolbox importable in the test process, ``xs_sdk_sim.py`` running as its own process
in the robot's namespace with the wx250s configuration, and a way to push the simulated arm as a
hand would (a second command path the backend under test does not know about).

:class:`ArmObserver` is that hand: it publishes on ``/wx250s/commands/joint_group`` from its own node
and context, the path a second program would move the arm by; the backend under test never sees
those commands, only their effect in ``joint_states``. It also records every joint state (with the
xs_sdk's stamp) and every gripper command, so tests decide on what the arm did.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
import time
from typing import Any
from pathlib import Path

import numpy as np
import yaml
from support.ros_node import SpunNode, wait_until
from support.processes import PeerProcess
from support.upstream import INTERBOTIX

ROBOT_MODEL = "wx250s"
SIM_NODE = "xs_sdk_sim"


def toolbox_paths() -> list[Path]:
    """site-packages folders of the packages scripts/upstream/interbotix.sh built."""
    return sorted(INTERBOTIX.build.glob("install/*/lib/python3.11/site-packages"))


def activate_toolbox() -> None:
    """Make ``interbotix_xs_modules`` and ``interbotix_xs_msgs`` importable in this process (idempotent).

    The ROS type-support loader dlopen()s the message libraries by name, which searches the
    LD_LIBRARY_PATH this process started with; loading them here first (their RPATH finds each
    other) makes those lookups find the already-loaded copies. Child processes get LD_LIBRARY_PATH.
    """
    INTERBOTIX.require()
    for path in toolbox_paths():
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    lib = INTERBOTIX.build / "install" / "interbotix_xs_msgs" / "lib"
    for library in sorted(lib.glob("lib*.so")):
        ctypes.CDLL(str(library), mode=ctypes.RTLD_GLOBAL)
    current = os.environ.get("LD_LIBRARY_PATH", "")
    if str(lib) not in current.split(":"):
        os.environ["LD_LIBRARY_PATH"] = f"{lib}:{current}" if current else str(lib)


def child_environment() -> dict[str, str]:
    """Environment for a child process that imports the toolbox or runs xs_sdk_sim.py."""
    activate_toolbox()
    env = dict(os.environ)
    env["PYTHONPATH"] = ":".join([*map(str, toolbox_paths()), env.get("PYTHONPATH", "")])
    return env


def write_sim_params(folder: Path, robot_model: str = ROBOT_MODEL) -> Path:
    """A ``--params-file`` for xs_sdk_sim: the URDF text and the upstream motor and mode configs."""
    source = INTERBOTIX.source
    params = {
        f"/{robot_model}/{SIM_NODE}": {
            "ros__parameters": {
                "motor_configs": str(source / "config" / f"{robot_model}.yaml"),
                "mode_configs": str(source / "config" / "modes.yaml"),
                "robot_description": (source / "description" / f"{robot_model}.urdf").read_text(),
            }
        }
    }
    path = folder / f"{robot_model}_xs_sdk_sim.yaml"
    path.write_text(yaml.safe_dump(params))
    return path


def start_sim(log_dir: Path, robot_model: str = ROBOT_MODEL) -> PeerProcess:
    """``xs_sdk_sim.py`` as its own process under ``/<robot_model>``; it starts in the sleep pose."""
    script = INTERBOTIX.source / "interbotix_xs_sdk_sim" / "xs_sdk_sim.py"
    params = write_sim_params(log_dir, robot_model)
    args = [sys.executable, str(script), "--ros-args", "-r", f"__ns:=/{robot_model}", "--params-file", str(params)]
    env = child_environment()
    saved = dict(os.environ)
    os.environ.update(env)  # PeerProcess inherits the environment
    try:
        return PeerProcess(args, log_dir / "xs_sdk_sim.log")
    finally:
        os.environ.clear()
        os.environ.update(saved)


ARM_JOINTS = ("waist", "shoulder", "elbow", "forearm_roll", "wrist_angle", "wrist_rotate")


PUSH_REPEAT = 3.0
"""[s] a push not seen in joint_states by then is sent again (longer than the slowest motor profile, 2 s in
modes.yaml: a re-sent command restarts the simulated motors' interpolation)."""


class ArmObserver:
    """Pushes the simulated arm and records its joint states and gripper commands."""

    def __init__(self, robot_model: str = "wx250s") -> None:
        from interbotix_xs_msgs.msg import JointGroupCommand, JointSingleCommand
        from sensor_msgs.msg import JointState

        self._group_type = JointGroupCommand
        self._spun = SpunNode("arm_observer")
        node = self._spun.node
        self._lock = threading.Lock()
        self.states: list[tuple[float, float, dict[str, float]]] = []
        """(arrival monotonic, xs_sdk stamp [s], joint → position) of every joint state."""
        self.gripper_commands: list[tuple[float, float]] = []
        """(arrival monotonic, effort) of every command to the gripper motor."""
        self._push = node.create_publisher(JointGroupCommand, f"/{robot_model}/commands/joint_group", 10)
        node.create_subscription(JointState, f"/{robot_model}/joint_states", self._state_callback, 10)
        node.create_subscription(JointSingleCommand, f"/{robot_model}/commands/joint_single",
                                 self._single_callback, 10)  # fmt: skip

    def close(self) -> None:
        self._spun.close()

    def _state_callback(self, msg: Any) -> None:
        stamp = msg.header.stamp.sec + msg.header.stamp.nanosec * 1e-9
        with self._lock:
            self.states.append((time.monotonic(), stamp, dict(zip(msg.name, msg.position, strict=False))))

    def _single_callback(self, msg: Any) -> None:
        if msg.name == "gripper":
            with self._lock:
                self.gripper_commands.append((time.monotonic(), float(msg.cmd)))

    def arm_joints(self) -> np.ndarray:
        """The latest measured arm joints."""
        self.wait_states(1)
        with self._lock:
            joints = self.states[-1][2]
        return np.array([joints[name] for name in ARM_JOINTS])

    def wait_states(self, count: int, timeout: float = 10.0) -> None:
        """Wait until ``count`` more joint states arrived than now (the xs_sdk publishes at 30 Hz)."""
        with self._lock:
            target = len(self.states) + count
        wait_until(lambda: len(self.states) >= target, timeout, f"{count} joint states from the xs_sdk")

    def push(self, joints: np.ndarray, timeout: float = 10.0) -> None:
        """Move the arm from outside the backend, and wait until the measured joints show it."""
        joints = np.asarray(joints, dtype=float)
        command = self._group_type(name="arm", cmd=[float(j) for j in joints])

        def arrived() -> bool:
            return bool(np.max(np.abs(self.arm_joints() - joints)) < 1e-3)

        # A hand keeps pushing until the arm is there: a hold the driver commands from the joints it measured
        # just before the push would otherwise undo a single push (seen once in a full run).
        deadline = time.monotonic() + timeout
        while True:
            self._push.publish(command)
            try:
                wait_until(arrived, min(PUSH_REPEAT, max(0.05, deadline - time.monotonic())), "the push")
                break
            except TimeoutError:
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"timed out after {timeout} s waiting for the pushed joints "
                                       f"{joints.round(3).tolist()} in joint_states") from None
        self.wait_states(3)  # and the toolbox's subscriber has had time to receive them too

    def settled_joints(self, ticks: int = 10) -> np.ndarray:
        """The arm joints after ``ticks`` more xs_sdk updates (the simulated motors have run them)."""
        self.wait_states(ticks)
        return self.arm_joints()
