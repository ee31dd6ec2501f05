"""The verdicts of ``sarl doctor``: plain functions from observations to a pass/fail line with a fix.

Why separate from the ROS probing: each verdict is a decision a person would
otherwise make by eye at the robot ("are these camera frames usable?", "is
the arm state fresh?"), and each must be testable without a robot, a camera
or rclpy. The probe (``doctor_ros``) only gathers samples; this module judges.
"""

from __future__ import annotations

import enum
import importlib.util
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path


class Status(enum.Enum):
    PASS = "PASS"
    WARN = "WARN"
    FAIL = "FAIL"
    SKIP = "SKIP"


@dataclass(frozen=True)
class CheckResult:
    """One row of the doctor's table."""

    name: str
    status: Status
    detail: str
    fix: str = ""
    """What to do about a FAIL or WARN (empty for PASS/SKIP)."""


SUPPORTED_ENCODINGS = ("rgb8", "bgr8", "rgba8", "bgra8", "mono8")
"""Image encodings the VLA bridge converts (``sarl_vla_bridge.observation``)."""
DARK_IMAGE_MEAN = 8.0
"""[0..255] mean intensity below which a frame is taken as black (lens cap, wrong device, no light)."""


@dataclass(frozen=True)
class FrameSample:
    received_at: float
    """[s] monotonic receive time."""
    width: int
    height: int
    encoding: str
    mean_intensity: float


@dataclass(frozen=True)
class ArmStateSample:
    age: float
    """[s] local clock minus the message's header stamp, at receipt."""
    position: tuple[float, float, float]
    gripper: float
    estop_active: bool
    holding: bool


def check_nodes(expected: Sequence[str], found: Iterable[str], start_hint: str) -> CheckResult:
    """All ``expected`` fully qualified node names present in ``found``, each exactly once."""
    found = list(found)
    missing = [name for name in expected if name not in found]
    doubled = sorted({name for name in expected if found.count(name) > 1})
    if missing:
        return CheckResult(
            "nodes", Status.FAIL, f"missing {missing} ({len(expected) - len(missing)}/{len(expected)} present)",
            f"start the graph ({start_hint}) and read the missing node's log; on another machine: same "
            "ROS_DOMAIN_ID and RMW_IMPLEMENTATION, and see docs/real_robot.md 'DDS discovery'",
        )  # fmt: skip
    if doubled:
        return CheckResult(
            "nodes", Status.FAIL, f"more than one node named {doubled}",
            "two graphs are running on this ROS_DOMAIN_ID: stop the stray one (or give each its own domain)",
        )  # fmt: skip
    return CheckResult("nodes", Status.PASS, f"{len(expected)}/{len(expected)} present: {', '.join(expected)}")


def check_frames(frames: Sequence[FrameSample], window: float, topic: str, min_rate: float = 1.0) -> CheckResult:
    """Frames arriving on the camera topic, at a usable rate, in an encoding the bridge reads, not black."""
    if not frames:
        return CheckResult(
            "camera", Status.FAIL, f"no frame on {topic} within {window:.1f} s",
            "check widowx_driver.camera_device (ls /dev/video*; v4l2-ctl --list-devices), that the container "
            "has the device (compose 'devices:'), and that the driver is active",
        )  # fmt: skip
    last = frames[-1]
    size = f"{last.width}x{last.height} {last.encoding}"
    if last.encoding not in SUPPORTED_ENCODINGS:
        return CheckResult(
            "camera", Status.FAIL, f"encoding {last.encoding!r} on {topic}",
            f"publish one of {list(SUPPORTED_ENCODINGS)} (the bridge converts only these)",
        )  # fmt: skip
    span = frames[-1].received_at - frames[0].received_at
    rate = (len(frames) - 1) / span if len(frames) > 1 and span > 0 else 0.0
    if len(frames) < 2 or rate < min_rate:
        return CheckResult(
            "camera", Status.FAIL, f"{len(frames)} frame(s) in {window:.1f} s ({rate:.1f} Hz, need >= {min_rate} Hz)",
            "the camera stalls: check USB bandwidth (one camera per bus), exposure, and the driver log",
        )  # fmt: skip
    if last.mean_intensity < DARK_IMAGE_MEAN:
        return CheckResult(
            "camera", Status.WARN, f"{size} at {rate:.1f} Hz, but the image is black (mean {last.mean_intensity:.1f})",
            "lens cap, wrong camera_device, or no light on the table",
        )  # fmt: skip
    return CheckResult("camera", Status.PASS, f"{size} at {rate:.1f} Hz")


def check_arm_state(
    sample: ArmStateSample | None,
    window: float,
    max_age: float,
    workspace_min: Sequence[float],
    workspace_max: Sequence[float],
) -> CheckResult:
    """A fresh arm_state, e-stop clear, end effector inside the workspace box."""
    if sample is None:
        return CheckResult(
            "arm_state", Status.FAIL, f"no arm_state within {window:.1f} s",
            "start widowx_driver; on the real arm the Interbotix xs_sdk must run first "
            "(ros2 launch interbotix_xsarm_control xsarm_control.launch.py robot_model:=wx250s)",
        )  # fmt: skip
    if not -1.0 <= sample.age <= max_age:
        return CheckResult(
            "arm_state", Status.FAIL, f"stamp {sample.age:.2f} s old (limit {max_age} s)",
            "the driver publishes old or future stamps: is it active, and (across machines) are the clocks "
            "synchronised (chrony)?",
        )  # fmt: skip
    if sample.estop_active:
        return CheckResult(
            "arm_state", Status.FAIL, "e-stop engaged: the driver refuses motion",
            "clear it in the operator panel (click E-STOP) or with `sarl estop clear --reason ...` once the area "
            "is safe",
        )  # fmt: skip
    x, y, z = sample.position
    where = f"ee ({x:.3f}, {y:.3f}, {z:.3f}) m, gripper {sample.gripper:.2f}"
    outside = [axis for axis, v, lo, hi in zip("xyz", sample.position, workspace_min, workspace_max, strict=True)
               if not lo <= v <= hi]  # fmt: skip
    if outside:
        return CheckResult(
            "arm_state", Status.WARN, f"{where}: outside the workspace box on {''.join(outside)}",
            "jog the arm to the home pose first; the envelope would clip the first command toward the box",
        )  # fmt: skip
    return CheckResult("arm_state", Status.PASS, f"{sample.age * 1000:.0f} ms old, {where}")


def check_disk(path: Path | str, min_free_gb: float) -> CheckResult:
    """Enough free space where bags and checkpoints go, and permission to write there."""
    target = Path(path).resolve()
    existing = target
    while not existing.exists():
        existing = existing.parent
    free_gb = shutil.disk_usage(existing).free / 1e9
    if not os.access(existing, os.W_OK):
        return CheckResult(
            "disk", Status.FAIL, f"{existing} is not writable by this user",
            "mount a writable volume there (compose: ./data:/data) or point output_dir elsewhere",
        )  # fmt: skip
    if free_gb < min_free_gb:
        return CheckResult(
            "disk", Status.FAIL, f"{free_gb:.1f} GB free at {existing} (need {min_free_gb:g} GB)",
            "free space, or move output_dir to a larger disk; a real-robot run must never lose a bag",
        )  # fmt: skip
    return CheckResult("disk", Status.PASS, f"{free_gb:.1f} GB free for {target}")


def check_python_env(needs_interbotix: bool, needs_gemini: bool) -> CheckResult:
    """numpy < 2 (openpi-client 0.1.2) and the client libraries this deployment imports."""
    import numpy

    problems, fixes = [], []
    if int(numpy.__version__.split(".")[0]) >= 2:
        problems.append(f"numpy {numpy.__version__}")
        fixes.append("pip install 'numpy<2' (openpi-client 0.1.2 pins numpy<2; requirements/python.txt has 1.26.4)")
    modules = {"openpi_client": "pip install -r requirements/python.txt"}
    if needs_gemini:
        modules["google.genai"] = "pip install -r requirements/python.txt"
    if needs_interbotix:
        modules["interbotix_xs_modules.xs_robot.arm"] = (
            "build the Interbotix workspace (docker/Dockerfile does) and source its install/setup.bash"
        )
    for module, fix in modules.items():
        if not _importable(module):
            problems.append(f"{module} not importable")
            fixes.append(fix)
    if problems:
        return CheckResult("python", Status.FAIL, "; ".join(problems), "; ".join(dict.fromkeys(fixes)))
    return CheckResult("python", Status.PASS, f"numpy {numpy.__version__}, {', '.join(modules)} importable")


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def render(results: Sequence[CheckResult], quiet: bool = False) -> str:
    """The pass/fail table, then one 'fix' line per FAIL/WARN."""
    rows = [r for r in results if not quiet or r.status in (Status.FAIL, Status.WARN)]
    width = max([len(r.name) for r in rows] + [5])
    lines = [f"{'CHECK':<{width}}  RESULT  DETAIL"] if rows else []
    lines += [f"{r.name:<{width}}  {r.status.value:<6}  {r.detail}" for r in rows]
    fixes = [r for r in rows if r.fix and r.status in (Status.FAIL, Status.WARN)]
    if fixes:
        lines += ["", "How to fix:"]
        lines += [f"  {r.name}: {r.fix}" for r in fixes]
    failed = sum(r.status is Status.FAIL for r in results)
    lines += ["", f"{failed} check(s) failed" if failed else "all checks passed"]
    return "\n".join(lines).lstrip("\n")


def exit_code(results: Iterable[CheckResult]) -> int:
    """1 when any check failed (warnings do not fail a deployment), else 0."""
    return 1 if any(r.status is Status.FAIL for r in results) else 0
