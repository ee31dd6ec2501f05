"""Tabletop physics state of the simulated WidowX 250: end-effector, gripper, objects.

Why this shape: the SARL loop needs thousands of short episodes per minute, so
the world is a handful of numpy arrays and a few rules rather than a physics
engine. The rules are the ones the tasks need and nothing more:

* the arm is reduced to its end-effector pose ``[x, y, z, roll, pitch, yaw]``
  plus a gripper opening in ``[0, 1]`` (0 closed, 1 open) — the 7-vector that
  Bridge-style policies read as proprioception;
* actions are Bridge-style deltas at 5 Hz ``[dx, dy, dz, droll, dpitch, dyaw,
  gripper_target]`` (metres / radians per step, absolute gripper target);
* closing the gripper near an object grasps it (the object resting highest
  wins, so a lid is grasped before the pot it covers); a held object and
  everything resting on or in it move with the hand;
* opening the gripper drops the held object onto the highest support under
  it: inside a container, on a surface or lid, on a stackable block, on a
  container's rim if it is a lid (which *covers* the container), else on the
  table.

Coordinates are the robot base frame of the Bridge WidowX setups: x forward,
y to the robot's left, z up; the table top is at ``TABLE_Z``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from sarl_sim.objects import CONTAINER_FLOOR, ObjectInstance, ObjectKind

CONTROL_HZ = 5.0
"""Control rate of the arm (Hz), as in the Bridge data."""
DT = 1.0 / CONTROL_HZ
"""Duration of one control step (s)."""

WORKSPACE_LOW = np.array([0.10, -0.15, -0.10])
"""Lower bounds of the end-effector position (m)."""
WORKSPACE_HIGH = np.array([0.45, 0.25, 0.18])
"""Upper bounds of the end-effector position (m)."""
TABLE_Z = -0.10
"""Height of the table top (m); objects never go below it."""
ROTATION_LIMIT = 1.5
"""Largest absolute roll/pitch/yaw of the end-effector (rad)."""

MAX_TRANSLATION = 0.05
"""Largest translation per control step and axis (m)."""
MAX_ROTATION = 0.25
"""Largest rotation per control step and axis (rad)."""
GRIPPER_RATE = 0.5
"""Largest change of the gripper opening per step; closing or opening takes two steps."""
GRIPPER_THRESHOLD = 0.5
"""Opening at which a closing gripper grasps and an opening gripper releases."""
HOLD_OPENING = 0.25
"""Opening reported while an object is between the fingers (they stop on it)."""

HOME_STATE = np.array([0.25, 0.05, 0.12, 0.0, 0.0, 0.0, 1.0])
"""Home pose ``[x, y, z, roll, pitch, yaw, gripper]``: centred above the table, gripper open."""
HOME_STATE.setflags(write=False)

NO_OBJECT = -1
"""Index meaning 'none' (nothing held; resting on the table)."""


_LOW = WORKSPACE_LOW.tolist()
_HIGH = WORKSPACE_HIGH.tolist()


def _clamp(value: float, low: float, high: float) -> float:
    return low if value < low else high if value > high else value


def grasp_radius(obj: ObjectInstance) -> float:
    """Horizontal distance from an object's centre within which a closing gripper grasps it.

    Containers and surfaces are grasped by their rim (anywhere over them); small
    items and lids only near their centre, so an item lying in a bowl is grasped
    at the item and the bowl at its rim.
    """
    if obj.kind in (ObjectKind.CONTAINER, ObjectKind.SURFACE):
        return obj.radius + 0.005
    return 0.5 * obj.radius + 0.015


class TabletopWorld:
    """Mutable state of one tabletop scene; one :meth:`step` per control tick."""

    def __init__(
        self,
        objects: Sequence[ObjectInstance],
        positions: np.ndarray,
        supports: Sequence[int] | None = None,
        ee_state: np.ndarray = HOME_STATE,
    ) -> None:
        positions = np.asarray(positions, dtype=float)
        if positions.shape != (len(objects), 3):
            raise ValueError(f"positions must have shape ({len(objects)}, 3), got {positions.shape}")
        names = [o.name for o in objects]
        if len(set(names)) != len(names):
            raise ValueError(f"object names must be unique, got {names}")
        self.objects: tuple[ObjectInstance, ...] = tuple(objects)
        self.positions = positions.copy()
        """Base centre ``(x, y, z_bottom)`` of every object (m)."""
        self.supports = [NO_OBJECT] * len(objects) if supports is None else list(supports)
        if len(self.supports) != len(objects):
            raise ValueError(f"supports must have {len(objects)} entries, got {len(self.supports)}")
        self.held = NO_OBJECT
        self._grasp_offset = np.zeros(3)
        self._radius = np.array([o.radius for o in objects])
        self._height = np.array([o.height for o in objects])
        self._index = {name: i for i, name in enumerate(names)}
        self.ee = np.zeros(7)
        self.set_ee(ee_state)

    # ------------------------------------------------------------------ queries
    def state(self) -> np.ndarray:
        """Proprioceptive state ``[x, y, z, roll, pitch, yaw, gripper]`` (a copy)."""
        return self.ee.copy()

    def index(self, name: str) -> int:
        """Index of the object called ``name``; raises ValueError if absent."""
        try:
            return self._index[name]
        except KeyError:
            raise ValueError(f"no object {name!r} in this scene; objects: {', '.join(self._index)}") from None

    def top_z(self, i: int) -> float:
        """Height of the top of object ``i`` (m)."""
        return float(self.positions[i, 2] + self._height[i])

    def descendants(self, i: int) -> list[int]:
        """Objects resting (directly or not) on or in object ``i``."""
        found: list[int] = []
        if i not in self.supports:
            return found
        frontier = [i]
        while frontier:
            parent = frontier.pop()
            for child, support in enumerate(self.supports):
                if support == parent:
                    found.append(child)
                    frontier.append(child)
        return found

    def copy(self) -> TabletopWorld:
        """An independent copy (cheap: a few small arrays), e.g. to roll an expert forward."""
        twin = TabletopWorld.__new__(TabletopWorld)
        twin.objects = self.objects
        twin.positions = self.positions.copy()
        twin.supports = list(self.supports)
        twin.held = self.held
        twin._grasp_offset = self._grasp_offset.copy()
        twin._radius = self._radius
        twin._height = self._height
        twin._index = self._index
        twin.ee = self.ee.copy()
        return twin

    # ----------------------------------------------------------------- mutators
    def set_ee(self, state: np.ndarray) -> None:
        """Teleport the end-effector (scene set-up only); does not grasp or release."""
        state = np.asarray(state, dtype=float)
        if state.shape != (7,) or not np.all(np.isfinite(state)):
            raise ValueError(f"end-effector state must be 7 finite numbers, got {state!r}")
        self.ee[:3] = np.clip(state[:3], WORKSPACE_LOW, WORKSPACE_HIGH)
        self.ee[3:6] = np.clip(state[3:6], -ROTATION_LIMIT, ROTATION_LIMIT)
        self.ee[6] = np.clip(state[6], 0.0, 1.0)

    def attach(self, i: int) -> None:
        """Put object ``i`` between the fingers at the current pose (scene set-up only)."""
        if self.held != NO_OBJECT:
            raise ValueError(f"already holding {self.objects[self.held].name!r}")
        delta = np.array([self.ee[0], self.ee[1], self.ee[2] - 0.5 * self._height[i]]) - self.positions[i]
        self._move_with_descendants(i, delta)
        self.supports[i] = NO_OBJECT
        self.held = i
        self._grasp_offset = self.ee[:3] - self.positions[i]
        self.ee[6] = HOLD_OPENING

    def step(self, action: np.ndarray) -> None:
        """Apply one 5 Hz control step of ``[dx, dy, dz, droll, dpitch, dyaw, gripper_target]``."""
        action = np.asarray(action, dtype=float)
        if action.shape != (7,):
            raise ValueError(f"action must have shape (7,), got {action.shape}")
        values = action.tolist()
        if not all(math.isfinite(v) for v in values):
            raise ValueError(f"action must be finite, got {action}")
        # Plain floats: this runs ~100k times per minute of RL, numpy call overhead dominates 3-vectors.
        ee = self.ee.tolist()
        new = [
            _clamp(ee[k] + _clamp(values[k], -MAX_TRANSLATION, MAX_TRANSLATION), _LOW[k], _HIGH[k]) for k in range(3)
        ]
        if self.held != NO_OBJECT:
            new[2] = max(new[2], TABLE_Z + float(self._grasp_offset[2]))
        rot = [
            _clamp(ee[k] + _clamp(values[k], -MAX_ROTATION, MAX_ROTATION), -ROTATION_LIMIT, ROTATION_LIMIT)
            for k in range(3, 6)
        ]
        self.ee[:6] = new + rot
        if self.held != NO_OBJECT:
            self._move_with_descendants(self.held, np.array(new) - ee[:3])
        self._update_gripper(_clamp(values[6], 0.0, 1.0))

    # ---------------------------------------------------------------- internals
    def _move_with_descendants(self, i: int, delta: np.ndarray) -> None:
        self.positions[i] += delta
        for child in self.descendants(i):
            self.positions[child] += delta

    def _update_gripper(self, target: float) -> None:
        before = float(self.ee[6])
        after = before + _clamp(target - before, -GRIPPER_RATE, GRIPPER_RATE)
        if self.held != NO_OBJECT:
            after = max(after, HOLD_OPENING)
            if after > GRIPPER_THRESHOLD:
                self._release()
        elif before > GRIPPER_THRESHOLD >= after:
            grasped = self._grasp_candidate()
            if grasped != NO_OBJECT:
                self.held = grasped
                self.supports[grasped] = NO_OBJECT
                self._grasp_offset = self.ee[:3] - self.positions[grasped]
                after = max(after, HOLD_OPENING)
        self.ee[6] = after

    def _grasp_candidate(self) -> int:
        x, y, z = self.ee[:3]
        best, best_base = NO_OBJECT, -np.inf
        for i, obj in enumerate(self.objects):
            px, py, base = self.positions[i]
            if (px - x) ** 2 + (py - y) ** 2 > grasp_radius(obj) ** 2:
                continue
            if not base - 0.01 <= z <= base + self._height[i] + 0.01:
                continue
            if base > best_base:
                best, best_base = i, base
        return best

    def _release(self) -> None:
        i = self.held
        self.held = NO_OBJECT
        support, rest = self._support_below(i)
        self._move_with_descendants(i, np.array([0.0, 0.0, rest - self.positions[i, 2]]))
        self.supports[i] = support

    def _support_below(self, i: int) -> tuple[int, float]:
        """Where object ``i`` comes to rest if let go now: (support index, base height)."""
        dropped = self.objects[i]
        x, y, bottom = self.positions[i]
        excluded = {i, *self.descendants(i)}
        best, best_rest = NO_OBJECT, TABLE_Z
        for j, obj in enumerate(self.objects):
            if j in excluded:
                continue
            distance = float(np.hypot(self.positions[j, 0] - x, self.positions[j, 1] - y))
            base, top = self.positions[j, 2], self.positions[j, 2] + self._height[j]
            if obj.kind == ObjectKind.CONTAINER:
                if distance > obj.radius:
                    continue
                covers = dropped.kind == ObjectKind.LID and dropped.radius >= 0.8 * obj.radius
                rest = top if covers else base + CONTAINER_FLOOR
            elif obj.kind in (ObjectKind.SURFACE, ObjectKind.LID):
                if distance > obj.radius:
                    continue
                rest = top
            elif obj.spec.stackable:
                if distance > 0.6 * (obj.radius + dropped.radius):
                    continue
                rest = top
            else:
                continue
            if rest <= bottom + 0.03 and rest > best_rest:
                best, best_rest = j, rest
        return best, float(best_rest)
