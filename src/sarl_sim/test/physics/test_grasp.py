"""Grasps hold by friction only: a closed gripper lifts an object, an open one leaves it, a release drops it."""

from __future__ import annotations

import mujoco
import numpy as np
import pytest
from sarl_sim.physics.arm_control import DeltaArmController
from sarl_sim.physics.expert import GRASP_PITCH, PickAndPlaceExpert, placed_in_or_on
from sarl_sim.physics.world import PhysicsWorld
from sarl_sim.tasks import get_task
from sarl_sim.world import TABLE_Z

GRASP_Z = TABLE_Z + 0.021
"""End-effector height that puts the finger pads around a 25 mm object."""


def _reach_and_lift(world: PhysicsWorld, close: bool) -> tuple[float, float]:
    """Descend on the sushi, close (or not), lift 10 cm; return (sushi z rise, end-effector z rise)."""
    controller = DeltaArmController(world)
    x, y, _ = world.object_position("sushi")
    yaw = float(np.arctan2(y, x))
    for z in (GRASP_Z + 0.08, GRASP_Z + 0.03, GRASP_Z, GRASP_Z):
        for _ in range(3):
            controller.move_to(np.array([x, y, z, 0.0, GRASP_PITCH, yaw]), gripper=1.0)
    for _ in range(2):
        controller.move_to(np.array([x, y, GRASP_Z, 0.0, GRASP_PITCH, yaw]), gripper=0.0 if close else 1.0)
    start_object, start_hand = world.object_position("sushi")[2], controller.state()[2]
    for _ in range(4):
        controller.apply(np.array([0, 0, 0.025, 0, 0, 0, 0.0 if close else 1.0]))
    # MuJoCo resets an unstable simulation silently (and logs to MUJOCO_LOG.TXT): a reset must fail the test.
    assert world.data.warning[mujoco.mjtWarning.mjWARN_BADQACC].number == 0, "the simulation went unstable"
    assert world.data.time > 3.8  # 0.3 s settling + 18 control periods: no reset to time 0 on the way
    return world.object_position("sushi")[2] - start_object, controller.state()[2] - start_hand


def test_a_closed_gripper_lifts_the_object_with_the_hand(lone_sushi_world: PhysicsWorld) -> None:
    object_rise, hand_rise = _reach_and_lift(lone_sushi_world, close=True)
    assert hand_rise > 0.08
    assert object_rise == pytest.approx(hand_rise, abs=0.01)
    fingers = lone_sushi_world.data.qpos[lone_sushi_world.finger_qpos_index]
    assert fingers[0] > 0.02, "the fingers must stop on the object, not close fully"


def test_an_open_gripper_leaves_the_object_on_the_table(lone_sushi_world: PhysicsWorld) -> None:
    object_rise, hand_rise = _reach_and_lift(lone_sushi_world, close=False)
    assert hand_rise > 0.08
    assert abs(object_rise) < 0.005


def test_opening_the_gripper_drops_the_object(lone_sushi_world: PhysicsWorld) -> None:
    _reach_and_lift(lone_sushi_world, close=True)
    held_z = lone_sushi_world.object_position("sushi")[2]
    controller = DeltaArmController(lone_sushi_world)
    controller.apply(np.array([0, 0, 0, 0, 0, 0, 1.0]))
    lone_sushi_world.settle(0.5)
    assert held_z > TABLE_Z + 0.08
    assert lone_sushi_world.object_position("sushi")[2] == pytest.approx(TABLE_Z, abs=0.005)


def test_a_heavy_object_slips_out_of_the_grasp(lone_sushi_world: PhysicsWorld) -> None:
    """Friction has a limit: at 20x its mass (1.6 kg, beyond 2 x 5 N x mu 1.5 of grip) the sushi stays down."""
    body = lone_sushi_world.model.body("sushi").id
    lone_sushi_world.model.body_mass[body] *= 20
    lone_sushi_world.model.body_inertia[body] *= 20
    mujoco.mj_setConst(lone_sushi_world.model, lone_sushi_world.data)  # refresh the mass-derived constants
    object_rise, hand_rise = _reach_and_lift(lone_sushi_world, close=True)
    assert hand_rise > 0.05
    assert object_rise < 0.02


@pytest.mark.parametrize(
    ("task", "item", "destination"),
    [("pot_lid_to_towel", "pot_lid", "towel"), ("banana_pot_sushi_bowl", "sushi", "bowl")],
)
def test_scripted_pick_and_place_succeeds_on_seeded_layouts(task: str, item: str, destination: str) -> None:
    successes = []
    for seed in range(10):
        world = PhysicsWorld.from_layout(get_task(task).build(np.random.default_rng(seed)))
        assert not placed_in_or_on(world, item, destination)
        PickAndPlaceExpert(world, DeltaArmController(world)).pick_and_place(item, destination)
        world.settle(0.4)
        successes.append(placed_in_or_on(world, item, destination))
    assert sum(successes) >= 9, f"successes per seed: {successes}"
