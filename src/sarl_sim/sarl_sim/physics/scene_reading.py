"""The physics state as the kinematic world's bookkeeping: who rests on whom, what is held.

Why: ``sim/scene`` (the stand-in VLA's and the scene proposer's ``observation/scene``) is defined on
a :class:`~sarl_sim.world.TabletopWorld`; a snapshot with the same objects, the measured positions and
supports/held read off poses and contacts (:mod:`.success`) encodes the same way.
"""

from __future__ import annotations

import numpy as np

from sarl_sim.objects import ObjectKind
from sarl_sim.physics.expert import placed_in_or_on
from sarl_sim.physics.success import is_held, lid_on_rim
from sarl_sim.physics.world import PhysicsWorld
from sarl_sim.world import NO_OBJECT, TabletopWorld

PLACES = (ObjectKind.CONTAINER, ObjectKind.SURFACE)


def support_of(world: PhysicsWorld, name: str) -> int:
    """Index of the container/surface ``name`` rests in or on (a lid: the container it covers), else NO_OBJECT."""
    kind = world.object(name).kind
    for index, other in enumerate(world.objects):
        if other.name == name:
            continue
        if kind == ObjectKind.LID and other.kind == ObjectKind.CONTAINER and lid_on_rim(world, name, other.name):
            return index
        if other.kind in PLACES and placed_in_or_on(world, name, other.name):
            return index
    return NO_OBJECT


def tabletop_snapshot(world: PhysicsWorld) -> TabletopWorld:
    names = world.object_names()
    positions = np.array([world.object_position(name) for name in names])
    snapshot = TabletopWorld(world.objects, positions, [support_of(world, name) for name in names])
    held = [index for index, name in enumerate(names) if is_held(world, name)]
    snapshot.held = held[0] if held else NO_OBJECT
    return snapshot
