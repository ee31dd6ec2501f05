"""MuJoCo world of the WidowX 250 6-DoF (wx250s): arm, table, cameras, task objects, delta control.

Why a physics world next to the kinematic tabletop: grasps here can fail (friction, not snapping), the arm
has real joints and limits, and the cameras render pixels, so the camera path, the joint path and action-space
methods can be exercised. The model is written here from the robot's published kinematic and inertial facts
(see ``arm_model``); no upstream file is copied.
"""

import os

# Offscreen rendering without a display: MuJoCo picks its OpenGL backend when it is first imported, so the
# headless default must be set before anything in this package imports it. An explicit MUJOCO_GL wins.
os.environ.setdefault("MUJOCO_GL", "egl")
