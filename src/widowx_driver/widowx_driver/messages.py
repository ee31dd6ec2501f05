"""Conversions between the driver's numpy values and its ROS messages.

Why a module of its own: the node file should read as wiring (who publishes
what, when); the field-by-field copying lives here, once, and is tested.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from builtin_interfaces.msg import Time
from sarl_interfaces.msg import ArmCommand, ArmState
from sensor_msgs.msg import Image, JointState
from std_msgs.msg import Float32MultiArray, MultiArrayDimension

SOURCE_NAMES = {
    ArmCommand.SOURCE_UNKNOWN: "unknown",
    ArmCommand.SOURCE_VLA: "vla",
    ArmCommand.SOURCE_RESET: "reset",
    ArmCommand.SOURCE_OPERATOR: "operator",
}

SCENE_DIMENSION_LABELS = ("objects", "columns")
"""Layout labels of ``sim/scene``: row-major (objects, columns), the ``observation/scene`` array of sarl_sim."""


def command_vector(msg: ArmCommand) -> np.ndarray:
    """``[dx, dy, dz, droll, dpitch, dyaw, gripper]`` of a command."""
    return np.array([msg.dx, msg.dy, msg.dz, msg.droll, msg.dpitch, msg.dyaw, msg.gripper], dtype=float)


def source_name(msg: ArmCommand) -> str:
    return SOURCE_NAMES.get(msg.source, f"source {msg.source}")


def stamp_seconds(stamp: Time) -> float:
    """A header stamp in seconds."""
    return stamp.sec + stamp.nanosec * 1e-9


def publisher_key(info: Mapping) -> bytes:
    """The sending writer's GID from a subscription's message info (b"" when the middleware gives none)."""
    gid = info.get("publisher_gid") or {}
    data = gid.get("data") if isinstance(gid, Mapping) else None
    return bytes(data) if data is not None else b""


def arm_state_message(state: np.ndarray, stamp: Time, frame_id: str, *, estop_active: bool, holding: bool,
                      counters: Mapping[str, int], estop_received: Time | None = None) -> ArmState:  # fmt: skip
    """ArmState of a 7-vector state, the driver's flags, its counters (ArmState field name → value),
    and the reception stamp of the e-stop in force."""
    msg = ArmState()
    msg.header.stamp = stamp
    msg.header.frame_id = frame_id
    msg.x, msg.y, msg.z, msg.roll, msg.pitch, msg.yaw, msg.gripper = (float(v) for v in state)
    msg.estop_active = estop_active
    msg.holding = holding
    for name, value in counters.items():
        setattr(msg, name, int(value))
    if estop_received is not None:
        msg.estop_received = estop_received
    return msg


def joint_state_message(names: list[str], positions: np.ndarray, stamp: Time) -> JointState:
    msg = JointState()
    msg.header.stamp = stamp
    msg.name = list(names)
    msg.position = [float(p) for p in positions]
    return msg


def image_message(frame: np.ndarray, stamp: Time, frame_id: str) -> Image:
    """``sensor_msgs/Image`` rgb8 of an (H, W, 3) uint8 frame."""
    if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
        raise ValueError(f"camera frames must be (H, W, 3) uint8 RGB, got {frame.shape} {frame.dtype}")
    msg = Image()
    msg.header.stamp = stamp
    msg.header.frame_id = frame_id
    msg.height, msg.width = int(frame.shape[0]), int(frame.shape[1])
    msg.encoding = "rgb8"
    msg.is_bigendian = 0
    msg.step = msg.width * 3
    msg.data = np.ascontiguousarray(frame).tobytes()
    return msg


def scene_message(scene: np.ndarray) -> Float32MultiArray:
    """``std_msgs/Float32MultiArray`` of a 2-D scene array (row-major, labelled dims)."""
    scene = np.ascontiguousarray(scene, dtype=np.float32)
    if scene.ndim != 2:
        raise ValueError(f"scene must be 2-D (objects, columns), got shape {scene.shape}")
    rows, cols = scene.shape
    msg = Float32MultiArray()
    msg.layout.dim = [
        MultiArrayDimension(label=SCENE_DIMENSION_LABELS[0], size=rows, stride=rows * cols),
        MultiArrayDimension(label=SCENE_DIMENSION_LABELS[1], size=cols, stride=cols),
    ]
    msg.data = scene.ravel()
    return msg


def scene_array(msg: Float32MultiArray) -> np.ndarray:
    """Inverse of :func:`scene_message` (for subscribers such as the VLA bridge and for tests)."""
    if len(msg.layout.dim) != 2:
        raise ValueError(f"sim/scene must have a 2-D layout, got {len(msg.layout.dim)} dims")
    rows, cols = msg.layout.dim[0].size, msg.layout.dim[1].size
    return np.asarray(msg.data, dtype=np.float32).reshape(rows, cols)
