"""Synthetic third-person camera: a 256x256 RGB picture of the tabletop (OpenCV).

Why it exists: the VLA bridge, the VLM proposer, the operator UI and the
recorder all consume ``camera/image_raw`` like on the real robot. The stand-in
VLA does not need pixels (it reads ``observation/scene``), so rendering is
never on the simulator's fast path — call :func:`render` only when an image is
wanted.

View: an oblique camera behind and above the robot base, looking forward, so
image-left is the robot's left (+y) and farther (+x) is higher in the image;
height lifts a drawn thing upwards. Held objects cast a shadow on the table.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from sarl_sim.objects import ObjectKind
from sarl_sim.world import NO_OBJECT, TABLE_Z, TabletopWorld

IMAGE_SIZE = 256
"""Width and height of the rendered image (pixels)."""
_PX_PER_M_Y = 560.0
_PX_PER_M_X = 500.0
_PX_PER_M_Z = 420.0
_Y0, _X0 = 0.05, 0.10
_TABLE_COLOR = (185, 160, 125)
_WALL_COLOR = (215, 215, 220)


def project(x: float, y: float, z: float) -> tuple[int, int]:
    """Pixel (u, v) of a point in the robot base frame."""
    u = IMAGE_SIZE / 2 - (y - _Y0) * _PX_PER_M_Y
    v = IMAGE_SIZE - 20 - (x - _X0) * _PX_PER_M_X - (z - TABLE_Z) * _PX_PER_M_Z
    return round(u), round(v)


@lru_cache(maxsize=1)
def _background() -> np.ndarray:
    image = np.empty((IMAGE_SIZE, IMAGE_SIZE, 3), dtype=np.uint8)
    image[:] = _WALL_COLOR
    corners = [project(x, y, TABLE_Z) for x, y in ((0.05, 0.32), (0.05, -0.22), (0.52, -0.22), (0.52, 0.32))]
    cv2.fillConvexPoly(image, np.array(corners, dtype=np.int32), _TABLE_COLOR, lineType=cv2.LINE_AA)
    base = project(0.0, 0.0, TABLE_Z)
    cv2.ellipse(image, base, (34, 14), 0, 0, 360, (40, 40, 45), -1, cv2.LINE_AA)
    image.setflags(write=False)
    return image


def _shade(color: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    return tuple(int(np.clip(c * factor, 0, 255)) for c in color)


def _draw_object(image: np.ndarray, world: TabletopWorld, i: int) -> None:
    obj = world.objects[i]
    x, y, base = world.positions[i]
    top = base + obj.height
    axes = (max(2, int(obj.radius * _PX_PER_M_Y)), max(2, int(obj.radius * _PX_PER_M_X * 0.55)))
    color = obj.color
    if obj.spec.shape == "long":
        axes = (axes[0], max(2, axes[1] // 2))
    u0, v0 = project(x, y, base)
    u1, v1 = project(x, y, top)
    if obj.kind == ObjectKind.CONTAINER:
        cv2.ellipse(image, (u0, v0), axes, 0, 0, 180, _shade(color, 0.7), -1, cv2.LINE_AA)
        cv2.rectangle(image, (u0 - axes[0], v1), (u0 + axes[0], v0), _shade(color, 0.8), -1)
        cv2.ellipse(image, (u1, v1), axes, 0, 0, 360, _shade(color, 0.5), -1, cv2.LINE_AA)
        inner = (max(1, axes[0] - 3), max(1, axes[1] - 2))
        cv2.ellipse(image, (u1, v1 + 1), inner, 0, 0, 360, _shade(color, 0.35), -1, cv2.LINE_AA)
    else:
        if v0 - v1 > 1:
            cv2.rectangle(image, (u0 - axes[0], v1), (u0 + axes[0], v0), _shade(color, 0.75), -1)
            cv2.ellipse(image, (u0, v0), axes, 0, 0, 180, _shade(color, 0.75), -1, cv2.LINE_AA)
        cv2.ellipse(image, (u1, v1), axes, 0, 0, 360, color, -1, cv2.LINE_AA)
        if obj.kind == ObjectKind.LID:
            cv2.circle(image, (u1, v1 - 2), 3, _shade(color, 0.5), -1, cv2.LINE_AA)


def _draw_gripper(image: np.ndarray, world: TabletopWorld) -> None:
    x, y, z = world.ee[:3]
    opening = world.ee[6]
    tip = project(x, y, z)
    wrist = project(x, y, z + 0.05)
    shadow = project(x, y, TABLE_Z)
    cv2.ellipse(image, shadow, (9, 4), 0, 0, 360, (90, 80, 70), -1, cv2.LINE_AA)
    shoulder = project(0.02, 0.0, 0.05)
    cv2.line(image, shoulder, (wrist[0], wrist[1] - 10), (45, 45, 50), 7, cv2.LINE_AA)
    cv2.rectangle(image, (wrist[0] - 9, wrist[1] - 12), (wrist[0] + 9, wrist[1]), (30, 30, 35), -1)
    half = int(3 + 7 * opening)
    for side in (-1, 1):
        cv2.line(image, (wrist[0] + side * half, wrist[1]), (tip[0] + side * half, tip[1]), (70, 70, 80), 3)


def render(world: TabletopWorld) -> np.ndarray:
    """RGB image (256, 256, 3) uint8 of the current scene."""
    image = _background().copy()
    held = {world.held, *world.descendants(world.held)} if world.held != NO_OBJECT else set()
    for i in held:
        x, y, _ = world.positions[i]
        r = world.objects[i].radius
        center = project(x, y, TABLE_Z)
        cv2.ellipse(image, center, (int(r * _PX_PER_M_Y), int(r * _PX_PER_M_X * 0.5)), 0, 0, 360, (120, 105, 85), -1)
    # Far objects first, lower before higher, so nearer and stacked things are drawn on top.
    order = sorted(range(len(world.objects)), key=lambda i: (-world.positions[i, 0], world.positions[i, 2]))
    drawn_gripper = False
    for i in order:
        if not drawn_gripper and world.positions[i, 0] < world.ee[0] - 0.03:
            _draw_gripper(image, world)
            drawn_gripper = True
        _draw_object(image, world, i)
    if not drawn_gripper:
        _draw_gripper(image, world)
    return image
