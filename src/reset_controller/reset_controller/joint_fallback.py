"""When the reset controller asks the driver for a joint-space move instead of Cartesian PID steps.

Why: from the Interbotix sleep pose every Cartesian step is refused (the shoulder sits next to its
limit), and from a twisted wrist the PID's per-tick limit needs longer than a reset may take. The
real driver offers ``move_to_pose`` for this (the simulator does not need it); the PID then does the
last centimetres. Used at most once per goal, and only when the Cartesian way is doomed or blocked:
a joint-space move is not a straight line, so near home the PID's straight approach is preferred.
"""

from __future__ import annotations

JOINT_MOVE_DISTANCE = 0.10
"""[m] position error at the start of a goal above which home is reached in joint space first."""
JOINT_MOVE_ANGLE = 0.5
"""[rad] largest roll/pitch/yaw error at the start of a goal above which the same holds."""
JOINT_MOVE_AFTER_REJECTIONS = 2
"""Commands of this goal the driver refused (no IK solution) before switching to joint space."""
SETTLE_TIME = 0.5
"""[s] after the move's own duration before the PID takes over (the last joint states arrive)."""


def wants_joint_move(start_position_error: float, start_angle_error: float, rejected_this_goal: int) -> bool:
    """Whether to request the joint-space move now, from the errors at the goal's start [m, rad] and the
    commands of this goal the driver refused (the caller requests it at most once per goal)."""
    if start_position_error > JOINT_MOVE_DISTANCE or start_angle_error > JOINT_MOVE_ANGLE:
        return True
    return rejected_this_goal >= JOINT_MOVE_AFTER_REJECTIONS
