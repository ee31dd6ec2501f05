"""Random, collision-free initial layouts of objects on the table.

Why its own module: the task suite and the pretraining-demo generator both
need "put these objects somewhere sensible, some of them in or on others", and
the same sampler for both keeps the pretraining scene distribution aligned with
the evaluation scenes (as Bridge data covers the real tabletop).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from sarl_sim.objects import CONTAINER_FLOOR, ObjectInstance, ObjectKind
from sarl_sim.world import HOME_STATE, NO_OBJECT, TABLE_Z, TabletopWorld

PLACEMENT_LOW = np.array([0.15, -0.11])
"""Lower (x, y) corner of the region where object centres are placed (m)."""
PLACEMENT_HIGH = np.array([0.40, 0.21])
"""Upper (x, y) corner of the region where object centres are placed (m)."""
CLEARANCE = 0.012
"""Minimum free gap between the footprints of two objects on the table (m)."""


def rest_height(obj: ObjectInstance, support: ObjectInstance, support_base: float) -> float:
    """Base height of ``obj`` resting in/on ``support`` whose base is at ``support_base``."""
    if support.kind == ObjectKind.CONTAINER:
        if obj.kind == ObjectKind.LID:
            return support_base + support.height
        return support_base + CONTAINER_FLOOR
    return support_base + support.height


def sample_world(
    rng: np.random.Generator,
    objects: Sequence[ObjectInstance],
    placed_on: Mapping[str, str] | None = None,
    max_tries: int = 400,
) -> TabletopWorld:
    """Place ``objects`` at random, ``placed_on`` mapping a name to the name it rests in/on.

    Objects resting on the table get non-overlapping footprints; the others are
    centred (with a little jitter) on their support. The arm starts at home.
    """
    placed_on = dict(placed_on or {})
    names = [o.name for o in objects]
    for child, parent in placed_on.items():
        if child not in names or parent not in names:
            raise ValueError(f"placed_on refers to unknown objects: {child!r} on {parent!r}; objects: {names}")
    positions = np.zeros((len(objects), 3))
    supports = [NO_OBJECT] * len(objects)
    on_table = [i for i, o in enumerate(objects) if o.name not in placed_on]
    placed: list[int] = []
    # Largest first: they are the hardest to fit.
    for i in sorted(on_table, key=lambda k: -objects[k].radius):
        for _ in range(max_tries):
            xy = rng.uniform(PLACEMENT_LOW, PLACEMENT_HIGH)
            if all(
                np.hypot(*(xy - positions[j, :2])) >= objects[i].radius + objects[j].radius + CLEARANCE for j in placed
            ):
                break
        else:
            raise RuntimeError(f"could not place {objects[i].name!r} without overlap after {max_tries} tries")
        positions[i] = (xy[0], xy[1], TABLE_Z)
        placed.append(i)
    pending = dict(placed_on)
    while pending:
        progressed = False
        for child, parent in list(pending.items()):
            if parent in pending:
                continue
            c, p = names.index(child), names.index(parent)
            jitter = rng.uniform(-0.008, 0.008, size=2)
            if objects[c].kind == ObjectKind.LID:
                jitter[:] = 0.0
            positions[c, :2] = positions[p, :2] + jitter
            positions[c, 2] = rest_height(objects[c], objects[p], positions[p, 2])
            supports[c] = p
            del pending[child]
            progressed = True
        if not progressed:
            raise ValueError(f"placed_on has a cycle: {pending}")
    return TabletopWorld(objects, positions, supports, ee_state=HOME_STATE)
