"""The tasks' success predicates (On, In, Holding, Covered, All) read off the physics state.

Why a second reading of the same predicates: the kinematic world keeps ``held`` and ``supports`` as
bookkeeping; the physics world has only poses and contacts. Here "holding" is contact with both
finger links (what a person would call held), "in"/"on" is resting within the footprint at the
right height (:func:`~sarl_sim.physics.expert.placed_in_or_on`) and not held, "covered" is a lid
resting on the rim. The predicates themselves stay those of :mod:`sarl_sim.predicates`.
"""

from __future__ import annotations

import numpy as np

from sarl_sim.objects import ObjectKind
from sarl_sim.physics.expert import placed_in_or_on
from sarl_sim.physics.object_bodies import half_extent
from sarl_sim.physics.world import PhysicsWorld
from sarl_sim.predicates import All, Covered, Holding, In, On, Predicate

FINGER_BODIES = ("left_finger_link", "right_finger_link")
RIM_TOLERANCE = 0.015
"""[m] a lid's base within this of a container's rim height counts as resting on it."""


def holds(predicate: Predicate, world: PhysicsWorld) -> bool:
    """Whether ``predicate`` is true of the physics state; unknown predicate types are refused by name."""
    if isinstance(predicate, All):
        return all(holds(part, world) for part in predicate.parts)
    if isinstance(predicate, Holding):
        return is_held(world, predicate.obj)
    if isinstance(predicate, In):
        if world.object(predicate.container).kind != ObjectKind.CONTAINER:
            raise ValueError(f"In(): {predicate.container!r} is not a container")
        return placed_in_or_on(world, predicate.obj, predicate.container) and not is_held(world, predicate.obj)
    if isinstance(predicate, On):
        return placed_in_or_on(world, predicate.obj, predicate.support) and not is_held(world, predicate.obj)
    if isinstance(predicate, Covered):
        return any(lid_on_rim(world, obj.name, predicate.container)
                   for obj in world.objects if obj.kind == ObjectKind.LID)  # fmt: skip
    raise TypeError(f"no physics reading of {type(predicate).__name__} ({predicate})")


def describe(predicate: Predicate, world: PhysicsWorld) -> str:
    """``In(banana, pot_right): yes; In(sushi, bowl): no`` — which sub-goals hold now."""
    parts = predicate.parts if isinstance(predicate, All) else (predicate,)
    return "; ".join(f"{part}: {'yes' if holds(part, world) else 'no'}" for part in parts)


def is_held(world: PhysicsWorld, name: str) -> bool:
    """``name`` touches both finger links."""
    body = world.model.body(name).id
    fingers = {world.model.body(finger).id for finger in FINGER_BODIES}
    touching = set()
    for contact in world.data.contact[: world.data.ncon]:
        bodies = {int(world.model.geom_bodyid[contact.geom1]), int(world.model.geom_bodyid[contact.geom2])}
        if body in bodies:
            touching |= bodies & fingers
    return touching == fingers


def lid_on_rim(world: PhysicsWorld, lid: str, container: str) -> bool:
    """``lid`` rests on ``container``'s rim, within its footprint, and is not held."""
    target = world.object(container)
    offset = world.object_position(lid) - world.object_position(container)
    local = world.object_rotation(container).T @ offset
    within = bool(np.all(np.abs(local[:2]) < half_extent(target)))
    return within and abs(local[2] - target.height) < RIM_TOLERANCE and not is_held(world, lid)
