"""The whole MJCF scene: table, robot pedestal, wx250s arm, lights, two cameras and a task layout's objects.

Why the layout comes from the kinematic world: ``sarl_sim.layout``/``tasks`` already place a task's objects
(collision-free, some in or on others) for a seed; the physics world turns the same layout into rigid bodies,
so both worlds share one task suite and one scene distribution.

Frames are the driver's robot base frame (x forward, y left, z up, m); the table top is at ``TABLE_Z`` = -0.10,
i.e. the arm stands on a 10 cm pedestal, as the kinematic world and the Bridge workspace box assume.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sarl_sim.objects import ObjectInstance
from sarl_sim.physics.arm_model import actuator_xml, arm_body_xml
from sarl_sim.physics.object_bodies import object_body_xml
from sarl_sim.world import TABLE_Z

TIMESTEP = 0.002
"""Physics step (s): 100 substeps per 5 Hz control step."""
MAX_RENDER_SIZE = 128
"""Largest offscreen image side (px) the model's framebuffer allows."""
BRIDGE_CAMERA_POS = (0.0, -0.34, 0.36)
"""Third-person camera position (m): behind the base and over its right shoulder, like the Bridge setups."""
BRIDGE_CAMERA_TARGET = (0.30, 0.04, TABLE_Z)
"""Point the third-person camera looks at (m): the middle of the placement region on the table."""


def look_at_xyaxes(position: Sequence[float], target: Sequence[float]) -> str:
    """MJCF ``xyaxes`` of a camera at ``position`` looking at ``target`` with world z up in the image."""
    forward = np.asarray(target, dtype=float) - np.asarray(position, dtype=float)
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, (0.0, 0.0, 1.0))
    right /= np.linalg.norm(right)
    up = np.cross(right, forward)
    return " ".join(f"{v:.5f}" for v in (*right, *up))


def scene_xml(objects: Sequence[ObjectInstance], bases: np.ndarray, yaws: Sequence[float] | None = None) -> str:
    """The MJCF of the scene with ``objects`` whose base centres are the rows of ``bases`` (m)."""
    bases = np.asarray(bases, dtype=float)
    if bases.shape != (len(objects), 3):
        raise ValueError(f"bases must have shape ({len(objects)}, 3), got {bases.shape}")
    yaws = [0.0] * len(objects) if yaws is None else list(yaws)
    if len(yaws) != len(objects):
        raise ValueError(f"yaws must have {len(objects)} entries, got {len(yaws)}")
    bodies = "\n".join(
        object_body_xml(obj, tuple(base), yaw) for obj, base, yaw in zip(objects, bases, yaws, strict=True)
    )
    table_half_z = 0.02
    return f"""
<mujoco model="wx250s_tabletop">
  <compiler angle="radian" autolimits="true"/>
  <option timestep="{TIMESTEP}" integrator="implicitfast" cone="elliptic" impratio="10"/>
  <visual>
    <global offwidth="{MAX_RENDER_SIZE}" offheight="{MAX_RENDER_SIZE}"/>
    <quality shadowsize="0"/>
    <headlight ambient="0.45 0.45 0.45" diffuse="0.5 0.5 0.5"/>
  </visual>
  <worldbody>
    <light name="top" pos="0.3 0 1.2" dir="0 0 -1" directional="true" castshadow="false" diffuse="0.4 0.4 0.4"/>
    <geom name="table" type="box" size="0.45 0.45 {table_half_z}" pos="0.25 0.05 {TABLE_Z - table_half_z}"
          rgba="0.72 0.62 0.5 1" contype="1" conaffinity="3" friction="0.8 0.01 0.001"/>
    <geom name="pedestal" type="box" size="0.07 0.07 {-TABLE_Z / 2}" pos="-0.03 0 {TABLE_Z / 2}"
          rgba="0.3 0.3 0.32 1" contype="1" conaffinity="3"/>
    <camera name="bridge" pos="{" ".join(map(str, BRIDGE_CAMERA_POS))}"
            xyaxes="{look_at_xyaxes(BRIDGE_CAMERA_POS, BRIDGE_CAMERA_TARGET)}" fovy="60"/>
    {arm_body_xml()}
    {bodies}
  </worldbody>
  <contact>
    <exclude body1="base_link" body2="shoulder_link"/>
  </contact>
  <actuator>
    {actuator_xml()}
  </actuator>
</mujoco>"""
