"""Scripted pick-and-place on the physics arm: the teacher, which may read privileged object poses.

Why it only speaks deltas: demonstrations must be made of the same 5 Hz end-effector deltas a policy will
output, within the driver's step limits, so a policy trained on them can reproduce them. Nothing here holds an
object: the fingers squeeze it and friction carries it; a grasp that misses or slips shows up as a failure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sarl_sim.objects import ObjectKind
from sarl_sim.physics.arm_control import DeltaArmController
from sarl_sim.physics.object_bodies import WALL_THICKNESS, grasp_site, half_extent
from sarl_sim.physics.world import PhysicsWorld
from sarl_sim.world import TABLE_Z

MAX_TRANSLATION_STEP = 0.05
"""Largest translation per command and axis (m), the driver's safety envelope default."""
MAX_ROTATION_STEP = 0.25
"""Largest rotation per command and axis (rad), the driver's safety envelope default."""
GRASP_PITCH = 1.3
"""Pitch of the gripper while picking and placing (rad): steeply down, reachable over the whole table."""
PAD_CLEARANCE = 0.021
"""Lowest end-effector height above the table (m): the finger pads reach 17 mm past it."""
APPROACH_HEIGHT = 0.08
"""Height above a grasp or drop point from which the gripper descends (m)."""
REACHED = 0.008
"""A waypoint counts as reached within this distance (m)."""


@dataclass
class ExpertLog:
    """What the expert commanded, for demonstrations and tests."""

    actions: list[np.ndarray] = field(default_factory=list)
    """Every 7-D delta command sent, in order."""
    unreachable: int = 0
    """How many commands the arm refused (no IK solution)."""


def _up(height: float) -> np.ndarray:
    return np.array([0.0, 0.0, height])


def _wrap(angle: np.ndarray) -> np.ndarray:
    return (angle + np.pi) % (2 * np.pi) - np.pi


def nearest_symmetric_yaw(yaw: float, symmetry: float, position: np.ndarray) -> float:
    """``yaw`` plus whole turns of ``symmetry`` (rad) nearest the arm's natural heading at ``position``."""
    natural = math.atan2(position[1], position[0])
    turns = round((natural - yaw) / symmetry)
    return float(_wrap(np.array(yaw + turns * symmetry)))


def grasp_yaw(world: PhysicsWorld, name: str, position: np.ndarray) -> float:
    """Gripper yaw closing the fingers across the object's grasp axis, nearest the arm's natural heading."""
    rotation = world.object_rotation(name)
    object_yaw = math.atan2(rotation[1, 0], rotation[0, 0])
    symmetry = math.pi if grasp_site(world.object(name)).across_y else math.pi / 2
    return nearest_symmetric_yaw(object_yaw, symmetry, position)


class PickAndPlaceExpert:
    """Picks one object and puts it in or on another, by 5 Hz deltas through a :class:`DeltaArmController`."""

    def __init__(self, world: PhysicsWorld, controller: DeltaArmController, max_steps_per_waypoint: int = 15):
        self._world = world
        self._controller = controller
        self._max_steps = max_steps_per_waypoint
        self.log = ExpertLog()

    def pick_and_place(self, item: str, destination: str) -> None:
        """Grasp ``item`` at its grasp site and release it over ``destination``."""
        self.pick(item)
        self.place(item, destination)

    def pick(self, item: str) -> None:
        """Grasp ``item`` at its grasp site and lift it (the atomic skill "pick up the <item>")."""
        world = self._world
        site = grasp_site(world.object(item))
        base = world.object_position(item)
        grasp = base + world.object_rotation(item) @ np.array(site.offset)
        grasp[2] = max(grasp[2], TABLE_Z + PAD_CLEARANCE)
        yaw = grasp_yaw(world, item, grasp)
        above = grasp + _up(APPROACH_HEIGHT)
        self._go(above, yaw, gripper=1.0)
        self._go(grasp, yaw, gripper=1.0)
        self._go(grasp, yaw, gripper=0.0, settle_steps=2)
        self._go(above + _up(0.04), yaw, gripper=0.0)

    def place(self, item: str, destination: str) -> None:
        """Carry the held ``item`` over ``destination`` and release it (the skill "put it in/on the <place>")."""
        drop = self._drop_point(item, destination)
        yaw = nearest_symmetric_yaw(self._controller.state()[5], math.pi / 2, drop)  # a quarter turn is fine
        self._go(drop + _up(0.03), yaw, gripper=0.0)
        self._go(drop, yaw, gripper=0.0)
        self._go(drop, yaw, gripper=1.0, settle_steps=2)
        self._go(drop + _up(APPROACH_HEIGHT), yaw, gripper=1.0)

    def _drop_point(self, item: str, destination: str) -> np.ndarray:
        """Where the gripper opens: centred over the destination, the item's bottom a little above its top."""
        world = self._world
        target = world.object(destination)
        top = world.object_position(destination)[2] + target.height
        if target.kind == ObjectKind.CONTAINER:
            top = world.object_position(destination)[2] + target.height - 0.01
        held = world.object(item)
        grasp_height = grasp_site(held).offset[2]
        point = world.object_position(destination).copy()
        point[2] = top + grasp_height + 0.02
        return point

    def _go(self, position: np.ndarray, yaw: float, gripper: float, settle_steps: int = 0) -> None:
        target = np.array([*position, 0.0, GRASP_PITCH, yaw])
        for _ in range(self._max_steps):
            state = self._controller.state()
            error = target[:6] - state[:6]
            error[3:] = _wrap(error[3:])
            if np.linalg.norm(error[:3]) < REACHED and np.abs(error[3:]).max() < 0.05:
                break
            self._send(error, gripper)
        for _ in range(settle_steps):
            state = self._controller.state()
            error = target[:6] - state[:6]
            error[3:] = _wrap(error[3:])
            self._send(error, gripper)

    def _send(self, error: np.ndarray, gripper: float) -> None:
        delta = np.concatenate([
            np.clip(error[:3], -MAX_TRANSLATION_STEP, MAX_TRANSLATION_STEP),
            np.clip(error[3:], -MAX_ROTATION_STEP, MAX_ROTATION_STEP),
            [gripper],
        ])  # fmt: skip
        self.log.actions.append(delta)
        if not self._controller.apply(delta):
            self.log.unreachable += 1


def placed_in_or_on(world: PhysicsWorld, item: str, destination: str) -> bool:
    """Whether ``item`` rests inside the container / on the surface ``destination`` (privileged check).

    Inside means within the walls and with its base below the rim by a centimetre (not wedged across the top);
    on means within the footprint with its base within a centimetre of the surface's top.
    """
    target = world.object(destination)
    offset = world.object_position(item) - world.object_position(destination)
    local = world.object_rotation(destination).T @ offset
    inner = half_extent(target) - WALL_THICKNESS if target.kind == ObjectKind.CONTAINER else half_extent(target)
    if target.category == "towel":
        inner = target.radius
    within = abs(local[0]) < inner and abs(local[1]) < inner
    if target.kind == ObjectKind.CONTAINER:
        return bool(within and -0.005 < local[2] < target.height - 0.01)
    return bool(within and abs(local[2] - target.height) < 0.01)
