"""Does the VLA bridge's configuration fit the driver's? A static check of the parameter file, before any node runs.

Why: each mismatch here fails silently on the robot. A frame id that differs makes the driver refuse every VLA
command as "wrong frame" (shipped once, in real_widowx.yaml); a bridge commanding faster than the driver
applies makes the driver supersede most commands (joint targets) or queue and refuse them as stale; a profile
that reads the wrist camera while the driver publishes none makes every goal wait for an image that never comes.
"""

from __future__ import annotations

from typing import Any

from .doctor_checks import CheckResult, Status

NAME = "contract"


def check_bridge_fits_driver(bridge: Any, driver: Any) -> CheckResult:
    """``bridge``: a sarl_vla_bridge BridgeConfig; ``driver``: a widowx_driver DriverConfig."""
    profile, loop = bridge.profile(), bridge.loop()
    problems, fixes = [], []
    if bridge.frame_id != driver.frame_id:
        problems.append(f"vla_bridge.frame_id {bridge.frame_id!r} != widowx_driver.frame_id {driver.frame_id!r}: "
                        "the driver refuses every VLA command")
        fixes.append(f"set vla_bridge.frame_id: {driver.frame_id}")
    if loop.control_rate_hz > driver.rate_hz:
        what = "supersedes" if profile.needs_joints else "queues (and may refuse as stale)"
        problems.append(f"the bridge commands at {loop.control_rate_hz:g} Hz (profile {profile.name}), the driver "
                        f"ticks at {driver.rate_hz:g} Hz: it {what} "
                        f"{1 - driver.rate_hz / loop.control_rate_hz:.0%} of the commands")
        fixes.append(f"set widowx_driver.control_rate_hz >= {loop.control_rate_hz:g}, "
                     f"or vla_bridge.control_rate_hz <= {driver.rate_hz:g}")
    if "wrist" in {camera.value for camera in profile.cameras} and not driver.wrist_camera:
        problems.append(f"profile {profile.name} reads the wrist camera, but widowx_driver.wrist_camera is false")
        fixes.append("set widowx_driver.wrist_camera: true (and wrist_camera_device)")
    if problems:
        return CheckResult(NAME, Status.FAIL, "; ".join(problems), "; ".join(fixes))
    return CheckResult(NAME, Status.PASS, f"profile {profile.name} at {loop.control_rate_hz:g} Hz fits the driver "
                                          f"({driver.rate_hz:g} Hz, frame {driver.frame_id})")
