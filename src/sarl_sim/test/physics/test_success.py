"""The tasks' predicates on the physics state, checked along the scripted expert's pick and place."""

from __future__ import annotations

import numpy as np
import pytest
from sarl_sim.physics.arm_control import DeltaArmController
from sarl_sim.physics.expert import PickAndPlaceExpert
from sarl_sim.physics.success import describe, holds, is_held
from sarl_sim.physics.world import PhysicsWorld
from sarl_sim.predicates import Covered, Holding, In, On
from sarl_sim.tasks import get_task


def world_of(task: str, seed: int = 0) -> PhysicsWorld:
    return PhysicsWorld.from_layout(get_task(task).build(np.random.default_rng(seed)))


def test_holding_follows_the_grasp_and_in_follows_the_drop():
    world = world_of("banana_pot_sushi_bowl")
    expert = PickAndPlaceExpert(world, DeltaArmController(world))
    success = get_task("banana_pot_sushi_bowl").success
    assert not holds(Holding("banana"), world) and not holds(success, world)
    expert.pick("banana")
    assert holds(Holding("banana"), world) and not holds(Holding("sushi"), world)
    assert not holds(In("banana", "pot_right"), world), "held in the air is not in the pot"
    expert.place("banana", "pot_right")
    world.settle(0.5)
    assert not is_held(world, "banana")
    assert holds(In("banana", "pot_right"), world) and not holds(In("banana", "pot_left"), world)
    assert describe(success, world) == "In(banana, pot_right): yes; In(sushi, bowl): no"
    expert.pick_and_place("sushi", "bowl")
    world.settle(0.5)
    assert holds(success, world)


def test_on_and_covered():
    world = world_of("hammer_plate_mushroom")
    PickAndPlaceExpert(world, DeltaArmController(world)).pick_and_place("hammer", "plate")
    world.settle(0.5)
    assert holds(On("hammer", "plate"), world)
    assert not holds(Covered("plate"), world)  # no lid in this scene


def test_in_refuses_a_place_that_is_not_a_container():
    world = world_of("hammer_plate_mushroom")
    with pytest.raises(ValueError, match="not a container"):
        holds(In("hammer", "plate"), world)


def test_a_lid_on_the_rim_covers_the_pot_until_it_is_moved_away():
    world = world_of("uncover_pot_mushroom")
    assert holds(Covered("pot"), world), "the layout starts with the lid on the pot"
    PickAndPlaceExpert(world, DeltaArmController(world)).pick_and_place("pot_lid", "towel")
    world.settle(0.5)
    assert not holds(Covered("pot"), world) and holds(On("pot_lid", "towel"), world)
