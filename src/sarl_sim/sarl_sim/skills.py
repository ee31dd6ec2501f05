"""Scripted expert for the atomic skills the stand-in VLA is pretrained on.

Why a reactive (state -> action) expert: the action it returns depends only on
the current world, so demonstrations can be perturbed with noise and still be
labelled correctly (DART-style), and the same expert can label any state the
policy might visit. It is the *teacher* only: the simulator never runs it at
evaluation time — the learned network does.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np

from sarl_sim.layout import rest_height
from sarl_sim.objects import ObjectKind
from sarl_sim.world import NO_OBJECT, TABLE_Z, TabletopWorld, grasp_radius

SPEED = 0.04
"""Largest expert translation per step and axis (m); the world allows up to 0.05."""
LIFT_Z = TABLE_Z + 0.12
"""Height the end-effector rises to after a grasp or a release (m)."""
HOVER_CLEARANCE = 0.05
"""Height above an object's top at which the gripper approaches it (m)."""
CARRY_CLEARANCE = 0.04
"""Clearance of a carried object's bottom above the receptacle top while moving (m)."""
DROP_CLEARANCE = 0.012
"""Height above its resting place at which a carried object is let go (m)."""
ALIGN_TOLERANCE = 0.010
"""Horizontal error (m) below which the expert starts to descend."""
HEIGHT_TOLERANCE = 0.006
"""Vertical error (m) below which the expert closes or opens the gripper."""
RIM_FRACTION = 0.85
"""Containers and surfaces are grasped at this fraction of their radius, on the robot's side."""


class Skill(enum.Enum):
    """Atomic skills of the pretraining data."""

    PICK = "pick"
    PLACE = "place"
    HOVER = "hover"
    GRASP_HERE = "grasp_here"
    OPEN = "open"
    CLOSE = "close"
    LIFT = "lift"


TARGETED = (Skill.PICK, Skill.PLACE, Skill.HOVER)
"""Skills that name an object."""


@dataclass(frozen=True)
class SkillSpec:
    """A skill and, for targeted skills, the index of the object it names."""

    skill: Skill
    target: int = NO_OBJECT

    def __post_init__(self) -> None:
        if (self.skill in TARGETED) != (self.target != NO_OBJECT):
            raise ValueError(f"skill {self.skill.value!r} {'needs' if self.skill in TARGETED else 'takes no'} target")


def grasp_point(world: TabletopWorld, i: int) -> np.ndarray:
    """Where the fingertips close on object ``i``: rim for containers/surfaces, centre otherwise."""
    obj = world.objects[i]
    x, y, base = world.positions[i]
    if obj.kind in (ObjectKind.CONTAINER, ObjectKind.SURFACE):
        return np.array([x - RIM_FRACTION * obj.radius, y, base + 0.7 * obj.height])
    return np.array([x, y, max(base + 0.5 * obj.height, TABLE_Z + 0.008)])


def _move(delta: np.ndarray, gripper: float) -> np.ndarray:
    action = np.zeros(7)
    action[:3] = np.clip(delta, -SPEED, SPEED)
    action[6] = gripper
    return action


def _lift(world: TabletopWorld, gripper: float, height: float = LIFT_Z) -> np.ndarray:
    return _move(np.array([0.0, 0.0, max(height - world.ee[2], 0.0)]), gripper)


def _descend_and_close(world: TabletopWorld, point: np.ndarray) -> np.ndarray:
    """Go to ``point`` (above first, then down) and close; re-open first if closed on nothing."""
    ee = world.ee[:3]
    error = point - ee
    if np.hypot(error[0], error[1]) > ALIGN_TOLERANCE:
        hover = point[2] + HOVER_CLEARANCE
        return _move(np.array([error[0], error[1], hover - ee[2]]), 1.0)
    if abs(error[2]) > HEIGHT_TOLERANCE:
        return _move(error, 1.0)
    return _move(np.zeros(3), 0.0 if world.ee[6] > 0.5 else 1.0)


def _place(world: TabletopWorld, target: int) -> np.ndarray:
    held = world.held
    if held == NO_OBJECT:
        return _lift(world, 1.0)
    ee = world.ee[:3]
    held_pos = world.positions[held]
    offset_z = ee[2] - held_pos[2]
    receptacle = world.objects[target]
    rest = rest_height(world.objects[held], receptacle, world.positions[target, 2])
    for d in world.descendants(target):
        if world.objects[d].kind == ObjectKind.LID or world.objects[d].spec.stackable:
            rest = max(rest, world.top_z(d))
    xy_error = world.positions[target, :2] - held_pos[:2]
    if np.hypot(*xy_error) > ALIGN_TOLERANCE:
        carry = world.top_z(target) + CARRY_CLEARANCE + offset_z
        return _move(np.array([xy_error[0], xy_error[1], carry - ee[2]]), 0.0)
    release_z = rest + DROP_CLEARANCE + offset_z
    if abs(release_z - ee[2]) > HEIGHT_TOLERANCE:
        return _move(np.array([xy_error[0], xy_error[1], release_z - ee[2]]), 0.0)
    return _move(np.zeros(3), 1.0)


def _object_below(world: TabletopWorld) -> int:
    """The object a straight descent would grasp (highest-resting one under the fingers)."""
    x, y = world.ee[:2]
    best, best_base = NO_OBJECT, -np.inf
    for i, obj in enumerate(world.objects):
        if i == world.held:
            continue
        if np.hypot(world.positions[i, 0] - x, world.positions[i, 1] - y) <= grasp_radius(obj):
            if world.positions[i, 2] > best_base:
                best, best_base = i, world.positions[i, 2]
    return best


def expert_action(world: TabletopWorld, spec: SkillSpec) -> np.ndarray:
    """The expert's next action ``[dx, dy, dz, droll, dpitch, dyaw, gripper]`` for ``spec``."""
    held = world.held
    closed = 0.0 if held != NO_OBJECT or world.ee[6] < 0.5 else 1.0
    if spec.skill is Skill.PICK:
        if held == spec.target:
            return _lift(world, 0.0)
        if held != NO_OBJECT:
            return _move(np.zeros(3), 1.0)
        return _descend_and_close(world, grasp_point(world, spec.target))
    if spec.skill is Skill.PLACE:
        return _place(world, spec.target)
    if spec.skill is Skill.HOVER:
        x, y, _ = world.positions[spec.target]
        point = np.array([x, y, world.top_z(spec.target) + HOVER_CLEARANCE + 0.01])
        return _move(point - world.ee[:3], closed)
    if spec.skill is Skill.GRASP_HERE:
        if held != NO_OBJECT:
            return _move(np.zeros(3), 0.0)
        below = _object_below(world)
        if below == NO_OBJECT:
            point = np.array([world.ee[0], world.ee[1], TABLE_Z + 0.01])
        else:
            point = np.array([world.ee[0], world.ee[1], grasp_point(world, below)[2]])
        return _descend_and_close(world, point)
    if spec.skill is Skill.OPEN:
        return _move(np.zeros(3), 1.0)
    if spec.skill is Skill.CLOSE:
        return _move(np.zeros(3), 0.0)
    if spec.skill is Skill.LIFT:
        return _lift(world, closed, height=TABLE_Z + 0.15)
    raise ValueError(f"unknown skill {spec.skill!r}")
